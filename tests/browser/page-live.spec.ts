// While recording from the page, the answer reaches the page's reader as it arrives from the
// upstream (over a live channel: src/browser/live.ts), a Stop mid-answer stops the reader at once as
// in a replay, and the recording is still stored whole. Order is told by events: what the stand-in
// upstream had written when the page read (its writes are counted as they happen), never by times.
import fs from 'node:fs';
import { test as base, expect, type Page } from 'playwright-llm-replay';
import fg from 'fast-glob';
import { upstreamFixture, type Upstream } from '../support/upstream.js';
import { freshLlmDir, workerLlmDir } from '../support/llm-dir.js';

const test = base.extend<{ upstream: Upstream; fresh: void; writes: () => number }, object>({
  llmDir: workerLlmDir('llm-page-live'),
  // Slow tokens: the upstream takes a while over its answer.
  upstream: upstreamFixture({ tokenDelay: 30 }),
  fresh: freshLlmDir,
  // The writes of its events the upstream has made so far for the one answer it gives.
  writes: async ({ upstream }, use) => use(() => (upstream.gaps[0]?.length ?? -1) + 1),
});
test.use({ llmMode: 'record-missing', llmUrls: ['http://127.0.0.1:*/v1/**'] });

const WORDS = Array.from({ length: 16 }, (_, i) => `word${i}`);
const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: WORDS.join(' ') }], stream: true };
const ANSWER = `Echo: ${WORDS.join(' ')}`;

/** The text of an OpenAI chat stream's deltas. */
const textOf = (sse: string) =>
  sse
    .split('\n')
    .filter((l) => l.startsWith('data: {'))
    .map((l) => JSON.parse(l.slice(6)).choices[0]?.delta?.content ?? '')
    .join('');

/** Node notes how many writes the upstream had made when the page called `__mark(what)`. */
async function markWrites(page: Page, writes: () => number) {
  const marks = new Map<string, number>();
  await page.exposeFunction('__mark', (what: string) => void marks.set(what, writes()));
  return marks;
}

/** A fetch in the page, read to its end (or aborted after its first chunk, with `stop`): its reads and how it ended. */
function readInPage(page: Page, url: string, stop: boolean) {
  return page.evaluate(
    async ({ url, body, stop }) => {
      const mark = (window as unknown as { __mark(what: string): Promise<void> }).__mark;
      const controller = new AbortController();
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: controller.signal });
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      const reads: string[] = [];
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          reads.push(decoder.decode(value, { stream: true }));
          if (reads.length > 1) continue;
          await mark('first read');
          if (!stop) continue;
          controller.abort();
          await mark('stopped');
        }
      } catch (err) {
        return { reads, ended: (err as Error).name };
      }
      return { reads, ended: 'done' };
    },
    { url, body, stop },
  );
}

test('while recording, the page reads its first chunk before the upstream has finished, and the answer is stored whole', async ({ page, llm, upstream, writes }) => {
  await page.goto('/');
  const marks = await markWrites(page, writes);
  const url = `${upstream.url}/v1/chat/completions`;
  const recorded = await readInPage(page, url, false);
  expect(recorded.ended).toBe('done');
  expect(textOf(recorded.reads.join(''))).toBe(ANSWER);
  await expect.poll(() => llm.calls.map((c) => c.outcome)).toEqual(['recorded']);
  // The upstream had written fewer of its events when the page read the first than it wrote in all.
  expect(marks.get('first read')).toBeLessThan(writes());
  // The page script's request header, saying it can read a live answer, is the route's alone.
  expect(upstream.received.map((h) => Object.keys(h).filter((n) => n.startsWith('x-llm-replay')))).toEqual([[]]);
  const [file] = fg.sync('**/*.json', { cwd: llm.dir, absolute: true });
  expect(fs.readFileSync(file, 'utf8')).not.toContain('x-llm-replay');

  // The replay: the same text from the stored answer, with no upstream.
  await upstream.close();
  const connections = upstream.connections;
  const replayed = await readInPage(page, url, false);
  expect(textOf(replayed.reads.join(''))).toBe(ANSWER);
  // Byte for byte what the page read live: the upstream's answer, all of it.
  expect(replayed.reads.join('')).toBe(recorded.reads.join(''));
  expect(upstream.connections).toBe(connections);
  expect(llm.calls.map((c) => c.outcome)).toEqual(['recorded', 'replayed']);
});

test('a Stop mid-answer while recording stops the reader at once, as in the replay; the answer is stored whole and replays whole', async ({ page, llm, upstream, writes }) => {
  await page.goto('/');
  const marks = await markWrites(page, writes);
  const url = `${upstream.url}/v1/chat/completions`;
  const stopped = await readInPage(page, url, true);
  // The read after the Stop was the abort: one chunk read, while the upstream was still answering.
  expect(stopped.ended).toBe('AbortError');
  expect(stopped.reads).toHaveLength(1);
  // The upstream is read to its end all the same, and its answer stored.
  await expect.poll(() => llm.calls.map((c) => c.outcome)).toEqual(['recorded']);
  expect(marks.get('stopped')).toBeLessThan(writes());
  const [file] = fg.sync('**/*.json', { cwd: llm.dir, absolute: true });
  const stored = JSON.parse(fs.readFileSync(file, 'utf8'));
  expect(stored.response.body.map((e: { __data__: { choices: { delta: { content?: string } }[] } }) => e.__data__.choices[0]?.delta?.content ?? '').join('')).toBe(ANSWER);

  // Replayed, with no upstream: the same Stop ends the same way; read to the end, the whole answer.
  await upstream.close();
  const connections = upstream.connections;
  expect(await readInPage(page, url, true)).toEqual(stopped);
  const whole = await readInPage(page, url, false);
  expect(textOf(whole.reads.join(''))).toBe(ANSWER);
  expect(upstream.connections).toBe(connections);
  expect(llm.calls.map((c) => c.outcome)).toEqual(['recorded', 'replayed', 'replayed']);
});

test.describe('in passthrough mode', () => {
  test.use({ llmMode: 'passthrough' });

  test('a Stop mid-answer ends the upstream call before its end', async ({ page, llm, upstream, writes }) => {
    await page.goto('/');
    await markWrites(page, writes);
    const url = `${upstream.url}/v1/chat/completions`;
    const stopped = await readInPage(page, url, true);
    expect([stopped.ended, stopped.reads.length]).toEqual(['AbortError', 1]);
    // The page closed its channel: Node took it as the caller giving up, and gave up the upstream call.
    await expect.poll(() => upstream.cut).toBe(1);
    expect(llm.calls).toMatchObject([{ outcome: 'passthrough' }]);
    expect(fg.sync('**/*.json', { cwd: llm.dir })).toEqual([]);
  });
});

test.describe('XMLHttpRequest', () => {
  /**
   * An XHR in the page: its text at each progress event, its events with its state then, its text
   * and state once over; aborted at its first progress with `stop`. Its progress and events go on
   * being kept in `window.__xhrs`: anything that comes after its end shows there.
   */
  function xhrInPage(page: Page, url: string, stop: boolean) {
    return page.evaluate(
      ({ url, body, stop }) =>
        new Promise<{ progress: string[]; events: string[]; text: string; readyState: number }>((resolve) => {
          const mark = (window as unknown as { __mark(what: string): Promise<void> }).__mark;
          const xhr = new XMLHttpRequest();
          const progress: string[] = [];
          const events: string[] = [];
          const w = window as unknown as { __xhrs?: object[] };
          (w.__xhrs ??= []).push({ progress, events });
          xhr.open('POST', url);
          xhr.setRequestHeader('content-type', 'application/json');
          xhr.onprogress = () => {
            progress.push(xhr.responseText);
            if (progress.length > 1) return;
            void mark('first progress');
            if (stop) xhr.abort();
          };
          for (const type of ['load', 'error', 'abort', 'loadend']) xhr.addEventListener(type, () => events.push(`${type} ${xhr.readyState}`));
          // Its state once the request is over (an aborted one is UNSENT again after its loadend).
          xhr.onloadend = () => setTimeout(() => resolve({ progress: [...progress], events: [...events], text: xhr.responseText, readyState: xhr.readyState }));
          xhr.send(JSON.stringify(body));
        }),
      { url, body, stop },
    );
  }

  test('while recording, its text grows before the upstream has finished, then it loads whole', async ({ page, llm, upstream, writes }) => {
    await page.goto('/');
    const marks = await markWrites(page, writes);
    const got = await xhrInPage(page, `${upstream.url}/v1/chat/completions`, false);
    expect(got.progress.length).toBeGreaterThan(WORDS.length);
    expect(got.progress).toEqual(got.progress.map((_, i) => got.text.slice(0, got.progress[i].length)));
    expect(textOf(got.text)).toBe(ANSWER);
    expect([got.events, got.readyState]).toEqual([['load 4', 'loadend 4'], 4]);
    await expect.poll(() => llm.calls.map((c) => c.outcome)).toEqual(['recorded']);
    expect(marks.get('first progress')).toBeLessThan(writes());
  });

  test('abort() mid-answer while recording ends it as the browser ends a loading request; the answer is stored whole', async ({ page, llm, upstream, writes }) => {
    await page.goto('/');
    const marks = await markWrites(page, writes);
    const url = `${upstream.url}/v1/chat/completions`;
    const got = await xhrInPage(page, url, true);
    expect([got.progress.length, got.events, got.text, got.readyState]).toEqual([1, ['abort 4', 'loadend 4'], '', 0]);
    await expect.poll(() => llm.calls.map((c) => c.outcome)).toEqual(['recorded']);
    expect(marks.get('first progress')).toBeLessThan(writes());
    // Replayed, it ends the same way; read to the end, the whole answer.
    await upstream.close();
    expect(await xhrInPage(page, url, true)).toMatchObject({ progress: got.progress.map(() => expect.any(String)), events: got.events, text: '', readyState: 0 });
    expect(textOf((await xhrInPage(page, url, false)).text)).toBe(ANSWER);
    // Nothing came to the aborted request after its end, though the rest of its answer did to Node.
    expect(await page.evaluate(() => (window as unknown as { __xhrs: object[] }).__xhrs[0])).toEqual({ progress: got.progress, events: got.events });
  });
});

test('while recording, a stream the upstream breaks reaches the page whole up to the break, then the error; nothing is stored', async ({ page, llm, upstream }) => {
  await page.goto('/');
  // The stand-in's reset case: three events, then the connection ends before the body does.
  await page.evaluate(
    async ({ url, body }) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-standin-case': 'reset' }, body: JSON.stringify(body) });
      (window as unknown as { __reader: unknown }).__reader = res.body!.getReader();
    },
    { url: `${upstream.url}/v1/chat/completions`, body },
  );
  // The reader comes late: the stream has broken (the call is settled) before its first read.
  await expect.poll(() => llm.calls[0]?.outcome).toBe('not-recorded');
  const got = await page.evaluate(async () => {
    const reader = (window as unknown as { __reader: ReadableStreamDefaultReader<Uint8Array> }).__reader;
    const decoder = new TextDecoder();
    let text = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return { text, ended: 'done' };
        text += decoder.decode(value, { stream: true });
      }
    } catch (err) {
      return { text, ended: (err as Error).name };
    }
  });
  expect(got.ended).toBe('TypeError');
  expect(textOf(got.text)).toBe(`Echo: ${WORDS[0]}`);
  expect(llm.calls).toMatchObject([{ outcome: 'not-recorded', reason: expect.stringContaining('upstream failed') }]);
});
