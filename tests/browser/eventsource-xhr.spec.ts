// EventSource and XMLHttpRequest in the page get a replayed stream chunk by chunk too.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect } from 'playwright-llm-replay';

// A folder of this worker's own, filled before its tests and removed after them (again each time Playwright
// runs this file's hooks in the worker: with fullyParallel, a worker may take this file's tests in several goes).
const llmDir = path.join(os.tmpdir(), `llm-es-${process.pid}-${Math.random().toString(36).slice(2)}`);
const api = 'http://127.0.0.1:9/v1';
const events = ['Once', ' upon', ' a', ' time'].map((text, i) => ({ __data__: { type: 'delta', text }, event: 'delta', t: 100 + i * 100 }));
const recording = (method: string, endpoint: string) => ({
  request: { method, url: `${api}${endpoint}`, headers: {}, body: method === 'GET' ? null : { prompt: 'story' }, endpoint: `/v1${endpoint}`, model: null },
  response: { status: 200, headers: { 'content-type': 'text/event-stream' }, is_streaming: true, framing: 'sse', body: events },
});
test.beforeAll(() => {
  fs.mkdirSync(llmDir, { recursive: true });
  fs.writeFileSync(path.join(llmDir, 'story-get.json'), JSON.stringify(recording('GET', '/story')));
  fs.writeFileSync(path.join(llmDir, 'story-post.json'), JSON.stringify(recording('POST', '/story')));
});

test.use({ llmDir, llmMode: 'replay', llmPace: 1, llmUrls: [`${api}/**`] });
test.afterAll(() => fs.rmSync(llmDir, { recursive: true, force: true }));

test.describe('on the page clock', () => {
  test.use({ llmPace: 'clock' });

  test('EventSource gets each event with its name, at the recorded times (on the page clock)', async ({ page, llm }) => {
    await page.goto('/');
    await page.clock.install({ time: 0 });
    await page.clock.pauseAt(1000);
    await page.evaluate((url) => {
      const w = window as any;
      w.__events = [];
      const source = new EventSource(url);
      source.onopen = () => (w.__open = true);
      source.addEventListener('delta', (e) => w.__events.push({ text: JSON.parse((e as MessageEvent).data).text, type: e.type }));
      source.onerror = () => source.close();
    }, `${api}/story`);
    const got = () => page.evaluate(() => (window as any).__events as { text: string; type: string }[]);
    await expect.poll(() => page.evaluate(() => !!(window as any).__open)).toBe(true);
    // Events were recorded 100 ms apart, from t = 100.
    let now = 0;
    for (let i = 0; i < 4; i++) {
      const due = 100 * (i + 1);
      await page.clock.runFor(due - 3 - now);
      expect(await got(), `before event ${i + 1}`).toHaveLength(i);
      await page.clock.runFor(4);
      now = due + 1;
      await expect.poll(async () => (await got()).length, `after event ${i + 1}`).toBe(i + 1);
    }
    expect((await got()).map((g) => g.text).join('')).toBe('Once upon a time');
    expect((await got()).every((g) => g.type === 'delta')).toBe(true);
    expect(llm.calls).toMatchObject([{ method: 'GET', outcome: 'replayed' }]);
  });
});

test('XMLHttpRequest sees the text grow with a progress event per chunk', async ({ page }) => {
  await page.goto('/');
  const got = await page.evaluate(
    (url) =>
      new Promise<{ progress: number[]; final: string; header: string | null }>((resolve) => {
        const xhr = new XMLHttpRequest();
        const progress: number[] = [];
        xhr.open('POST', url);
        xhr.setRequestHeader('content-type', 'application/json');
        xhr.onprogress = () => progress.push(xhr.responseText.length);
        xhr.onload = () => resolve({ progress, final: xhr.responseText, header: xhr.getResponseHeader('x-llm-replay-chunks') });
        xhr.send(JSON.stringify({ prompt: 'story' }));
      }),
    `${api}/story`,
  );
  expect(got.header).toBeNull();
  expect(got.final.match(/event: delta/g)).toHaveLength(4);
  expect(got.progress.length).toBeGreaterThanOrEqual(3);
  expect(got.progress).toEqual([...got.progress].sort((a, b) => a - b));
  expect(got.progress[0]).toBeLessThan(got.final.length);
});
