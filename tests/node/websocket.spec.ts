// WebSockets through the Node transport (issue 19): undici's WebSocket in the worker, and Node's own
// global WebSocket (Node 22; behind --experimental-websocket on Node 20) with the openai SDK's
// OpenAIRealtimeWebSocket on it, in a process of its own. Recorded from the stand-in's Realtime API,
// replayed with no connection; what the handshake carries (headers, subprotocols with keys) reaches
// the server but not the disk; binary frames and the server's own close codes survive both ways; an
// upstream that refuses, passthrough, a socket to a URL that is not an LLM's, and the realtime APIs'
// URLs with no llmUrls behave as they should.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { test, expect } from '@playwright/test';
import fg from 'fast-glob';
import { WebSocket } from 'undici';
import { WebSocketServer } from 'ws';
import { install, type InstallOptions } from '../../src/node/index.js';
import { startUpstream, type Upstream } from '../support/upstream.js';
import { fromRoot } from '../support/paths.js';

test.describe.configure({ mode: 'parallel' });

type Json = Record<string, any>;

let upstream: Upstream;
let llmDir: string;
test.beforeEach(async ({}, testInfo) => {
  upstream = await startUpstream({ tokenDelay: 1 });
  llmDir = testInfo.outputPath('llm');
});
test.afterEach(async () => upstream.close());

const recordings = () => fg.sync('**/*.json', { cwd: llmDir, absolute: true });
const wsUrl = (base: string, path: string) => base.replace(/^http/, 'ws') + path;

/** Runs `fn` with the Node transport installed, then uninstalls it. */
async function withReplay<T>(options: InstallOptions, fn: (llm: ReturnType<typeof install>) => Promise<T>): Promise<T> {
  const llm = install({ llmDir, llmUrls: [wsUrl(upstream.url, '/v1/**')], folder: 'node/socket', ...options });
  try {
    return await fn(llm);
  } finally {
    llm.uninstall();
  }
}

/** undici's WebSocket: what it received (text parsed, binary as bytes) and how it closed. */
function open(url: string, init: { protocols?: string[]; headers?: Record<string, string> } = {}) {
  const ws = new WebSocket(url, init);
  ws.binaryType = 'arraybuffer';
  const received: (Json | Buffer)[] = [];
  let wake = () => {};
  ws.addEventListener('message', (e) => {
    received.push(typeof e.data === 'string' ? JSON.parse(e.data) : Buffer.from(e.data as ArrayBuffer));
    wake();
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve());
    ws.addEventListener('close', (e) => reject(new Error(`closed before opening: ${e.code} ${e.reason}`)));
  });
  // Only an error for a test that waits for it to open.
  opened.catch(() => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.addEventListener('close', (e) => resolve({ code: e.code, reason: e.reason })));
  /** Resolves once a received frame matches. */
  const next = async (match: (x: Json | Buffer) => boolean) => {
    while (!received.some(match)) await new Promise<void>((r) => (wake = r));
  };
  return { ws, received, opened, closed, next, send: (e: Json) => ws.send(JSON.stringify(e)) };
}

const isType = (type: string) => (x: Json | Buffer) => !Buffer.isBuffer(x) && x.type === type;

test("Node's global WebSocket, with the openai SDK's OpenAIRealtimeWebSocket on it: a text conversation recorded, then replayed with no connection, the same events; the key in its subprotocol never on disk", async () => {
  // An ephemeral key (ek_…): no value pattern catches it; only how the handshake is stored keeps it out.
  const key = 'ek_' + 'Q7w8E9r0T1y2U3i4O5p6'.repeat(2);
  const run = (mode: string) => childConversation({ LLM_DIR: llmDir, MODE: mode, UPSTREAM: upstream.url, KEY: key });
  const recorded = await run('record');
  expect(recorded.errors).toEqual([]);
  expect(recorded.calls).toMatchObject([{ outcome: 'recorded', method: 'GET', model: 'gpt-realtime', where: 'worker' }]);
  expect(recorded.events.filter((e: Json) => e.type === 'response.output_text.delta').map((e: Json) => e.delta)).toEqual(['Echo:', ' Hello', ' there']);
  expect(recorded.close).toEqual({ code: 1000, reason: 'bye' });
  const sockets = upstream.requests;
  expect(upstream.received.at(-1)).toMatchObject({ 'sec-websocket-protocol': `realtime, openai-insecure-api-key.${key}` });

  const [file] = recordings();
  const text = fs.readFileSync(file, 'utf8');
  expect(text).not.toContain(key.slice(3));
  expect(Object.keys(JSON.parse(text).request.headers).filter((h) => h.startsWith('sec-websocket-')), 'the handshake key and subprotocols are not headers on disk').toEqual([]);
  expect(JSON.parse(text).request).toMatchObject({ url: `${wsUrl(upstream.url, '').replace(/^ws/, 'wss')}/v1/realtime?model=gpt-realtime`, protocols: ['realtime', 'openai-insecure-api-key.<redacted>'] });

  const replayed = await run('replay');
  expect(replayed.errors).toEqual([]);
  expect(replayed.calls).toMatchObject([{ outcome: 'replayed', model: 'gpt-realtime' }]);
  expect(replayed.events).toEqual(recorded.events);
  expect(replayed.close).toEqual({ code: 1000, reason: 'bye' });
  expect(upstream.requests).toBe(sockets);
});

test("undici's WebSocket: the handshake's headers reach the server (its credential redacted on disk), and the conversation replays without the server", async () => {
  const token = 'ek_' + 'Zt5Yx4Wv3Uu2Ts1Rq0Po'.repeat(2);
  // The beta header makes the stand-in speak the beta event names: proof that it heard the header.
  const headers = { authorization: `Bearer ${token}`, 'openai-beta': 'realtime=v1' };
  const converse = async () => {
    const s = open(wsUrl(upstream.url, '/v1/realtime?model=gpt-realtime'), { headers });
    await s.opened;
    await s.next(isType('session.created'));
    s.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] } });
    s.send({ type: 'response.create', response: { modalities: ['text'] } });
    await s.next(isType('response.done'));
    s.ws.close(1000, 'done');
    expect(await s.closed).toEqual({ code: 1000, reason: 'done' });
    return s.received as Json[];
  };
  const recorded = await withReplay({ llmMode: 'record' }, async (llm) => {
    const frames = await converse();
    await llm.settled();
    expect(llm.calls).toMatchObject([{ outcome: 'recorded', model: 'gpt-realtime' }]);
    return frames;
  });
  expect(recorded.filter(isType('response.text.delta')).map((e) => e.delta)).toEqual(['Echo:', ' Hi']);
  expect(upstream.received.at(-1)).toMatchObject(headers);
  const text = fs.readFileSync(recordings()[0], 'utf8');
  expect(text).not.toContain(token.slice(3));
  expect(JSON.parse(text).request.headers).toMatchObject({ authorization: '<redacted>', 'openai-beta': 'realtime=v1' });
  const requests = upstream.requests;
  const replayed = await withReplay({ llmMode: 'replay' }, async (llm) => {
    const frames = await converse();
    expect(llm.calls).toMatchObject([{ outcome: 'replayed' }]);
    expect(llm.errors).toEqual([]);
    return frames;
  });
  expect(replayed).toEqual(recorded);
  expect(upstream.requests).toBe(requests);
});

test('binary frames both ways keep their bytes and their kind, recorded and replayed', async () => {
  const echo = await echoServer();
  try {
    const bytes = Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 37) & 0xff));
    const converse = async () => {
      const s = open(wsUrl(echo.url, '/v1/echo'));
      await s.opened;
      s.ws.send(bytes);
      s.send({ type: 'ping' });
      await s.next((x) => !Buffer.isBuffer(x) && x.type === 'pong');
      s.ws.close(1000, 'done');
      await s.closed;
      return s.received;
    };
    const options = { llmUrls: [wsUrl(echo.url, '/v1/**')] };
    const recorded = await withReplay({ ...options, llmMode: 'record' }, async (llm) => {
      const r = await converse();
      await llm.settled();
      return r;
    });
    // The echo server answers a binary frame with its bytes reversed, in a binary frame.
    expect(recorded).toEqual([Buffer.from(bytes).reverse(), { type: 'pong' }]);
    expect(JSON.parse(fs.readFileSync(recordings()[0], 'utf8')).response.frames.map((f: Json) => Object.keys(f).at(-1))).toEqual(['binary', 'json', 'binary', 'json']);
    const heard = echo.heard.length;
    expect(await withReplay({ ...options, llmMode: 'replay' }, converse)).toEqual(recorded);
    expect(echo.heard.length).toBe(heard);
  } finally {
    await echo.close();
  }
});

test("the server's own close (1011, with its error event first) reaches the client while recording and in replay; a recorded dropped connection (1006) drops it", async () => {
  const converse = async () => {
    const s = open(wsUrl(upstream.url, '/v1/realtime?model=broken'));
    return { closed: await s.closed, received: s.received };
  };
  const recorded = await withReplay({ llmMode: 'record' }, async (llm) => {
    const r = await converse();
    await llm.settled();
    return r;
  });
  expect(recorded.closed).toEqual({ code: 1011, reason: 'Internal server error' });
  expect(recorded.received).toMatchObject([{ type: 'error', error: { type: 'server_error' } }]);
  const [file] = recordings();
  expect(JSON.parse(fs.readFileSync(file, 'utf8')).response.close).toMatchObject({ code: 1011, by: 'server' });
  expect(await withReplay({ llmMode: 'replay' }, converse)).toEqual(recorded);

  const x = JSON.parse(fs.readFileSync(file, 'utf8'));
  x.response.close = { ...x.response.close, code: 1006, reason: '' };
  fs.writeFileSync(file, JSON.stringify(x, null, 2));
  const dropped = await withReplay({ llmMode: 'replay' }, converse);
  expect(dropped.closed.code).toBe(1006);
  expect(dropped.received).toEqual(recorded.received);
});

test('an upstream that refuses the handshake while recording: the client is closed (1011) saying so, nothing is stored', async () => {
  await withReplay({ llmMode: 'record' }, async (llm) => {
    // No model: the stand-in answers the upgrade with a 400, as the API does.
    const s = open(wsUrl(upstream.url, '/v1/realtime'));
    const closed = await s.closed;
    expect(closed.code).toBe(1011);
    expect(closed.reason).toMatch(/^upstream failed: the server did not open the WebSocket \(closed 1006 before opening\)/);
    await llm.settled();
    expect(llm.calls).toMatchObject([{ outcome: 'not-recorded', reason: expect.stringContaining('upstream failed') }]);
  });
  expect(recordings()).toEqual([]);
});

test("the client's socket opens with the subprotocol the server chose while recording, and in replay with the first it offered", async () => {
  const echo = await echoServer();
  try {
    const options = { llmUrls: [wsUrl(echo.url, '/v1/**')] };
    const protocolIn = (mode: 'record' | 'replay') =>
      withReplay({ ...options, llmMode: mode }, async (llm) => {
        const s = open(wsUrl(echo.url, '/v1/echo'), { protocols: ['first', 'second'] });
        await s.opened;
        s.send({ type: 'ping' });
        await s.next(isType('pong'));
        s.ws.close(1000, 'done');
        await s.closed;
        await llm.settled();
        return s.ws.protocol;
      });
    // The echo server picks the last one offered; a provider (and a replay) the first.
    expect(await protocolIn('record')).toBe('second');
    expect(await protocolIn('replay')).toBe('first');
  } finally {
    await echo.close();
  }
});

test('a client that gives up while the server is still answering its handshake: the server\'s socket is closed and the conversation stored as it stood', async () => {
  // A server that answers the handshake only when told.
  const server = http.createServer();
  const wss = new WebSocketServer({ noServer: true });
  let serverSaw!: (code: number) => void;
  const serverClosed = new Promise<number>((resolve) => (serverSaw = resolve));
  let release = () => {};
  const asked = new Promise<void>((resolve) => {
    server.on('upgrade', (req, socket, head) => {
      release = () => wss.handleUpgrade(req, socket, head, (ws) => ws.on('close', (code) => serverSaw(code)));
      resolve();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1/slow`;
  try {
    await withReplay({ llmMode: 'record', llmUrls: ['ws://127.0.0.1:*/v1/**'] }, async (llm) => {
      const s = open(url);
      await asked;
      s.ws.close();
      expect((await s.closed).code).toBe(1006);
      release();
      // The server's socket opened, and was closed since the client had gone (with no code: 1005).
      expect(await serverClosed).toBe(1005);
      await llm.settled();
      expect(llm.calls).toMatchObject([{ outcome: 'recorded' }]);
    });
    expect(JSON.parse(fs.readFileSync(recordings()[0], 'utf8')).response).toMatchObject({ frames: [], close: { code: 1006, by: 'client' } });
  } finally {
    for (const ws of wss.clients) ws.terminate();
    await new Promise((r) => server.close(r));
  }
});

test('a WebSocket to a URL that is not an LLM\'s goes to its server untouched, in replay mode too', async () => {
  const echo = await echoServer();
  try {
    await withReplay({ llmMode: 'replay' }, async (llm) => {
      const s = open(wsUrl(echo.url, '/chat'));
      await s.opened;
      s.send({ type: 'ping' });
      await s.next(isType('pong'));
      s.ws.close(1000, 'done');
      expect(await s.closed).toEqual({ code: 1000, reason: 'done' });
      expect(llm.calls).toEqual([]);
    });
    expect(echo.heard).toEqual(['/chat {"type":"ping"}']);
  } finally {
    await echo.close();
  }
});

test('in passthrough mode an LLM socket is relayed to its server both ways, and nothing is stored', async () => {
  const echo = await echoServer();
  try {
    await withReplay({ llmMode: 'passthrough', llmUrls: [wsUrl(echo.url, '/v1/**')] }, async (llm) => {
      const s = open(wsUrl(echo.url, '/v1/echo'));
      await s.opened;
      s.send({ type: 'ping' });
      await s.next(isType('pong'));
      s.ws.close(1000, 'done');
      expect(await s.closed).toEqual({ code: 1000, reason: 'done' });
      await llm.settled();
      expect(llm.calls).toMatchObject([{ outcome: 'passthrough' }]);
    });
    expect(echo.heard).toEqual(['/v1/echo {"type":"ping"}']);
    expect(recordings()).toEqual([]);
  } finally {
    await echo.close();
  }
});

test("the realtime APIs' sockets are LLM calls with no llmUrls: OpenAI's and Gemini Live's, a miss in replay mode and never the network", async () => {
  const llm = install({ llmDir, llmMode: 'replay', folder: 'node/socket' });
  try {
    const urls = [
      'wss://api.openai.com/v1/realtime?model=gpt-realtime',
      'wss://generativelanguage.googleapis.com/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent?key=AIzaSyD-' + 'a1B2c3D4e5F6g7H8i9J0k1L2'.slice(0, 24),
    ];
    for (const url of urls) expect((await open(url).closed).code).toBe(1008);
    expect(llm.calls).toMatchObject([{ outcome: 'missed', url: urls[0] }, { outcome: 'missed', url: expect.stringMatching(/BidiGenerateContent\?key=(?!AIza)/) }]);
    expect(llm.errors.map((e) => e.message).join('\n')).toContain('no recording for GET wss://api.openai.com/v1/realtime?model=gpt-realtime (model gpt-realtime) in replay mode');
  } finally {
    llm.uninstall();
  }
});

/**
 * A WebSocket server of the test's own: a binary frame is answered with its bytes reversed, `{type: ping}`
 * with `{type: pong}`; of the subprotocols offered, it picks the last.
 */
async function echoServer(): Promise<{ url: string; heard: string[]; close(): Promise<void> }> {
  const server = http.createServer();
  const wss = new WebSocketServer({ server, handleProtocols: (offered) => [...offered].at(-1) ?? false });
  const heard: string[] = [];
  wss.on('connection', (ws, req) => {
    ws.on('message', (data, binary) => {
      const bytes = data as Buffer;
      heard.push(`${req.url} ${binary ? `${bytes.length} bytes` : bytes.toString()}`);
      if (binary) ws.send(Buffer.from(bytes).reverse());
      else if (JSON.parse(bytes.toString()).type === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    heard,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      await new Promise((r) => server.close(r));
    },
  };
}

/** The child: Node's own WebSocket, the SDK on it, the Node transport installed; what it saw, as JSON. */
async function childConversation(env: Record<string, string>): Promise<{ events: Json[]; calls: Json[]; errors: string[]; close: Json }> {
  const script = `
    import net from 'node:net';
    import OpenAI from 'openai';
    import { OpenAIRealtimeWebSocket } from 'openai/realtime/websocket';
    import { Agent, setGlobalDispatcher } from 'undici';
    import { install } from 'playwright-llm-replay/node';
    const { LLM_DIR, MODE, UPSTREAM, KEY } = process.env;
    // The SDK always dials wss://; the stand-in is plain ws://: the app's own dispatcher connects in plain TCP.
    setGlobalDispatcher(new Agent({ connect: (o, cb) => { const s = net.connect({ host: o.hostname, port: Number(o.port) }); s.once('connect', () => cb(null, s)); s.once('error', (e) => cb(e, null)); } }));
    const llm = install({ llmDir: LLM_DIR, llmMode: MODE, llmUrls: [UPSTREAM.replace(/^http/, 'wss') + '/v1/**'], folder: 'node/realtime' });
    const rt = new OpenAIRealtimeWebSocket({ model: 'gpt-realtime' }, new OpenAI({ apiKey: KEY, baseURL: UPSTREAM + '/v1' }));
    const events = [];
    const closed = new Promise((resolve) => rt.socket.addEventListener('close', (e) => resolve({ code: e.code, reason: e.reason })));
    const done = new Promise((resolve, reject) => {
      rt.on('event', (e) => (events.push(e), e.type === 'response.done' && resolve()));
      rt.on('error', (e) => reject(new Error('the SDK: ' + e.message)));
      closed.then((c) => reject(new Error('closed: ' + JSON.stringify(c))));
    });
    await new Promise((resolve) => rt.on('session.created', resolve));
    rt.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'] } });
    rt.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hello there' }] } });
    rt.send({ type: 'response.create' });
    await done;
    rt.close({ code: 1000, reason: 'bye' });
    const close = await closed;
    await llm.settled();
    console.log(JSON.stringify({ events, close, calls: llm.calls, errors: llm.errors.map((e) => e.message) }));
  `;
  // Node 22 has the global WebSocket; Node 20 behind a flag.
  const flags = typeof globalThis.WebSocket === 'function' ? [] : ['--experimental-websocket'];
  const child = spawn(process.execPath, [...flags, '--no-warnings', '--input-type=module', '-e', script], { cwd: fromRoot(), env: { ...process.env, ...env } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise((r) => child.on('close', r));
  const line = out.split('\n').find((l) => l.startsWith('{"events"'));
  if (code !== 0 || !line) throw new Error(`the child failed (${code}):\n${out}`);
  return JSON.parse(line);
}
