// A recording is never lost after its test: calls the test gave up on while they were being
// recorded (from the worker, the page, the app's server) are all stored before the test ends —
// even when it is the last test of the run and the web server stops right after — and replay.
import fs from 'node:fs';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import fg from 'fast-glob';
import { runProject } from '../support/child.js';
import { startUpstream } from '../support/upstream.js';
import { freePort } from '../support/ports.js';

test.slow();

test('100 of 100 aborted calls from the worker and the page, and a stopped server call, are stored and replay', async ({}, testInfo) => {
  const upstream = await startUpstream({ tokenDelay: 40 });
  const llmDir = testInfo.outputPath('llm');
  const env = { UPSTREAM: upstream.url, LLM_DIR: llmDir, OUT_DIR: testInfo.outputPath('child'), APP_PORT: String(await freePort()) };
  try {
    const recorded = await runProject('aborts', [], env);
    expect(recorded.code, recorded.output).toBe(0);
    const files = fg.sync('**/*.json', { cwd: llmDir, absolute: true });
    const byTest = (slug: string) => files.filter((f) => f.includes(`/${slug}`));
    expect(byTest('the-worker-gives-up-on-a-hundred-calls')).toHaveLength(100);
    expect(byTest('the-page-gives-up-on-a-hundred-calls')).toHaveLength(100);
    expect(byTest('stop-while-the-app-server-records')).toHaveLength(1);
    // Each holds the whole answer, not the part before the abort.
    for (const file of files) {
      const x = JSON.parse(fs.readFileSync(file, 'utf8'));
      const text = x.response.body.map((e: any) => e.__data__.choices[0]?.delta?.content ?? '').join('');
      expect(text, path.basename(file)).toBe(`Echo: ${x.request.body.messages.at(-1).content}`);
      expect(x.response.terminator).toMatchObject({ data: '[DONE]' });
    }

    await upstream.close();
    const replayed = await runProject('aborts', [], { ...env, CI: '1' });
    expect(replayed.code, replayed.output).toBe(0);
    expect(fg.sync('**/*.json', { cwd: llmDir })).toHaveLength(201);
  } finally {
    await upstream.close();
  }
});
