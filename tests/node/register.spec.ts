// `node --import playwright-llm-replay/register`: the preload on its own, in a plain Node process.
import fs from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { test, expect } from '@playwright/test';
import fg from 'fast-glob';
import { fromRoot } from '../support/paths.js';
import { startUpstream } from '../support/upstream.js';

test('the register preload replays the seed for a plain script and refuses misses offline', async () => {
  const script = `
    const ask = (content) => fetch('https://api.fireworks.ai/inference/v1/chat/completions', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'accounts/fireworks/models/llama-v3p1-8b-instruct', messages: [{ role: 'user', content }], stream: true }),
    });
    const hit = await ask('Hello, world!');
    const text = await hit.text();
    const miss = await ask('Never recorded');
    console.log(JSON.stringify({ hit: hit.status, done: text.endsWith('data: [DONE]\\n\\n'), hello: text.includes('"Hello!"'), miss: miss.status, message: (await miss.json()).error.message }));
  `;
  const run = spawnSync(process.execPath, ['--import', 'playwright-llm-replay/register', '--input-type=module', '-e', script], {
    cwd: fromRoot(),
    env: { ...process.env, LLM_REPLAY_DIR: fromRoot('fixtures/llm'), LLM_REPLAY_MODE: 'replay' },
    encoding: 'utf8',
  });
  expect(run.status, run.stderr).toBe(0);
  const out = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
  expect(out).toMatchObject({ hit: 200, done: true, hello: true, miss: 404 });
  expect(out.message).toContain('no recording for POST https://api.fireworks.ai/inference/v1/chat/completions');
  expect(out.message).toContain('Looked in fixtures/llm/_shared/');
});

test('on SIGTERM the preload finishes the recordings under way before the process ends', async ({}, testInfo) => {
  const upstream = await startUpstream({ tokenDelay: 40 });
  const llmDir = testInfo.outputPath('llm');
  try {
    const script = `
      const res = await fetch('${upstream.url}/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'a long answer with many words that takes a while to stream in full' }], stream: true }) });
      const reader = res.body.getReader();
      await reader.read();
      console.log('streaming');
      setInterval(() => {}, 1000); // a server would keep running
    `;
    const env = { ...process.env, LLM_REPLAY_DIR: llmDir, LLM_REPLAY_MODE: 'record', LLM_REPLAY_OPTIONS: JSON.stringify({ llmUrls: [{ glob: `${upstream.url}/**` }] }) };
    const child = spawn(process.execPath, ['--import', 'playwright-llm-replay/register', '--input-type=module', '-e', script], { cwd: fromRoot(), env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    await expect.poll(() => out, { timeout: 60_000 }).toContain('streaming');
    const exited = new Promise<string | null>((r) => child.on('exit', (_code, signal) => r(signal)));
    child.kill('SIGTERM');
    expect(await exited).toBe('SIGTERM');
    const files = fg.sync('**/*.json', { cwd: llmDir, absolute: true });
    expect(files, out).toHaveLength(1);
    const stored = JSON.parse(fs.readFileSync(files[0], 'utf8'));
    expect(stored.response.body.map((e: any) => e.__data__.choices[0]?.delta?.content ?? '').join('')).toBe('Echo: a long answer with many words that takes a while to stream in full');
  } finally {
    await upstream.close();
  }
});
