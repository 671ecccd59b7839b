// The browser transport in real Chromium: replayed streams reach the page one read per recorded
// chunk; recordings made from the page replay there; other requests go out untouched.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect, type Page } from 'playwright-llm-replay';
import fg from 'fast-glob';
import { startUpstream, type Upstream } from '../support/upstream.js';

/** Runs a streaming fetch in the page and returns each read's text and arrival time. */
function readsInPage(page: Page, url: string, body: object, headers: Record<string, string> = {}) {
  return page.evaluate(
    async ({ url, body, headers }) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-page-key', ...headers }, body: JSON.stringify(body) });
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      const reads: { text: string; at: number }[] = [];
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        reads.push({ text: decoder.decode(value), at: performance.now() });
      }
      return { status: res.status, url: res.url, contentType: res.headers.get('content-type'), leaked: res.headers.get('x-llm-replay-chunks'), reads };
    },
    { url, body, headers },
  );
}

test('the seed reaches a page fetch as its chunks, one read each, ending in data: [DONE]', async ({ page, llm }) => {
  await page.goto('/');
  const url = 'https://api.fireworks.ai/inference/v1/chat/completions';
  const res = await readsInPage(page, url, { model: 'accounts/fireworks/models/llama-v3p1-8b-instruct', messages: [{ role: 'user', content: 'Hello, world!' }], stream: true });
  expect(res).toMatchObject({ status: 200, url, contentType: 'text/event-stream', leaked: null });
  expect(res.reads).toHaveLength(27);
  expect(res.reads.at(-1)!.text).toBe('data: [DONE]\n\n');
  const text = res.reads.slice(0, -1).map((r) => JSON.parse(r.text.replace(/^data: /, '')).choices[0].delta.content ?? '').join('');
  expect(text).toBe("Hello! It's nice to meet you. Is there something I can help you with, or would you like to chat?");
  expect(llm.calls).toMatchObject([{ outcome: 'replayed', url }]);
});

test.describe('recorded from the page, replayed in the page', () => {
  test.describe.configure({ mode: 'serial' });
  const llmDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-page-'));
  let upstream: Upstream;
  let recorded: Awaited<ReturnType<typeof readsInPage>>;
  const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'one two three four five six seven eight' }], stream: true };
  test.beforeAll(async () => {
    upstream = await startUpstream({ tokenDelay: 30 });
  });
  test.afterAll(async () => {
    await upstream.close();
    fs.rmSync(llmDir, { recursive: true, force: true });
  });

  test.describe(() => {
    test.use({ llmDir, llmMode: 'record', llmHosts: ['http://127.0.0.1:*/v1/**'] });
    test('record', async ({ page, llm }) => {
      await page.goto('/');
      recorded = await readsInPage(page, `${upstream.url}/v1/chat/completions`, body);
      expect(recorded.status).toBe(200);
      expect(llm.calls).toMatchObject([{ outcome: 'recorded' }]);
      const [file] = fg.sync('**/*.json', { cwd: llmDir, absolute: true });
      const stored = fs.readFileSync(file, 'utf8');
      expect(stored).not.toContain('sk-page-key');
      // One page read per recorded event, plus [DONE].
      expect(recorded.reads).toHaveLength(JSON.parse(stored).response.body.length + 1);
      expect(recorded.reads.map((r) => r.text).join('')).toContain('"content":" eight"');
    });
  });

  test.describe(() => {
    test.use({ llmDir, llmMode: 'replay', llmHosts: ['http://127.0.0.1:*/v1/**'] });
    test('replay offline, paced and unpaced', async ({ page, llm }) => {
      await upstream.close();
      const connections = upstream.connections;
      await page.goto('/');
      const replayed = await readsInPage(page, `${upstream.url}/v1/chat/completions`, body);
      expect(replayed.reads.map((r) => r.text)).toEqual(recorded.reads.map((r) => r.text));
      expect(replayed.url).toBe(`${upstream.url}/v1/chat/completions`);
      expect(upstream.connections).toBe(connections);
      expect(llm.calls).toMatchObject([{ outcome: 'replayed' }]);
      const fastSpan = replayed.reads.at(-1)!.at - replayed.reads[0].at;
      expect(fastSpan).toBeLessThan(100);
    });
  });

  test.describe(() => {
    test.use({ llmDir, llmMode: 'replay', llmPace: 1, llmHosts: ['http://127.0.0.1:*/v1/**'] });
    test('llmPace 1 keeps the recorded gaps in the page', async ({ page }) => {
      await page.goto('/');
      const paced = await readsInPage(page, `${upstream.url}/v1/chat/completions`, body);
      const [file] = fg.sync('**/*.json', { cwd: llmDir, absolute: true });
      const events: { t: number }[] = JSON.parse(fs.readFileSync(file, 'utf8')).response.body;
      const recordedSpan = events.at(-1)!.t - events[0].t;
      const pagedSpan = paced.reads[events.length - 1].at - paced.reads[0].at;
      expect(recordedSpan).toBeGreaterThan(150);
      expect(pagedSpan).toBeGreaterThan(recordedSpan * 0.85);
      expect(pagedSpan).toBeLessThan(recordedSpan * 1.5 + 100);
    });
  });
});

test.describe('requests that are not LLM calls', () => {
  let upstream: Upstream;
  test.beforeEach(async () => {
    upstream = await startUpstream({ tokenDelay: 1 });
  });
  test.afterEach(async () => upstream.close());
  test.use({ llmMode: 'replay' });

  test('go out untouched, even in replay mode', async ({ page, llm }) => {
    await page.goto('/');
    const res = await readsInPage(page, `${upstream.url}/v1/chat/completions`, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'not intercepted' }], stream: true });
    expect(res.status).toBe(200);
    expect(res.reads.map((r) => r.text).join('')).toContain('"content":" intercepted"');
    expect(upstream.requests).toBeGreaterThan(0);
    expect(llm.calls).toEqual([]);
    expect(upstream.received.some((h) => 'x-llm-replay-test' in h)).toBe(false);
  });
});

test.describe('the demo UI, recorded from the page then replayed offline', () => {
  test.describe.configure({ mode: 'serial' });
  const llmDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-ui-'));
  const prompt = 'Tell me a story about a small robot';
  let upstream: Upstream;
  let recorded: { text: string | null; reads: number };
  test.beforeAll(async () => {
    upstream = await startUpstream({ tokenDelay: 20 });
  });
  test.afterAll(async () => {
    await upstream.close();
    fs.rmSync(llmDir, { recursive: true, force: true });
  });

  /** Asks through the demo UI and counts the chunk reads the app's own reader got. */
  async function askInUi(page: Page) {
    await page.addInitScript(() => {
      const read = ReadableStreamDefaultReader.prototype.read;
      (window as any).__reads = 0;
      ReadableStreamDefaultReader.prototype.read = async function (this: ReadableStreamDefaultReader) {
        const result = await read.call(this);
        if (!result.done) (window as any).__reads++;
        return result;
      } as typeof read;
    });
    await page.goto(`/?baseURL=${encodeURIComponent(`${upstream.url}/v1`)}`);
    await page.getByRole('textbox', { name: 'Message' }).fill(prompt);
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
    return { text: await page.locator('.message.assistant').textContent(), reads: await page.evaluate(() => (window as any).__reads as number) };
  }

  test.describe(() => {
    test.use({ llmDir, llmMode: 'record', llmHosts: ['http://127.0.0.1:*/v1/**'] });
    test('record', async ({ page, llm }) => {
      recorded = await askInUi(page);
      expect(recorded.text).toBe(`Echo: ${prompt}`);
      const [file] = fg.sync('**/*.json', { cwd: llmDir, absolute: true });
      expect(recorded.reads).toBe(JSON.parse(fs.readFileSync(file, 'utf8')).response.body.length + 1);
      expect(llm.calls).toMatchObject([{ outcome: 'recorded' }]);
    });
  });

  test.describe(() => {
    test.use({ llmDir, llmMode: 'replay', llmHosts: ['http://127.0.0.1:*/v1/**'] });
    test('replay', async ({ page, llm }) => {
      await upstream.close();
      const connections = upstream.connections;
      expect(await askInUi(page)).toEqual(recorded);
      expect(upstream.connections).toBe(connections);
      expect(llm.calls).toMatchObject([{ outcome: 'replayed' }]);
    });
  });
});
