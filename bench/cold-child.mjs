// One cold start, in a fresh process: from before the replay is set up to the end of the first
// replayed answer. Prints the milliseconds. Run by cold-start.mjs.
import { API, body } from './fixtures.mjs';

const [kind, root, folder, question] = process.argv.slice(2);
const { install } = await import('../dist/node/index.js');
const { MockAgent, setGlobalDispatcher } = await import('undici');
const { sseChunks, chatEvents } = await import('./lib.mjs');

const start = performance.now();
if (kind === 'mockagent') {
  const agent = new MockAgent();
  agent.disableNetConnect();
  agent.get('https://bench.test').intercept({ path: '/v1/chat/completions', method: 'POST' }).reply(200, Buffer.concat(sseChunks(chatEvents(24))), { headers: { 'content-type': 'text/event-stream' } });
  setGlobalDispatcher(agent);
} else {
  install({ llmDir: root, llmMode: 'replay', llmUrls: ['https://bench.test/**'], folder });
}
const res = await fetch(API, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(Number(question)) });
const text = await res.text();
if (!text.endsWith('data: [DONE]\n\n')) throw new Error(`not the answer: ${text.slice(0, 200)}`);
console.log(String(performance.now() - start));
