// Node replay through global fetch: 2,000 streamed chat completions (25 chunks each), each its own
// recording, read fully, one read per chunk. The limit: a minimal in-memory dispatcher delivering
// the same 25 chunks one per read. The peer: msw 2 serving the same chunks, one per pull.
// Goals: ≥ 0.9× the limit, ≥ 1.5× msw.
import { compare, ratio, size } from './lib.mjs';
import { API, ChunkDispatcher, body, chatEvents, replaying, sseChunks, tempDir, under, writeRecordings } from './fixtures.mjs';
import { mocking, streaming } from './msw.mjs';

const N = size(2000);
const options = writeRecordings(tempDir('fetch'), { count: N });

async function readAll(i) {
  const res = await fetch(API, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(i) });
  const reader = res.body.getReader();
  let reads = 0;
  while (!(await reader.read()).done) reads++;
  if (reads !== 25) throw new Error(`expected 25 reads, got ${reads}`);
}

const chunks = sseChunks(chatEvents(24));
const limit = new ChunkDispatcher(chunks);
const MSW = 'msw 2 (setupServer, one chunk per pull)';
const medians = await compare(`Node replay via fetch: ${N} streamed completions, 25 chunks each, each its own recording`, 'calls/s', {
  'minimal in-memory dispatcher (the limit)': under(limit, N, readAll),
  [MSW]: mocking(streaming(API, chunks), N, () => readAll),
  'playwright-llm-replay': replaying(options, N, readAll),
});
console.log(`ratio playwright-llm-replay / msw: ${(medians['playwright-llm-replay'] / medians[MSW]).toFixed(2)}× (goal ≥ 1.5)`);
ratio('playwright-llm-replay / limit', medians['playwright-llm-replay'] / medians['minimal in-memory dispatcher (the limit)'], '≥ 0.9');
