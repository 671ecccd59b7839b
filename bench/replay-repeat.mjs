// One identical request 300 times in one test: the n-th replays the n-th recording (or the last),
// so the cost per call must stay constant. Compared with the limit dispatcher, and the first 50
// calls with the last 50. Goal: ≥ 0.9× the limit, constant cost per call.
import { install } from '../dist/node/index.js';
import { compare, median, ratio, size } from './lib.mjs';
import { API, ChunkDispatcher, body, chatEvents, sseChunks, tempDir, under, writeRecordings } from './fixtures.mjs';

const N = size(300, 20);
// Ten recorded occurrences of the same question (.json … .10.json); calls past the tenth repeat the last.
const root = tempDir('repeat');
const options = writeRecordings(root, { count: 1 });
const { Session } = await import('../dist/core/session.js');
{
  const s = new Session({ root, mode: 'record', pace: 0, urls: [], ignore: [], redact: {}, test: { folder: 'bench', title: 'bench', location: '' } });
  const request = s.recordings.describe({ method: 'POST', url: API, headers: [], body: Buffer.from(body(0)) });
  const events = chatEvents(24);
  for (let n = 1; n < 10; n++) s.shelf.save({ request, response: { status: 200, headers: { 'content-type': 'text/event-stream' }, framing: 'sse', events: events.map((data, k) => ({ data, t: k })), terminator: { data: '[DONE]', t: 24 } }, occurrence: n, test: 'bench' });
}

async function readAll() {
  const res = await fetch(API, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(0) });
  const reader = res.body.getReader();
  let reads = 0;
  while (!(await reader.read()).done) reads++;
  if (reads !== 25) throw new Error(`expected 25 reads, got ${reads}`);
}

const limit = new ChunkDispatcher(sseChunks(chatEvents(24)));
const firstLast = [];
const medians = await compare(`Node replay of one identical request ×${N} in one test`, 'calls/s', {
  'minimal in-memory dispatcher (the limit)': under(limit, N, readAll),
  'playwright-llm-replay': async () => {
    const replay = install(options); // a fresh session: its occurrence counter starts at 0
    try {
      const took = [];
      const start = performance.now();
      for (let i = 0; i < N; i++) {
        const t = performance.now();
        await readAll();
        took.push(performance.now() - t);
      }
      const k = Math.max(1, Math.floor(N / 6));
      firstLast.push(median(took.slice(-k)) / median(took.slice(0, k)));
      return N / ((performance.now() - start) / 1000);
    } finally {
      replay.uninstall();
    }
  },
});
firstLast.sort((a, b) => a - b);
console.log(`time per call, last sixth / first sixth: median ${median(firstLast).toFixed(2)}× (constant cost: ≈ 1)`);
ratio('playwright-llm-replay / limit', medians['playwright-llm-replay'] / medians['minimal in-memory dispatcher (the limit)'], '≥ 0.9');
