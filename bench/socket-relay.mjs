// WebSockets (issue 19): a realtime-like conversation against a local `ws` server on 127.0.0.1 that
// answers each client frame (`response.create`) with 25 `response.output_text.delta` frames and a
// `response.done`, as OpenAI Realtime does.
//   1. Record mode, deltas paced (one every GAP_MS): the delay each server frame takes to reach the
//      client (the server stamps the frame with the time it sent it; client, relay and server share
//      this process's clock), the gap between frames as the client sees them, and the round trip of
//      a turn (client frame sent → `response.done` arrived): directly (undici's WebSocket; and the
//      `ws` client, the proxy's peer), through the Node transport recording (undici's WebSocket,
//      the plugin's dispatcher installed), and through the proxy recording (a `ws` client, the
//      proxy's shared session). Then the round trip of a turn whose frames come at once (the
//      relay's cost when frames queue behind each other), each the same four ways.
//   2. Replay throughput: a recorded conversation of TURNS turns replayed at pace 0 through the Node
//      transport, in server frames per second, against the same conversation live from the local
//      server sending each turn's frames at once.
// Goal: frames relayed live both ways, ≤ 1 ms added per frame.
import fs from 'node:fs';
import path from 'node:path';
import { WebSocket as UndiciWebSocket } from 'undici';
import WebSocket, { WebSocketServer } from 'ws';
import { install } from '../dist/node/index.js';
import { startProxy } from '../dist/proxy.js';
import { ROUNDS, compare, median, ratio, size } from './lib.mjs';
import { tempDir } from './fixtures.mjs';

const DELTAS = 25;
const GAP_MS = 2;
const LIVE_TURNS = size(10, 2);
const TURNS = size(100, 2);

/** The delay of each client frame to the server, when the client stamped it. */
const upward = [];
// The upstream: `model=bench-paced` sends a delta every GAP_MS, `model=bench-burst` a turn's frames at once.
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
wss.on('connection', (ws, req) => {
  const paced = new URL(req.url, 'http://x').searchParams.get('model') === 'bench-paced';
  let responses = 0;
  ws.send(JSON.stringify({ type: 'session.created', event_id: 'event_0', session: { id: 'sess_bench', object: 'realtime.session', model: 'bench' } }));
  ws.on('message', async (data) => {
    const sent = JSON.parse(data.toString()).sent;
    if (sent !== undefined) upward.push(performance.now() - sent);
    const response_id = `resp_${++responses}`;
    const frame = (k) => ({ type: 'response.output_text.delta', event_id: `event_${responses}_${k}`, response_id, item_id: `item_${responses}`, output_index: 0, content_index: 0, delta: ` word${k}` });
    for (let k = 0; k < DELTAS; k++) {
      if (paced) await new Promise((r) => setTimeout(r, GAP_MS));
      ws.send(JSON.stringify({ ...frame(k), sent: performance.now() }));
    }
    ws.send(JSON.stringify({ type: 'response.done', event_id: `event_${responses}_done`, response: { id: response_id, object: 'realtime.response', status: 'completed' }, sent: performance.now() }));
  });
});
await new Promise((r) => wss.once('listening', r));
const origin = `ws://127.0.0.1:${wss.address().port}`;
const realtime = (model) => `${origin}/v1/realtime?model=${model}`;
const llmUrls = [`${origin}/**`];

/** A client socket, open: `send(text)`, `close()`, and every message's text to `onText`. */
function undiciClient(url, onText) {
  const ws = new UndiciWebSocket(url);
  ws.addEventListener('message', (e) => onText(e.data));
  return new Promise((resolve, reject) => {
    ws.addEventListener('open', () => resolve({ send: (t) => ws.send(t), close: () => closed(ws, 'addEventListener') }));
    ws.addEventListener('error', () => reject(new Error(`${url}: the WebSocket did not open`)));
  });
}

function wsClient(url, onText) {
  const ws = new WebSocket(url);
  ws.on('message', (data) => onText(data.toString()));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ send: (t) => ws.send(t), close: () => closed(ws, 'once') }));
    ws.once('error', reject);
  });
}

/** Closes `ws` (1000) and resolves once the close handshake is over. */
function closed(ws, on) {
  const done = new Promise((r) => ws[on]('close', r));
  ws.close(1000, 'done');
  return done;
}

/**
 * One socket, `turns` turns: each sends a client frame and waits for `response.done`. Collects each
 * server frame's delay (arrival − the time the server stamped), the gaps between a turn's frames
 * and each turn's round trip into `into`. Resolves with the time to open the socket, and the time
 * of the turns (from the first client frame to the last `response.done`).
 */
async function converse(client, url, turns, into) {
  let lastAt = 0;
  let done = () => {};
  const start = performance.now();
  const socket = await client(url, (text) => {
    const now = performance.now();
    const msg = JSON.parse(text);
    if (msg.sent === undefined) return;
    if (into) {
      into.delays.push(now - msg.sent);
      if (msg.type === 'response.output_text.delta' && !msg.event_id.endsWith('_0')) into.gaps.push(now - lastAt);
    }
    lastAt = now;
    if (msg.type === 'response.done') done();
  });
  const opened = performance.now();
  for (let i = 0; i < turns; i++) {
    const answered = new Promise((r) => (done = r));
    const sentAt = performance.now();
    // Stamped only when measuring: a replayed conversation's client frames must be the recorded ones.
    socket.send(JSON.stringify({ type: 'response.create', response: { modalities: ['text'], instructions: `turn ${i}` }, ...(into && { sent: performance.now() }) }));
    await answered;
    into?.trips.push(performance.now() - sentAt);
  }
  const result = { openMs: opened - start, turnsMs: performance.now() - opened };
  await socket.close();
  return result;
}

// 1. Record mode: the same conversation directly, and recorded through each transport.
const live = { direct: 'direct, undici WebSocket', directWs: 'direct, ws client', node: 'recording via the Node transport', proxy: 'recording via the proxy' };
const dirs = [];
const dir = (name) => dirs[dirs.push(tempDir(name)) - 1];
const proxyDir = dir('socket-proxy');
const proxy = await startProxy({ port: 0, upstream: `http://127.0.0.1:${wss.address().port}`, llmDir: proxyDir, llmMode: 'record' });
const viaProxy = (model) => `${proxy.url.replace(/^http/, 'ws')}/v1/realtime?model=${model}`;

/** The four contenders of a record-mode measure: `measure(kind, client, url)` for each. */
const recordContenders = (model, measure) => ({
  [live.direct]: () => measure('direct', undiciClient, realtime(model)),
  [live.directWs]: () => measure('directWs', wsClient, realtime(model)),
  [live.node]: async () => {
    const replay = install({ llmDir: dir('socket-node'), llmMode: 'record', llmUrls });
    try {
      return await measure('node', undiciClient, realtime(model));
    } finally {
      await replay.settled();
      replay.uninstall();
      if (replay.errors.length || replay.calls.at(-1)?.outcome !== 'recorded') throw new Error(`not recorded: ${replay.errors.map((e) => e.message).join('; ') || replay.calls.at(-1)?.outcome}`);
    }
  },
  [live.proxy]: () => measure('proxy', wsClient, viaProxy(model)),
});

// 1a. Deltas paced: each frame's delay, as it arrives (nothing waits behind another frame).
const seen = Object.fromEntries(Object.keys(live).map((k) => [k, { delays: [], gaps: [], trips: [], up: [] }]));
const delays = await compare(`Record mode: the delay of each server frame to the client, ${LIVE_TURNS} turns of ${DELTAS} deltas (one every ${GAP_MS} ms) + response.done`, 'ms', recordContenders('bench-paced', async (kind, client, url) => {
  const into = { delays: [], gaps: [], trips: [], up: [] };
  upward.length = 0;
  await converse(client, url, LIVE_TURNS, into);
  into.up.push(...upward);
  for (const k of Object.keys(into)) seen[kind][k].push(...into[k]);
  return median(into.delays); // this round's
}));
const fmt = (x) => x.toFixed(2);
const signed = (x) => `${x < 0 ? '−' : '+'}${fmt(Math.abs(x))}`;
for (const [kind, name] of Object.entries(live)) {
  const s = seen[kind];
  console.log(`${name.padEnd(44)} all frames: delay median ${fmt(median(s.delays))} ms (p90 ${fmt(s.delays.sort((a, b) => a - b)[Math.floor(s.delays.length * 0.9)])}), gap ${fmt(median(s.gaps))} ms, client frame's delay ${fmt(median(s.up))} ms, round trip ${fmt(median(s.trips))} ms`);
}
// Each against its own client directly: the Node transport's undici WebSocket, the proxy's `ws` client.
const against = { node: 'direct', proxy: 'directWs' };
const added = Object.fromEntries(Object.entries(against).map(([k, d]) => [k, delays[live[k]] - delays[live[d]]]));
for (const [k, d] of Object.entries(against)) {
  const by = (x) => median(seen[k][x]) - median(seen[d][x]);
  console.log(`added, ${live[k]}: server → client ${signed(added[k])} ms per frame, client → server ${signed(by('up'))} ms per frame, round trip of a turn ${signed(by('trips'))} ms`);
}
console.log();

// 1b. A turn's frames at once: the relay's cost when frames queue behind each other.
const trips = await compare(`Record mode: the round trip of a turn whose ${DELTAS + 1} frames come at once, ${TURNS} turns`, 'ms', recordContenders('bench-burst', async (_kind, client, url) => {
  const into = { delays: [], gaps: [], trips: [] };
  await converse(client, url, TURNS, into);
  return median(into.trips);
}));
for (const [k, d] of Object.entries(against)) console.log(`added, ${live[k]}: ${signed(trips[live[k]] - trips[live[d]])} ms per turn, ${signed((trips[live[k]] - trips[live[d]]) / (DELTAS + 1))} ms per frame`);
await proxy.close();
const shared = path.join(proxyDir, '_shared');
const proxied = fs.existsSync(shared) ? fs.readdirSync(shared).length : 0;
if (proxied !== 2 * ROUNDS) throw new Error(`the proxy recorded ${proxied} sockets, not ${2 * ROUNDS}`);
console.log();

// 2. Replay throughput at pace 0 against the live server sending at once.
const replayDir = dir('socket-replay');
{
  const recorder = install({ llmDir: replayDir, llmMode: 'record', llmUrls });
  await converse(undiciClient, realtime('bench-burst'), TURNS);
  await recorder.settled();
  recorder.uninstall();
  if (recorder.calls[0]?.outcome !== 'recorded') throw new Error(`the conversation was not recorded: ${recorder.errors.map((e) => e.message).join('; ')}`);
}
const opens = { live: [], replay: [] };
/** Server frames per second over the turns; the time to open the socket kept apart. */
const perSecond = (kind, { openMs, turnsMs }) => (opens[kind].push(openMs), (TURNS * (DELTAS + 1)) / (turnsMs / 1000));
const rates = await compare(`Replay throughput: one socket, ${TURNS} turns of ${DELTAS + 1} server frames each (opening the socket not included)`, 'frames/s', {
  'live from the local server (undici WebSocket)': async () => perSecond('live', await converse(undiciClient, realtime('bench-burst'), TURNS)),
  'playwright-llm-replay, replay at pace 0': async () => {
    const replay = install({ llmDir: replayDir, llmMode: 'replay', llmPace: 0, llmUrls });
    try {
      return perSecond('replay', await converse(undiciClient, realtime('bench-burst'), TURNS));
    } finally {
      await replay.settled();
      replay.uninstall();
      if (replay.errors.length || replay.calls[0]?.outcome !== 'replayed') throw new Error(`not replayed: ${replay.errors.map((e) => e.message).join('; ')}`);
    }
  },
});
const replayRatio = rates['playwright-llm-replay, replay at pace 0'] / rates['live from the local server (undici WebSocket)'];
console.log(`time to open the socket: live ${fmt(median(opens.live))} ms, replay ${fmt(median(opens.replay))} ms (its ${TURNS * (DELTAS + 1) + 1 + TURNS}-frame recording read and matched); replay / live ${replayRatio.toFixed(2)}×`);
wss.close();
for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
ratio(`recording via Node / direct, delay per frame (${signed(added.node)} ms per frame; proxy ${signed(added.proxy)} ms)`, delays[live.node] / delays[live.direct], '≤ +1 ms per frame');
