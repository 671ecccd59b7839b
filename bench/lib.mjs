// What every benchmark shares: contenders measured in the same run, alternating, over several
// rounds; the median and spread of each; the ratio as the last line. BENCH_SMOKE=1 makes every
// script tiny (npm test runs them that way, to keep them working, never to time anything).
import os from 'node:os';

export const SMOKE = process.env.BENCH_SMOKE === '1';
export const ROUNDS = SMOKE ? 1 : Number(process.env.BENCH_ROUNDS ?? 5);

/** `n` in a real run, a small number in a smoke run. */
export const size = (n, smoke = Math.min(n, 5)) => (SMOKE ? smoke : n);

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const fmt = (x) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2));

/**
 * Runs each contender once per round, in alternating order, and prints each one's median and
 * spread (min–max). `contenders` maps a name to an async function returning the measured value.
 * Returns the medians by name.
 */
export async function compare(title, unit, contenders) {
  const names = Object.keys(contenders);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  console.log(`# ${title}`);
  console.log(`# ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${ROUNDS} round(s), contenders alternating`);
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? [...names].reverse() : names;
    for (const name of order) {
      globalThis.gc?.(); // each contender starts from a collected heap (run with --expose-gc)
      samples[name].push(await contenders[name]());
    }
  }
  const medians = {};
  for (const name of names) {
    medians[name] = median(samples[name]);
    console.log(`${name.padEnd(44)} median ${fmt(medians[name]).padStart(9)} ${unit}   spread ${fmt(Math.min(...samples[name]))}–${fmt(Math.max(...samples[name]))}`);
  }
  return medians;
}

/** The last line of every benchmark: a ratio against the named peer, with the goal. */
export function ratio(label, value, goal) {
  console.log(`ratio ${label}: ${value.toFixed(2)}× (goal ${goal})`);
}

/** Calls per second for `n` calls of `fn` run one after another. */
export async function rate(n, fn) {
  const start = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  return n / ((performance.now() - start) / 1000);
}

/** A streamed chat completion as an OpenAI-compatible API sends it: `count` events, then [DONE]. */
export function chatEvents(count, id = 'chatcmpl-bench') {
  const events = [];
  for (let i = 0; i < count; i++) {
    const delta = i === 0 ? { role: 'assistant', content: '' } : { content: ` word${i}` };
    events.push({ id, object: 'chat.completion.chunk', created: 1767225600, model: 'gpt-4o-mini', choices: [{ index: 0, delta, logprobs: null, finish_reason: i === count - 1 ? 'stop' : null }] });
  }
  return events;
}

/** The SSE bytes of those events, one Buffer per event, the last one `data: [DONE]`. */
export function sseChunks(events) {
  return [...events.map((e) => Buffer.from(`data: ${JSON.stringify(e)}\n\n`)), Buffer.from('data: [DONE]\n\n')];
}
