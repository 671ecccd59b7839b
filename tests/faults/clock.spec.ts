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
 * Starts a streamed answer and collects its chunks as they come, each with the time on `clock` when
 * it was read (and the end's). `head`: the response's head has arrived — an answer's recorded times
 * count from there, so a test moves the clock after it.
 */
function reading(openai: OpenAI, clock: { now(): number }) {
  const chunks: string[] = [];
  const at: number[] = [];
  let end: number | undefined;
  const stream = openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'one two three' }], stream: true });
  const done = (async () => {
    for await (const c of await stream) {
      chunks.push(c.choices[0]?.delta?.content ?? '');
      at.push(clock.now());
    }
    end = clock.now();
  })();
  return { chunks, at, done, head: stream, end: () => end };
}

/**
 * Sets the recorded time of each event of the one recording there is (the stream's end goes with
 * the last), and returns how many events it has. Times far apart make a replay that waits in real
 * time instead of on the clock one that never ends within the test.
 */
function setTimes(dir: string, time: (i: number) => number): number {
  const [file] = fs.readdirSync(dir);
  const x = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  const events: { t: number }[] = x.response.body;
  events.forEach((e, i) => (e.t = time(i)));
  if (x.response.terminator) x.response.terminator.t = time(events.length - 1);
  fs.writeFileSync(path.join(dir, file), JSON.stringify(x, null, 2));
  return events.length;
}

const HOUR = 3_600_000;

// Each chunk's wait to the ms (not one ms early) is checked on the memory transport, whose clock
// takes no real time to settle (tests/conformance/cases.ts). Here: the worker's replays follow
// llm.clock — each chunk read at the clock's time the test moved it to, and only then.

test('a replay in the worker steps with llm.clock: each chunk when its recorded time has come', async ({ llm, openai }) => {
  await reading(openai, llm.clock).done; // recorded, in real time: no clock needed
  const count = setTimes(llm.dir, (i) => i * 60_000); // a minute apart
  await llm.clock.install({ time: 0 });
  await llm.clock.pauseAt(1000);
  const read = reading(openai, llm.clock);
  await read.head;
  for (let i = 0; i < count; i++) {
    if (i) await llm.clock.runFor(60_000);
    // The clock moves on only once this chunk has come: none comes before its time, or after it.
    await expect.poll(() => read.chunks.length, `event ${i + 1}`).toBe(i + 1); // the SDK yields one chunk per event
    expect(read.at[i], `event ${i + 1}`).toBe(1000 + i * 60_000);
  }
  await read.done; // the stream's end (`[DONE]`, kept as the file's terminator) is due with the last
  expect(read.chunks.join('')).toBe('Echo: one two three');
  expect(llm.calls.map((c) => c.outcome)).toEqual(['recorded', 'replayed']);
});

test('a fault’s delays are on the clock too: "still thinking" is a runFor away, not an hour', async ({ llm, openai }) => {
  await reading(openai, llm.clock).done;
  setTimes(llm.dir, () => 0);
  await llm.clock.install({ time: 0 });
  await llm.clock.pauseAt(1000);
  await llm.fault('**/chat/completions', { firstChunkDelay: HOUR }, { times: 1 });
  const read = reading(openai, llm.clock);
  await read.head;
  await llm.clock.runFor(HOUR);
  await read.done;
  expect(read.chunks.join('')).toBe('Echo: one two three');
  expect(read.at).toEqual(read.chunks.map(() => 1000 + HOUR)); // none before the hour was up
});

test('a call being recorded runs in real time, even on a paused clock; a replay waits for it', async ({ llm, openai }) => {
  await llm.clock.install({ time: 0 });
  await llm.clock.pauseAt(1000);
  await llm.fault('**/chat/completions', { firstChunkDelay: 200 }, { times: 1 });
  const recorded = reading(openai, llm.clock);
  await recorded.done; // recorded (with its fault) without the clock moving
  expect(recorded.end()).toBe(1000);
  setTimes(llm.dir, () => HOUR);
  const read = reading(openai, llm.clock);
  await read.head;
  await llm.clock.runFor(HOUR);
  await read.done;
  expect(read.at).toEqual(read.chunks.map(() => 1000 + HOUR)); // replayed: on the clock
  expect(llm.calls.map((c) => c.outcome)).toEqual(['recorded', 'replayed']);
});

test('pauseAt installs the clock, as on the page; a stall after the last chunk holds the end', async ({ llm, openai }) => {
  await reading(openai, llm.clock).done; // recorded
  await llm.clock.pauseAt(1000); // no install(): Playwright's clock installs itself here too
  const count = setTimes(llm.dir, (i) => i * 40);
  await llm.fault('**/chat/completions', { stallAfter: count, ms: HOUR }, { times: 1 });
  const clockAt = llm.clock.now();
  const read = reading(openai, llm.clock);
  await read.head;
  await llm.clock.runFor(4_000); // every chunk is due, the stall is not over
  await expect.poll(() => read.chunks.join('')).toBe('Echo: one two three');
  await llm.clock.runFor(HOUR);
  await read.done;
  // The end came once the clock had run the stall, not with the last chunk.
  expect(read.end()).toBe(clockAt + 4_000 + HOUR);
});
