// One replay of a big streamed recording in a fresh process, or the same bytes streamed by a
// local server to a plain client: prints the peak growth of the process's memory (RSS), in bytes.
// Run by big.mjs.

const [kind, root, folder, request] = process.argv.slice(2);
const { install } = await import('../dist/node/index.js');
const { Session } = await import('../dist/core/session.js');
const { answerOf } = await import('../dist/core/replay.js');
const API = 'https://bench.test/v1/chat/completions';

globalThis.gc?.();
const base = process.memoryUsage().rss;
let peak = base;
const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);

async function readAll(url) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: request });
  const reader = res.body.getReader();
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  return bytes;
}

if (kind === 'lookup') {
  // The plugin's own working set: the recording found and ready to send, nothing sent yet.
  const session = new Session({ root, mode: 'replay', pace: 0, urls: ['https://bench.test/**'], ignore: [], redact: {}, test: { folder, title: folder, location: '' } });
  const decision = session.shelf.decide(session.recordings.describe({ method: 'POST', url: API, headers: [], body: Buffer.from(request) }));
  if (decision.kind !== 'replay') throw new Error('no recording found');
  const answer = answerOf(decision.found.interaction);
  peak = Math.max(peak, process.memoryUsage().rss);
  if (!answer) throw new Error('no answer');
} else if (kind === 'plugin') {
  install({ llmDir: root, llmMode: 'replay', llmUrls: ['https://bench.test/**'], folder });
  await readAll(API);
} else {
  // A plain client streaming the same bytes from a local server (in the parent process).
  await readAll(process.argv[6]);
}
clearInterval(sample);
console.log(String(peak - base));
