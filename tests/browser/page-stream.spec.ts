// The browser transport in real Chromium: replayed streams reach the page one read per recorded
// chunk; other requests go out untouched. (Recording from the page: page-record.spec.ts.)
import { test as base, expect } from 'playwright-llm-replay';
import { readsInPage } from '../support/page.js';
import { startUpstream, type Upstream } from '../support/upstream.js';

const test = base.extend<{ upstream: Upstream }>({
  upstream: async ({}, use) => {
    const upstream = await startUpstream({ tokenDelay: 1 });
    await use(upstream);
    await upstream.close();
  },
});

test('the seed reaches a page fetch as its chunks, one read each, ending in data: [DONE]', async ({ page, llm }) => {
  await page.goto('/');
  const url = 'https://api.fireworks.ai/inference/v1/chat/completions';
  const res = await readsInPage(page, url, { model: 'accounts/fireworks/models/llama-v3p1-8b-instruct', messages: [{ role: 'user', content: 'Hello, world!' }], stream: true });
  expect(res).toMatchObject({ status: 200, url, contentType: 'text/event-stream', leaked: null });
  expect(res.reads).toHaveLength(27);
  expect(res.reads.at(-1)!.text).toBe('data: [DONE]\n\n');
  const text = res.reads.slice(0, -1).map((r) => JSON.parse(r.text.replace(/^data: /, '')).choices[0].delta.content ?? '').join('');
  expect(text).toBe("Hello! It's nice to meet you. Is there something I can help you with, or would you like to chat?");
  expect(llm.calls).toMatchObject([{ outcome: 'replayed', url, where: 'page' }]);
});

test.describe('requests that are not LLM calls', () => {
  test.use({ llmMode: 'replay' });

  test('go out untouched, even in replay mode', async ({ page, llm, upstream }) => {
    await page.goto('/');
    const res = await readsInPage(page, `${upstream.url}/v1/chat/completions`, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'not intercepted' }], stream: true });
    expect(res.status).toBe(200);
    expect(res.reads.map((r) => r.text).join('')).toContain('"content":" intercepted"');
    expect(upstream.requests).toBeGreaterThan(0);
    expect(llm.calls).toEqual([]);
    expect(upstream.received.some((h) => 'x-llm-replay-test' in h)).toBe(false);
  });
});

