// Virtual time in Node: at llmPace 'clock', a replay in the test worker waits on `llm.clock`, which
// the test moves — chunk by chunk, with no real waiting — faults' delays included.
import fs from 'node:fs';
import path from 'node:path';
import { test as base, expect } from 'playwright-llm-replay';
import OpenAI from 'openai';
import { upstreamFixture, type Upstream } from '../support/upstream.js';
import { freshLlmDir, workerLlmDir } from '../support/llm-dir.js';

const test = base.extend<{ fresh: void; upstream: Upstream; openai: OpenAI }, object>({
  llmDir: workerLlmDir('llm-clock'),
  fresh: freshLlmDir,
  llmUrls: [['http://127.0.0.1:*/v1/**'], { scope: 'worker' }],
  upstream: upstreamFixture({ tokenDelay: 40, deterministic: true }),
  openai: async ({ upstream }, use) => use(new OpenAI({ apiKey: 'sk-clock', baseURL: `${upstream.url}/v1`, maxRetries: 0 })),
});
test.use({ llmMode: 'record-missing', llmPace: 'clock' });

/**
 * Starts a streamed answer and collects its chunks as they come. `head`: the response's head has
 * arrived — an answer's recorded times count from there, so a test moves the clock after it.
 */
function reading(openai: OpenAI) {
  const chunks: string[] = [];
  const stream = openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'one two three' }], stream: true });
  const done = (async () => {
    for await (const c of await stream) chunks.push(c.choices[0]?.delta?.content ?? '');
  })();
  return { chunks, done, head: stream };
}

test('a replay in the worker steps with llm.clock: each chunk when its recorded time has come', async ({ llm, openai }) => {
  await reading(openai).done; // recorded, in real time: no clock needed
  const [file] = fs.readdirSync(llm.dir);
  const events: { t: number }[] = JSON.parse(fs.readFileSync(path.join(llm.dir, file), 'utf8')).response.body;
  const times = events.map((e) => e.t);
  const yielded = (i: number) => i + 1; // the SDK yields one chunk per event
  expect(times.at(-1)! - times[0]).toBeGreaterThan(100); // 40 ms a token

  await llm.clock.install({ time: 0 });
  await llm.clock.pauseAt(1000);
  const read = reading(openai);
  await read.head;
  // When each chunk is due, on the clock: its recorded gap after the one before.
  const due: number[] = [];
  let last = 0;
  for (const t of times) {
    due.push((due.at(-1) ?? 0) + Math.max(0, t - last));
    last = Math.max(last, t);
  }
  let now = 0;
  for (let i = 0; i < due.length; i++) {
    if (due[i] - now > 2) {
      await llm.clock.runFor(due[i] - now - 2); // just before: not yet
      now = due[i] - 2;
      await new Promise((r) => setTimeout(r, 20));
      expect(read.chunks, `just before event ${i + 1}`).toHaveLength(yielded(i - 1));
    }
    await llm.clock.runFor(Math.max(0, due[i] + 1 - now));
    now = Math.max(now, due[i] + 1);
    await expect.poll(() => read.chunks.length, `event ${i + 1}`).toBe(yielded(i));
  }
  await llm.clock.runFor(1000); // the stream's end (`[DONE]`, kept as the file's terminator)
  await read.done;
  expect(read.chunks.join('')).toBe('Echo: one two three');
  expect(llm.calls.map((c) => c.outcome)).toEqual(['recorded', 'replayed']);
});

test('a fault’s delays are on the clock too: "still thinking" is a runFor away, not seconds', async ({ llm, openai }) => {
  await reading(openai).done;
  await llm.clock.install({ time: 0 });
  await llm.clock.pauseAt(1000);
  await llm.fault('**/chat/completions', { firstChunkDelay: 30_000 }, { times: 1 });
  const read = reading(openai);
  await read.head;
  await llm.clock.runFor(29_000);
  await new Promise((r) => setTimeout(r, 50));
  expect(read.chunks).toHaveLength(0);
  await llm.clock.runFor(1_100); // the delay, and the first chunk's own recorded time
  await expect.poll(() => read.chunks.length).toBeGreaterThan(0);
  await llm.clock.runFor(10_000); // the rest of the answer
  await read.done;
  expect(read.chunks.join('')).toBe('Echo: one two three');
});

test('a call being recorded runs in real time, even on a paused clock; a replay waits for it', async ({ llm, openai }) => {
  await llm.clock.install({ time: 0 });
  await llm.clock.pauseAt(1000);
  await llm.fault('**/chat/completions', { firstChunkDelay: 200 }, { times: 1 });
  await reading(openai).done; // recorded (with its fault) without the clock moving
  const read = reading(openai);
  await read.head;
  await new Promise((r) => setTimeout(r, 100));
  expect(read.chunks).toHaveLength(0); // replayed: on the clock
  await llm.clock.runFor(10_000);
  await read.done;
  expect(llm.calls.map((c) => c.outcome)).toEqual(['recorded', 'replayed']);
});

test('pauseAt installs the clock, as on the page; a stall after the last chunk holds the end', async ({ llm, openai }) => {
  await reading(openai).done; // recorded
  await llm.clock.pauseAt(1000); // no install(): Playwright's clock installs itself here too
  const [file] = fs.readdirSync(llm.dir);
  const count = JSON.parse(fs.readFileSync(path.join(llm.dir, file), 'utf8')).response.body.length;
  await llm.fault('**/chat/completions', { stallAfter: count, ms: 5_000 }, { times: 1 });
  const read = reading(openai);
  await read.head;
  let done = false;
  void read.done.then(() => (done = true));
  await llm.clock.runFor(4_000); // every chunk is due (~40 ms apart), the stall is not over
  await expect.poll(() => read.chunks.join('')).toBe('Echo: one two three');
  await new Promise((r) => setTimeout(r, 50));
  expect(done).toBe(false);
  await llm.clock.runFor(2_000);
  await read.done;
});
