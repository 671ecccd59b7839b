// Record mode: time to the first byte of a streamed answer whose chunks come every 20 ms, through
// the plugin (recording it) against the same call made directly; and whether the chunks are
// passed on as they arrive (the gap the caller sees between chunks).
// Goal: ≤ 1 ms more to the first byte; chunks passed on as they arrive.
import http from 'node:http';
import { install } from '../dist/node/index.js';
import { compare, median, ratio, size } from './lib.mjs';
import { chatEvents, sseChunks, tempDir } from './fixtures.mjs';

const N = size(30, 3);
const chunks = sseChunks(chatEvents(10));
const server = http.createServer(async (req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.flushHeaders();
  for (const c of chunks) {
    res.write(c);
    await new Promise((r) => setTimeout(r, 20));
  }
  res.end();
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/v1/chat/completions`;
const gaps = { direct: [], recording: [] };

/** Median time to the first chunk over N calls (each a new question); collects the gaps between chunks. */
async function firstByte(kind) {
  const times = [];
  for (let i = 0; i < N; i++) {
    const start = performance.now();
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: `q${i}-${Math.random()}` }], stream: true }) });
    const reader = res.body.getReader();
    await reader.read();
    times.push(performance.now() - start);
    let last = performance.now();
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
      gaps[kind].push(performance.now() - last);
      last = performance.now();
    }
  }
  return median(times);
}

const medians = await compare(`Record mode: time to the first chunk (chunks every 20 ms), ${N} calls`, 'ms', {
  direct: () => firstByte('direct'),
  'playwright-llm-replay, recording': async () => {
    const replay = install({ llmDir: tempDir('ttfb'), llmMode: 'record', llmUrls: [`${url}`] });
    try {
      return await firstByte('recording');
    } finally {
      await replay.settled();
      replay.uninstall();
    }
  },
});
server.close();
console.log(`gap between chunks as the caller sees them: direct ${median(gaps.direct).toFixed(1)} ms, recording ${median(gaps.recording).toFixed(1)} ms (as they arrive: ≈ 20)`);
ratio(`recording / direct (+${(medians['playwright-llm-replay, recording'] - medians.direct).toFixed(2)} ms to the first byte)`, medians['playwright-llm-replay, recording'] / medians.direct, '≤ +1 ms');
