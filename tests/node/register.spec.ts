// `node --import playwright-llm-replay/register`: the preload on its own, in a plain Node process.
import { spawnSync } from 'node:child_process';
import { test, expect } from '@playwright/test';
import { fromRoot } from '../support/paths.js';

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
