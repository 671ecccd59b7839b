// Two builds of the plugin in one process, both against the limit, alternating round by round: for
// telling a change from this machine's noise (whole-bench runs swing by ±0.1 from run to run; this
// A/B of a build against a copy of itself gave 0.97× and 1.04×). Not a goal of its own, so not in
// `npm run bench`.
//
//   git worktree add /tmp/base main && (cd /tmp/base && ln -s "$PWD/node_modules" . && npm run build)
//   BENCH_ROUNDS=11 node --expose-gc bench/ab.mjs /tmp/base fetch     # or openai, repeat, json
//
// fetch: 2,000 streamed completions, each its own recording; openai: the same through the SDK, 500;
// repeat: one identical streamed request ×2,000; json: one identical JSON completion ×2,000, against
// MockAgent. The last line is this build's rate over the base build's.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import OpenAI from 'openai';
import { MockAgent } from 'undici';
import { compare, rate, ratio, size } from './lib.mjs';
import { API, ChunkDispatcher, body, chatEvents, sseChunks, tempDir, under, writeRecordings } from './fixtures.mjs';
import { install as installThis } from '../dist/node/index.js';

const KINDS = ['fetch', 'openai', 'repeat', 'json'];
const [base, kind = 'fetch'] = process.argv.slice(2);
if (!base || !KINDS.includes(kind)) {
  console.error(`usage: node --expose-gc bench/ab.mjs <a checkout with a built dist/> [${KINDS.join('|')}]`);
  process.exit(2);
}
const { install: installBase } = await import(pathToFileURL(path.resolve(base, 'dist/node/index.js')).href);

const N = size(kind === 'openai' ? 500 : 2000);
const json = kind === 'json';
const options = writeRecordings(tempDir(`ab-${kind}`), json ? { count: 1, streamed: false, bodyOf: (i) => body(i, { stream: false }) } : { count: kind === 'repeat' ? 1 : N });
const client = new OpenAI({ apiKey: 'sk-bench', baseURL: 'https://bench.test/v1', maxRetries: 0 });

async function ask(i) {
  if (kind === 'openai') {
    let chunks = 0;
    for await (const _ of await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `question ${i}` }], stream: true })) chunks++;
    if (chunks !== 24) throw new Error(`expected 24 chunks, got ${chunks}`);
    return;
  }
  const res = await fetch(API, { method: 'POST', headers: { 'content-type': 'application/json' }, body: json ? body(0, { stream: false }) : body(kind === 'repeat' ? 0 : i) });
  if (json) {
    if (!(await res.json()).choices) throw new Error('not the completion');
    return;
  }
  const reader = res.body.getReader();
  let reads = 0;
  while (!(await reader.read()).done) reads++;
  if (reads !== 25) throw new Error(`expected 25 reads, got ${reads}`);
}

let limit = new ChunkDispatcher(sseChunks(chatEvents(24)));
if (json) {
  // The recorded answer's body, as MockAgent's reply.
  const { Session } = await import('../dist/core/session.js');
  const s = new Session({ root: options.llmDir, mode: 'replay', pace: 0, urls: [], ignore: [], redact: {}, test: { folder: options.folder, title: options.folder, location: '' } });
  const found = s.shelf.decide(s.recordings.describe({ method: 'POST', url: API, headers: [['content-type', 'application/json']], body: Buffer.from(body(0, { stream: false })) }));
  limit = new MockAgent();
  limit.disableNetConnect();
  limit.get('https://bench.test').intercept({ path: '/v1/chat/completions', method: 'POST' }).reply(200, JSON.stringify(found.found.interaction.response.body), { headers: { 'content-type': 'application/json' } }).persist();
}

const replaying = (install) => async () => {
  const replay = install(options);
  try {
    return await rate(N, ask);
  } finally {
    replay.uninstall();
  }
};
const here = fileURLToPath(new URL('..', import.meta.url));
const medians = await compare(`A/B ${kind}: this build (${here}) against ${path.resolve(base)}`, 'calls/s', {
  limit: under(limit, N, ask),
  'this build': replaying(installThis),
  'base build': replaying(installBase),
});
console.log(`this build / limit: ${(medians['this build'] / medians.limit).toFixed(2)}×   base build / limit: ${(medians['base build'] / medians.limit).toFixed(2)}×`);
ratio('this build / base build', medians['this build'] / medians['base build'], 'a change above the noise: ≥ 1.05 or ≤ 0.95');
