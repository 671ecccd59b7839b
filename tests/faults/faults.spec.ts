// Faults injected on top of real recordings, deterministic: each kind, from the worker (the openai
// SDK as the client) and from the page, in replay and record-missing modes.
import { test as base, expect } from 'playwright-llm-replay';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { stream as undiciStream } from 'undici';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI, ApiError } from '@google/genai';
import { upstreamFixture, type Upstream } from '../support/upstream.js';
import { freshLlmDir, workerLlmDir } from '../support/llm-dir.js';

const test = base.extend<{ fresh: void; upstream: Upstream; openai: OpenAI; ask: (content?: string) => Promise<{ chunks: string[]; error?: Error }> }, object>({
  llmDir: workerLlmDir('llm-faults'),
  fresh: freshLlmDir,
  llmUrls: [['http://127.0.0.1:*/v1/**', 'http://127.0.0.1:*/v1beta/**'], { scope: 'worker' }],
  upstream: upstreamFixture({ tokenDelay: 5, deterministic: true }),
  openai: async ({ upstream }, use) => use(new OpenAI({ apiKey: 'sk-faults', baseURL: `${upstream.url}/v1`, maxRetries: 0 })),
  ask: async ({ openai }, use) =>
    use(async (content = 'one two three four five six') => {
      const chunks: string[] = [];
      try {
        const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], stream: true });
        for await (const c of stream) chunks.push(c.choices[0]?.delta?.content ?? '');
        return { chunks };
      } catch (error) {
        return { chunks, error: error as Error };
      }
    }),
});
test.use({ llmMode: 'record-missing' });

test('a 429 once: the client sees it, and its retry gets the real answer', async ({ llm, upstream }) => {
  await llm.fault('**/chat/completions', { status: 429, headers: { 'retry-after-ms': '10' } }, { times: 1 });
  const client = new OpenAI({ apiKey: 'sk-faults', baseURL: `${upstream.url}/v1`, maxRetries: 1 });
  const answer = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'retry me' }] });
  expect(answer.choices[0].message.content).toBe('Echo: retry me');
  expect(llm.calls.map((c) => [c.outcome, c.fault])).toEqual([
    ['faulted', '{ status: 429, headers: { "retry-after-ms": "10" } }'],
    ['recorded', undefined],
  ]);
  // Without a retry, the SDK reports the 429 as the API's own.
  await llm.fault('**/chat/completions', { status: 429 }, { times: 1 });
  const error = await new OpenAI({ apiKey: 'sk-faults', baseURL: `${upstream.url}/v1`, maxRetries: 0 }).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'retry me' }] }).catch((e) => e);
  expect(error).toBeInstanceOf(OpenAI.RateLimitError);
});

test('dropAfter breaks the connection after n chunks, as a network failure; the recording is whole', async ({ llm, ask }) => {
  await llm.fault('**/chat/completions', { dropAfter: 3 }, { times: 1 });
  const dropped = await ask();
  expect(dropped.chunks).toHaveLength(3);
  // As a connection reset looks to the openai SDK on undici's fetch (the stand-in's `reset` case gives the same).
  expect(dropped.error).toBeInstanceOf(TypeError);
  expect(dropped.error!.message).toBe('terminated');
  expect((dropped.error!.cause as { code?: string }).code).toBe('UND_ERR_SOCKET');
  const whole = await ask(); // the same question again: replayed, whole
  expect(whole.error).toBeUndefined();
  expect(whole.chunks.join('')).toBe('Echo: one two three four five six');
  expect(llm.calls.map((c) => c.outcome)).toEqual(['recorded', 'replayed']);
  expect(llm.calls[0].fault).toBe('{ dropAfter: 3 }');
});

test('dropAfter: a reader that takes its time still gets its n chunks before the break', async ({ llm, ask, openai, upstream }) => {
  await ask(); // recorded
  // Other calls through the same transport, start to end, keep the reader from reading: work, not a
  // timer. A break that waited for no read (none, or a turn of the event loop) comes before it reads.
  const busy = async () => {
    for (let i = 0; i < 5; i++) await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'busy' }] });
  };
  await busy(); // recorded
  await llm.fault('**/chat/completions', { dropAfter: 3 }, { times: 2, model: 'gpt-4o-mini' });
  const slow = async (late: boolean, between: boolean) => {
    const res = await fetch(`${upstream.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-faults' }, body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'one two three four five six' }], stream: true }) });
    if (late) await busy();
    const reader = res.body!.getReader();
    const reads: string[] = [];
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return { reads };
        reads.push(new TextDecoder().decode(value));
        if (between) await busy();
      }
    } catch (error) {
      return { reads, error: String(error) };
    }
  };
  // The break comes once the reader has the third chunk (a late reader gets chunks that waited for
  // it together in one read, as from a network).
  for (const [late, between] of [[true, false], [false, true]]) {
    const got = await slow(late, between);
    expect(got.reads.join('').match(/^data: /gm), late ? 'reading late' : 'busy between reads').toHaveLength(3);
    expect(got.error).toBe('TypeError: terminated');
  }
  expect(llm.calls.filter((c) => c.fault).map((c) => c.fault)).toEqual(['{ dropAfter: 3 }', '{ dropAfter: 3 }']);
});

test('dropAfter ends for consumers other than fetch too (undici.stream): they get the break, nothing hangs', async ({ llm, ask, upstream }) => {
  await ask(); // recorded
  await llm.fault('**/chat/completions', { dropAfter: 2 }, { times: 1 });
  const chunks: string[] = [];
  const error = await undiciStream(
    `${upstream.url}/v1/chat/completions`,
    { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-faults' }, body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'one two three four five six' }], stream: true }) },
    () => new Writable({ write: (chunk, _encoding, callback) => (chunks.push(String(chunk)), callback()) }),
  ).catch((e: Error & { code?: string }) => e);
  expect((error as { code?: string }).code).toBe('UND_ERR_SOCKET');
  expect(chunks.join('').match(/^data: /gm)).toHaveLength(2);
});

test.describe('in passthrough mode', () => {
  test.use({ llmMode: 'passthrough' });

  test('faults do nothing, and a fault no call got is no error: calls go to the upstream as they are', async ({ llm, ask }) => {
    await llm.fault('**/chat/completions', { dropAfter: 1 });
    const answer = await ask();
    expect(answer.error).toBeUndefined();
    expect(answer.chunks.join('')).toBe('Echo: one two three four five six');
    expect(llm.calls.map((c) => [c.outcome, c.fault])).toEqual([['passthrough', undefined]]);
  });
});

test('errorEvent sends the provider’s own error mid-stream, which the SDK raises as the API’s', async ({ llm, ask }) => {
  await ask(); // recorded
  await llm.fault('**/chat/completions', { errorEvent: true, after: 2 }, { times: 1 });
  const result = await ask();
  expect(result.chunks).toHaveLength(2);
  expect(result.error).toBeInstanceOf(OpenAI.APIError);
  expect(result.error!.message).toContain('fault injected by playwright-llm-replay');
  // Counted from when the fault is added: the second matching call gets it, the first does not.
  await llm.fault('**/chat/completions', { errorEvent: 'Overloaded, try later', after: 0 }, { model: 'gpt-4o-mini', nth: 2 });
  expect((await ask()).error).toBeUndefined();
  expect((await ask()).error!.message).toContain('Overloaded, try later');
});

test('errorEvent’s default is each provider’s own, raised by its SDK as the API’s error', async ({ llm, upstream }) => {
  const collect = async (stream: AsyncIterable<unknown>) => {
    const seen: unknown[] = [];
    try {
      for await (const event of stream) seen.push(event);
    } catch (error) {
      return { seen, error: error as Error };
    }
    return { seen };
  };
  const anthropic = new Anthropic({ apiKey: 'sk-ant-faults', baseURL: upstream.url, maxRetries: 0 });
  const ask = () => anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'one two three' }], stream: true });
  expect((await collect(await ask())).error).toBeUndefined(); // recorded
  await llm.fault('**/v1/messages', { errorEvent: true, after: 2 }, { times: 1 });
  const claude = await collect(await ask());
  expect(claude.seen).toHaveLength(2);
  expect(claude.error).toBeInstanceOf(Anthropic.APIError);
  expect((claude.error as InstanceType<typeof Anthropic.APIError>).error).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });

  const gemini = new GoogleGenAI({ apiKey: 'AIza-faults', httpOptions: { baseUrl: upstream.url } });
  const generate = () => gemini.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'one two three' });
  expect((await collect(await generate())).error).toBeUndefined();
  await llm.fault('**:streamGenerateContent*', { errorEvent: true, after: 1 }, { times: 1 });
  const google = await collect(await generate());
  expect(google.seen).toHaveLength(1);
  expect(google.error).toBeInstanceOf(ApiError);
  expect((google.error as ApiError).status).toBe(503);

  const openai = new OpenAI({ apiKey: 'sk-faults', baseURL: `${upstream.url}/v1`, maxRetries: 0 });
  const respond = () => openai.responses.create({ model: 'gpt-4o-mini', input: 'one two three', stream: true });
  expect((await collect(await respond())).error).toBeUndefined();
  await llm.fault('**/v1/responses', { errorEvent: 'Overloaded, try later', after: 3 }, { times: 1 });
  const responses = await collect(await respond());
  expect(responses.seen).toHaveLength(3);
  expect(responses.error).toBeInstanceOf(OpenAI.APIError);
  expect(responses.error!.message).toContain('Overloaded, try later');
  expect(llm.calls.map((c) => c.outcome)).toEqual(['recorded', 'replayed', 'recorded', 'replayed', 'recorded', 'replayed']);
});

test('a model RegExp with the g flag picks every matching call, not every other one', async ({ llm, ask }) => {
  await ask(); // recorded
  await llm.fault('**/chat/completions', { status: 503 }, { model: /gpt/g });
  for (let i = 0; i < 3; i++) expect((await ask()).error, `call ${i + 1}`).toBeInstanceOf(OpenAI.InternalServerError);
});

// How long they wait is checked exactly, on a test clock, by the conformance cases on the memory
// transport (tests/conformance/cases.ts, faults): here, that the answer comes through them whole.
test('stallAfter and firstChunkDelay hold the answer back without changing it', async ({ llm, ask }) => {
  const whole = await ask(); // recorded
  await llm.fault('**/chat/completions', { stallAfter: 2, ms: 300 }, { times: 1 });
  const stalled = await ask();
  expect(stalled.error).toBeUndefined();
  expect(stalled.chunks).toEqual(whole.chunks);
  await llm.fault('**/chat/completions', { firstChunkDelay: 250 }, { times: 1 });
  const delayed = await ask();
  expect(delayed.error).toBeUndefined();
  expect(delayed.chunks).toEqual(whole.chunks);
  expect(llm.calls.map((c) => [c.outcome, c.fault])).toEqual([
    ['recorded', undefined],
    ['replayed', '{ stallAfter: 2, ms: 300 }'],
    ['replayed', '{ firstChunkDelay: 250 }'],
  ]);
});

test.describe('in the page', () => {
  test('a dropped stream and an error event reach the page’s reader as they would', async ({ page, llm, upstream }) => {
    await page.goto('/');
    const read = () =>
      page.evaluate(async (url) => {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'in the page' }], stream: true }) });
        const reader = res.body!.getReader();
        const reads: string[] = [];
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return { status: res.status, reads };
            reads.push(new TextDecoder().decode(value));
          }
        } catch (e) {
          return { status: res.status, reads, error: String(e) };
        }
      }, `${upstream.url}/v1/chat/completions`);
    await read(); // recorded
    await llm.fault('**/chat/completions', { dropAfter: 2 }, { times: 1 });
    expect(await read()).toMatchObject({ status: 200, reads: { length: 2 }, error: 'TypeError: network error' });
    await llm.fault('**/chat/completions', { errorEvent: true, after: 1 }, { times: 1 });
    const event = await read();
    expect(event.reads).toHaveLength(2);
    expect(event.reads[1]).toMatch(/^data: \{"error":\{"message":".*fault injected/);
    await llm.fault('**/chat/completions', { status: 503 }, { times: 1 });
    expect((await read()).status).toBe(503);
    expect(llm.calls.map((c) => c.where)).toEqual(['page', 'page', 'page', 'page']);
  });

  test.describe('on the page’s clock', () => {
    test.use({ llmPace: 'clock' });

    test('a stall after the last chunk holds the end until the page’s clock has run it', async ({ page, llm, upstream }) => {
      await page.goto('/');
      const STALL = 3_600_000; // an hour: a wait in real time would never end within the test
      const started = () =>
        page.evaluate((url) => {
          const w = window as unknown as { __read: { reads: number; at: number[]; end?: number; error?: string } };
          w.__read = { reads: 0, at: [] };
          void (async () => {
            try {
              const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'in the page' }], stream: true }) });
              const reader = res.body!.getReader();
              for (;;) {
                const { done } = await reader.read();
                if (done) break;
                w.__read.reads++;
                w.__read.at.push(Date.now());
              }
              w.__read.end = Date.now(); // on the page's clock
            } catch (e) {
              w.__read.error = String(e);
            }
          })();
        }, `${upstream.url}/v1/chat/completions`);
      const state = () => page.evaluate(() => (window as unknown as { __read: { reads: number; at: number[]; end?: number; error?: string } }).__read);
      await started(); // recorded, in real time
      await expect.poll(async () => (await state()).end).toBeDefined();
      const [file] = fs.readdirSync(llm.dir);
      const stored = JSON.parse(fs.readFileSync(path.join(llm.dir, file), 'utf8')).response;
      const count = stored.body.length + (stored.terminator ? 1 : 0);

      await page.clock.install({ time: 0 });
      await page.clock.pauseAt(1000);
      await llm.fault('**/chat/completions', { stallAfter: count, ms: STALL }, { times: 1 });
      await started();
      await page.clock.runFor(60_000); // every chunk is due (recorded ms apart)
      await expect.poll(async () => (await state()).reads).toBe(count);
      await page.clock.runFor(STALL);
      await expect.poll(async () => (await state()).end).toBeDefined();
      const read = await state();
      expect(read.error).toBeUndefined();
      // Read on the page's clock: every chunk before the stall, the end not before the stall was over.
      expect(Math.max(...read.at)).toBeLessThanOrEqual(1000 + 60_000);
      expect(read.end).toBeGreaterThanOrEqual(1000 + STALL);
      expect(llm.calls.map((c) => [c.outcome, c.where])).toEqual([
        ['recorded', 'page'],
        ['replayed', 'page'],
      ]);
    });
  });
});
