// The web-first matchers on `llm` (src/matchers.ts): they wait for a call the page makes without the
// test awaiting it, take the call's url / model / where / outcome / times, `.not` and a timeout, and a
// failure lists the calls seen so far. (The app server's calls: tests/demo, server mode.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect } from 'playwright-llm-replay';

const llmDir = path.join(os.tmpdir(), `llm-matchers-${process.pid}-${Math.random().toString(36).slice(2)}`);
const api = 'http://127.0.0.1:9/v1';
test.beforeAll(() => {
  fs.mkdirSync(llmDir, { recursive: true });
  const events = ['Hel', 'lo'].map((text, i) => ({ __data__: { choices: [{ delta: { content: text } }] }, t: 200 * (i + 1) }));
  fs.writeFileSync(
    path.join(llmDir, 'chat.json'),
    JSON.stringify({
      request: { method: 'POST', url: `${api}/chat/completions`, headers: {}, body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true }, endpoint: '/v1/chat/completions', model: 'gpt-4o-mini' },
      response: { status: 200, headers: { 'content-type': 'text/event-stream' }, is_streaming: true, framing: 'sse', body: events, terminator: { data: '[DONE]', t: 500 } },
    }),
  );
});
test.afterAll(() => fs.rmSync(llmDir, { recursive: true, force: true }));
test.use({ llmDir, llmMode: 'replay', llmPace: 1, llmUrls: [`${api}/**`] });

/** Starts a chat call in the page and does not wait for it. */
const ask = (page: import('@playwright/test').Page) =>
  page.evaluate((url) => {
    void fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true }) }).then((r) => r.text());
  }, `${api}/chat/completions`);

test('toHaveCalled waits for a call the page makes; toHaveNoPendingCalls for its end; .not and times', async ({ page, llm }) => {
  await page.goto('/');
  await expect(llm).not.toHaveCalled();
  await ask(page);
  await expect(llm).toHaveCalled({ url: '**/chat/completions', model: 'gpt-4o-mini', where: 'page' });
  await expect(llm).toHaveCalled({ model: /^gpt-4o/, times: 1 });
  await expect(llm).not.toHaveCalled({ where: 'server' });
  await expect(llm).toHaveNoPendingCalls();
  await expect(llm).toHaveCalled({ outcome: 'replayed', times: 1 });
  await expect(llm).toHaveNoMisses();
  await ask(page);
  await expect(llm).toHaveCalled({ times: 2 });
  await expect(llm).toHaveNoPendingCalls();
});

test('a failure lists the calls seen so far', async ({ page, llm }) => {
  await page.goto('/');
  await ask(page);
  await expect(llm).toHaveNoPendingCalls();
  const error = await expect(llm)
    .toHaveCalled({ where: 'server' }, { timeout: 300 })
    .then(() => undefined, (e: Error) => e);
  expect(error?.message).toContain('Expected a call like { where: "server" }; 0 matched.');
  expect(error?.message).toContain('1 LLM call: 1 replayed');
  expect(error?.message).toContain('1. replayed · page · POST /v1/chat/completions · gpt-4o-mini');
  const pending = await expect({ calls: [{ id: '1', method: 'POST', url: `${api}/chat/completions`, outcome: 'pending' as const, where: 'server' as const }] })
    .toHaveNoPendingCalls({ timeout: 100 })
    .then(() => undefined, (e: Error) => e);
  expect(pending?.message).toContain('1 call is still pending');
  const missed = await expect({ calls: [{ id: '1', method: 'POST', url: `${api}/chat/completions`, outcome: 'missed' as const, where: 'page' as const }] })
    .toHaveNoMisses({ timeout: 100 })
    .then(() => undefined, (e: Error) => e);
  expect(missed?.message).toContain('1 call missed their recording');
});
