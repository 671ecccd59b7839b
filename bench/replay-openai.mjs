// Node replay through the official openai SDK: 500 streamed chat completions (25 chunks each),
// each its own recording. The limit: the same minimal in-memory dispatcher under the same SDK.
// Goal: ≥ 0.9× the limit.
import OpenAI from 'openai';
import { compare, ratio, size } from './lib.mjs';
import { ChunkDispatcher, chatEvents, replaying, sseChunks, tempDir, under, writeRecordings } from './fixtures.mjs';

const N = size(500);
const options = writeRecordings(tempDir('openai'), { count: N });
const client = new OpenAI({ apiKey: 'sk-bench', baseURL: 'https://bench.test/v1', maxRetries: 0 });

async function ask(i) {
  const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `question ${i}` }], stream: true });
  let chunks = 0;
  for await (const _ of stream) chunks++;
  if (chunks !== 24) throw new Error(`expected 24 chunks, got ${chunks}`);
}

const limit = new ChunkDispatcher(sseChunks(chatEvents(24)));
const medians = await compare(`Node replay via the openai SDK: ${N} streamed completions, 25 chunks each`, 'calls/s', {
  'minimal in-memory dispatcher (the limit)': under(limit, N, ask),
  'playwright-llm-replay': replaying(options, N, ask),
});
ratio('playwright-llm-replay / limit', medians['playwright-llm-replay'] / medians['minimal in-memory dispatcher (the limit)'], '≥ 0.9');
