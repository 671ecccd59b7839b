// Node replay through the official openai SDK: 500 streamed chat completions (25 chunks each),
// each its own recording. The limit: the same minimal in-memory dispatcher under the same SDK. The
// peer: msw 2 serving the same chunks, one per pull. Goals: ≥ 0.9× the limit, ≥ 1.5× msw.
import OpenAI from 'openai';
import { compare, ratio, size } from './lib.mjs';
import { API, ChunkDispatcher, chatEvents, replaying, sseChunks, tempDir, under, writeRecordings } from './fixtures.mjs';
import { mocking, streaming } from './msw.mjs';

const N = size(500);
const options = writeRecordings(tempDir('openai'), { count: N });
const newClient = () => new OpenAI({ apiKey: 'sk-bench', baseURL: 'https://bench.test/v1', maxRetries: 0 });
const client = newClient();

const asking = (client) => async (i) => {
  const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `question ${i}` }], stream: true });
  let chunks = 0;
  for await (const _ of stream) chunks++;
  if (chunks !== 24) throw new Error(`expected 24 chunks, got ${chunks}`);
};
const ask = asking(client);

const chunks = sseChunks(chatEvents(24));
const limit = new ChunkDispatcher(chunks);
const MSW = 'msw 2 (setupServer, one chunk per pull)';
const medians = await compare(`Node replay via the openai SDK: ${N} streamed completions, 25 chunks each`, 'calls/s', {
  'minimal in-memory dispatcher (the limit)': under(limit, N, ask),
  // The SDK keeps the fetch it finds when built: under msw, a client built once msw listens.
  [MSW]: mocking(streaming(API, chunks), N, () => asking(newClient())),
  'playwright-llm-replay': replaying(options, N, ask),
});
console.log(`ratio playwright-llm-replay / msw: ${(medians['playwright-llm-replay'] / medians[MSW]).toFixed(2)}× (goal ≥ 1.5)`);
ratio('playwright-llm-replay / limit', medians['playwright-llm-replay'] / medians['minimal in-memory dispatcher (the limit)'], '≥ 0.9');
