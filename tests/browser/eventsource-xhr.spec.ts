// EventSource and XMLHttpRequest in the page get a replayed stream chunk by chunk too.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect } from 'playwright-llm-replay';

const llmDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-es-'));
const api = 'http://127.0.0.1:9/v1';
const events = ['Once', ' upon', ' a', ' time'].map((text, i) => ({ __data__: { type: 'delta', text }, event: 'delta', t: 100 + i * 100 }));
const recording = (method: string, endpoint: string) => ({
  request: { method, url: `${api}${endpoint}`, headers: {}, body: method === 'GET' ? null : { prompt: 'story' }, endpoint: `/v1${endpoint}`, model: null },
  response: { status: 200, headers: { 'content-type': 'text/event-stream' }, is_streaming: true, framing: 'sse', body: events },
});
fs.writeFileSync(path.join(llmDir, 'story-get.json'), JSON.stringify(recording('GET', '/story')));
fs.writeFileSync(path.join(llmDir, 'story-post.json'), JSON.stringify(recording('POST', '/story')));

test.use({ llmDir, llmMode: 'replay', llmPace: 1, llmHosts: [`${api}/**`] });
test.afterAll(() => fs.rmSync(llmDir, { recursive: true, force: true }));

test('EventSource gets each event with its name, at the recorded times', async ({ page, llm }) => {
  await page.goto('/');
  const got = await page.evaluate(
    (url) =>
      new Promise<{ text: string; at: number; type: string }[]>((resolve) => {
        const out: { text: string; at: number; type: string }[] = [];
        const source = new EventSource(url);
        const start = performance.now();
        source.addEventListener('delta', (e) => out.push({ text: JSON.parse((e as MessageEvent).data).text, at: performance.now() - start, type: e.type }));
        source.onerror = () => (source.close(), resolve(out));
      }),
    `${api}/story`,
  );
  expect(got.map((g) => g.text).join('')).toBe('Once upon a time');
  expect(got.every((g) => g.type === 'delta')).toBe(true);
  const span = got.at(-1)!.at - got[0].at;
  expect(span).toBeGreaterThan(250);
  expect(span).toBeLessThan(600);
  expect(llm.calls).toMatchObject([{ method: 'GET', outcome: 'replayed' }]);
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
