// Replay of one big streamed recording (~51 MB on disk): the plugin's own working set (the recording
// found and ready to send), and the peak memory of replaying it in full through fetch, against a
// plain client streaming the same bytes from a local server. Each in a fresh process.
// Goal: the plugin's working set ≤ 1.5× the file; end to end ≤ 1.1× the plain client.
import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compare, ratio, SMOKE } from './lib.mjs';
import { tempDir } from './fixtures.mjs';
import { Session } from '../dist/core/session.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const EVENTS = SMOKE ? 2_000 : 76_000;
const root = tempDir('big');
const session = new Session({ root, mode: 'record', pace: 0, urls: [], ignore: [], redact: {}, test: { folder: 'big', title: 'big', location: '' } });
const request = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'a very long answer' }], stream: true });
const described = session.recordings.describe({ method: 'POST', url: 'https://bench.test/v1/chat/completions', headers: [], body: Buffer.from(request) });
const text = 'lorem ipsum dolor sit amet '.repeat(14);
const events = Array.from({ length: EVENTS }, (_, i) => ({
  data: { id: 'chatcmpl-big', object: 'chat.completion.chunk', created: 1767225600, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content: `${i} ${text}` }, logprobs: null, finish_reason: null }] },
  t: i / 10,
}));
const file = session.shelf.save({ request: described, response: { status: 200, headers: { 'content-type': 'text/event-stream' }, framing: 'sse', events, terminator: { data: '[DONE]', t: EVENTS / 10 } }, occurrence: 0, test: 'big' });
const size = fs.statSync(file).size;
console.log(`# the recording: ${(size / 1e6).toFixed(1)} MB, ${EVENTS} events`);

// The plain client's server, here: it writes the same bytes, one write per event.
const chunks = [...events.map((e) => Buffer.from(`data: ${JSON.stringify(e.data)}\n\n`)), Buffer.from('data: [DONE]\n\n')];
const server = http.createServer(async (req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const c of chunks) if (!res.write(c)) await new Promise((r) => res.once('drain', r));
  res.end();
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const local = `http://127.0.0.1:${server.address().port}/`;
const run = (kind) =>
  new Promise((resolve, reject) =>
    execFile(process.execPath, ['--expose-gc', path.join(here, 'big-child.mjs'), kind, root, 'big', request, local], { encoding: 'utf8' }, (err, out) => (err ? reject(err) : resolve(Number(out.trim()) / 1e6))),
  );
const medians = await compare('Replay of one big streamed recording: peak memory growth', 'MB', {
  'plugin: recording found and ready to send': () => run('lookup'),
  'plugin: replayed in full through fetch': () => run('plugin'),
  'plain client streaming it from a local server': () => run('plain'),
});
console.log(`ratio working set / file: ${(medians['plugin: recording found and ready to send'] / (size / 1e6)).toFixed(2)}× (goal ≤ 1.5)`);
ratio('replayed in full / plain client', medians['plugin: replayed in full through fetch'] / medians['plain client streaming it from a local server'], '≤ 1.1');
server.close();
