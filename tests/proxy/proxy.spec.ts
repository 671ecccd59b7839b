// The proxy for non-Node backends, driven by a plain HTTP client (node:http, no preload, no
// dispatcher): it records a streamed chat completion from the upstream and replays it offline; and
// the openai SDK's realtime client (OpenAIRealtimeWS) through it, over a WebSocket.
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { test, expect } from '@playwright/test';
import fg from 'fast-glob';
import WebSocket from 'ws';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { startUpstream, type Upstream } from '../support/upstream.js';
import { fromRoot } from '../support/paths.js';
import { SECRET_ENV, TEST_HEADER, encodeAttribution } from '../../src/core/attribution.js';
import { TestChannel } from '../../src/core/run/channel.js';

async function startProxyProcess(args: string[], env: Record<string, string> = {}): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [fromRoot('dist/cli.js'), 'proxy', '--port', '0', ...args], { env: { ...process.env, CI: '', LLM_REPLAY_MODE: '', ...env } });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.stderr!.on('data', (d) => (out += d));
    child.on('exit', (code) => reject(new Error(`proxy exited ${code}: ${out}`)));
  });
  return { url, child };
}

/** POSTs with node:http and returns the body's pieces as they arrived, with their times. */
function post(url: string, body: object, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; contentType?: string; pieces: { text: string; at: number }[] }>((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-backend-SECRET', ...headers } }, (res) => {
      const pieces: { text: string; at: number }[] = [];
      res.on('data', (d: Buffer) => pieces.push({ text: d.toString(), at: performance.now() }));
      res.on('end', () => resolve({ status: res.statusCode!, contentType: res.headers['content-type'], pieces }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'From a Python backend, one two three four five' }], stream: true };
const text = (pieces: { text: string }[]) => pieces.map((p) => p.text).join('');

let upstream: Upstream;
let proxy: { url: string; child: ChildProcess } | undefined;
test.beforeEach(async () => {
  upstream = await startUpstream({ tokenDelay: 30 });
});
test.afterEach(async () => {
  proxy?.child.kill();
  proxy = undefined;
  await upstream.close();
});

test('records a streamed completion through the proxy, then replays it offline', async ({}, testInfo) => {
  const dir = testInfo.outputPath('llm');
  proxy = await startProxyProcess(['--upstream', upstream.url, '--dir', dir]);
  const recorded = await post(`${proxy.url}/v1/chat/completions`, chat);
  expect(recorded.status).toBe(200);
  expect(recorded.contentType).toBe('text/event-stream; charset=utf-8');
  expect(text(recorded.pieces)).toContain('"content":" five"');
  expect(text(recorded.pieces).endsWith('data: [DONE]\n\n')).toBe(true);
  // Streamed through, not buffered: the pieces arrived over the upstream's per-token delays.
  expect(recorded.pieces.length).toBeGreaterThan(5);
  expect(recorded.pieces.at(-1)!.at - recorded.pieces[0].at).toBeGreaterThan(150);
  const files = fg.sync('**/*.json', { cwd: dir });
  expect(files).toEqual([expect.stringMatching(/^_shared\/chat-completions\.[0-9a-f]{12}\.json$/)]);
  expect(fs.readFileSync(`${dir}/${files[0]}`, 'utf8')).not.toContain('SECRET');

  await upstream.close();
  const connections = upstream.connections;
  const replayed = await post(`${proxy.url}/v1/chat/completions`, chat);
  expect(replayed.status).toBe(200);
  expect(text(replayed.pieces)).toBe(text(recorded.pieces));
  expect(upstream.connections).toBe(connections);
});

test('a forwarded test header puts the recording in that test’s folder; replay mode misses say so', async ({}, testInfo) => {
  const dir = testInfo.outputPath('llm');
  const secret = `secret-${randomBytes(16).toString('hex')}`;
  const { id, reportFile: report } = TestChannel.create(secret);
  proxy = await startProxyProcess(['--upstream', upstream.url, '--dir', dir, '--mode', 'record-missing'], { [SECRET_ENV]: secret });
  const header = encodeAttribution({ id, mode: 'record', pace: 0, urls: [], ignore: [], redact: {}, test: { folder: 'backend.spec.ts/answers', title: 'backend.spec.ts > answers', location: 'backend.spec.ts:3' } }, secret);
  const res = await post(`${proxy.url}/v1/chat/completions`, chat, { [TEST_HEADER]: header });
  expect(res.status).toBe(200);
  expect(fg.sync('**/*.json', { cwd: dir })).toEqual([expect.stringMatching(/^backend\.spec\.ts\/answers\/chat-completions\.[0-9a-f]{12}\.json$/)]);
  const read = () => fs.readFileSync(report, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  // `answered` comes once the proxy's exchange is over, which may be a moment after the client has the answer's end.
  await expect.poll(() => read().map((l) => [l.type, l.call.outcome])).toEqual([['call', 'pending'], ['settled', 'recorded'], ['answered', 'recorded']]);
  const lines = read();
  expect(lines[1].call).toMatchObject({ outcome: 'recorded', model: 'gpt-4o-mini', where: 'proxy' });
  proxy.child.kill();

  const connections = upstream.connections;
  proxy = await startProxyProcess(['--upstream', upstream.url, '--dir', dir, '--mode', 'replay']);
  const miss = await post(`${proxy.url}/v1/chat/completions`, { ...chat, temperature: 0 });
  expect(miss.status).toBe(404);
  const message = JSON.parse(text(miss.pieces)).error.message;
  expect(message).toContain(`no recording for POST ${upstream.url}/v1/chat/completions (model gpt-4o-mini) in replay mode`);
  expect(message).toContain('body fields that differ: temperature');
  expect(upstream.connections).toBe(connections);
});

/**
 * A text conversation with OpenAIRealtimeWS whose base URL is the proxy, as a test's backend holds
 * it: the test's header on the handshake; every event it got, in order. The SDK always dials wss://;
 * the proxy is plain ws://, so `ws` gets a plain TCP socket (the README's way).
 */
async function realtimeConversation(proxyUrl: string, header: string) {
  const client = new OpenAI({ apiKey: 'sk-realtime-SECRET', baseURL: `${proxyUrl}/v1` });
  const createConnection = ((o: net.TcpNetConnectOpts) => net.connect({ host: o.host, port: o.port })) as typeof net.createConnection;
  const rt = new OpenAIRealtimeWS({ model: 'gpt-realtime', options: { createConnection, headers: { [TEST_HEADER]: header } } }, client);
  const events: { type: string; [k: string]: any }[] = [];
  const errors: unknown[] = [];
  let heard = () => {};
  rt.on('event', (e) => (events.push(e), heard()));
  rt.on('error', (e) => errors.push(e));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => rt.socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const next = (type: string) =>
    Promise.race([
      new Promise<void>((resolve) => (heard = () => events.at(-1)!.type === type && resolve())),
      closed.then(({ code, reason }) => Promise.reject(new Error(`the socket closed (${code} ${reason}) before ${type}`))),
    ]);
  await next('session.created');
  rt.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'] } });
  await next('session.updated');
  rt.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hello there' }] } });
  rt.send({ type: 'response.create' });
  await next('response.done');
  rt.close({ code: 1000, reason: 'done' });
  return { events, errors, closed: await closed };
}

test('OpenAIRealtimeWS through the proxy: recorded into the test’s folder, then replayed with the upstream closed: the same events', async ({}, testInfo) => {
  const dir = testInfo.outputPath('llm');
  const secret = `secret-${randomBytes(16).toString('hex')}`;
  const test = { folder: 'voice.spec.ts/talks', title: 'voice.spec.ts > talks', location: 'voice.spec.ts:3' };
  const run = (mode: 'record' | 'replay') => {
    const channel = TestChannel.create(secret);
    return { channel, header: encodeAttribution({ id: channel.id, mode, pace: 0, urls: [], ignore: [], redact: {}, test }, secret) };
  };
  // The proxy's own mode is replay: the test's header says what to do.
  proxy = await startProxyProcess(['--upstream', upstream.url, '--dir', dir, '--mode', 'replay'], { [SECRET_ENV]: secret });
  const recording = run('record');
  const recorded = await realtimeConversation(proxy.url, recording.header);
  expect(recorded.errors).toEqual([]);
  expect(recorded.closed).toEqual({ code: 1000, reason: 'done' });
  expect(recorded.events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta)).toEqual(['Echo:', ' Hello', ' there']);
  expect(upstream.received.at(-1)).toMatchObject({ authorization: 'Bearer sk-realtime-SECRET', upgrade: 'websocket' });
  expect(upstream.received.at(-1)).not.toHaveProperty(TEST_HEADER);
  await expect.poll(() => fg.sync('**/*.json', { cwd: dir })).toEqual([expect.stringMatching(/^voice\.spec\.ts\/talks\/realtime\.[0-9a-f]{12}\.json$/)]);
  const file = fs.readFileSync(`${dir}/${fg.sync('**/*.json', { cwd: dir })[0]}`, 'utf8');
  expect(file).not.toContain('SECRET');
  expect(JSON.parse(file).response).toMatchObject({ framing: 'websocket', close: { code: 1000, reason: 'done', by: 'client' } });
  const report = (channel: TestChannel) => fs.readFileSync(channel.reportFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((l) => l.type === 'settled').map((l) => l.call);
  await expect.poll(() => report(recording.channel)).toEqual([expect.objectContaining({ outcome: 'recorded', method: 'GET', model: 'gpt-realtime', where: 'proxy' })]);

  await upstream.close();
  const reached = upstream.received.length;
  const replaying = run('replay');
  const replayed = await realtimeConversation(proxy.url, replaying.header);
  expect(replayed.errors).toEqual([]);
  expect(replayed.events).toEqual(recorded.events);
  expect(replayed.closed).toEqual({ code: 1000, reason: 'done' });
  expect(upstream.received.length).toBe(reached);
  await expect.poll(() => report(replaying.channel)).toEqual([expect.objectContaining({ outcome: 'replayed', model: 'gpt-realtime', where: 'proxy' })]);
});

test('the subprotocol a client offered: recording, the one the upstream chose; replaying, `realtime` or the first that carries no key, never the key', async ({}, testInfo) => {
  const dir = testInfo.outputPath('llm');
  const key = 'openai-insecure-api-key.sk-browser-SECRET';
  const offers = [['realtime', key], [key, 'openai-beta.realtime-v1']];
  /** Opens a socket offering `protocols`, reads the session's first event, closes; the protocol it got. */
  const session = async (url: string, protocols: string[]) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/realtime?model=gpt-realtime`, protocols);
    await new Promise((resolve) => ws.once('message', resolve));
    ws.close(1000, 'done');
    await new Promise((resolve) => ws.once('close', resolve));
    return ws.protocol;
  };
  proxy = await startProxyProcess(['--upstream', upstream.url, '--dir', dir, '--mode', 'record']);
  const recorded = [];
  for (const offered of offers) recorded.push(await session(proxy.url, offered));
  expect(recorded).toEqual(['realtime', 'openai-beta.realtime-v1']);
  await expect.poll(() => fg.sync('**/*.json', { cwd: dir }).length).toBe(2);
  for (const f of fg.sync('**/*.json', { cwd: dir, absolute: true })) expect(fs.readFileSync(f, 'utf8')).not.toContain('SECRET');
  proxy.child.kill();

  await upstream.close();
  const reached = upstream.received.length;
  proxy = await startProxyProcess(['--upstream', upstream.url, '--dir', dir, '--mode', 'replay']);
  const replayed = [];
  for (const offered of offers) replayed.push(await session(proxy.url, offered));
  expect(replayed).toEqual(recorded);
  expect(upstream.received.length).toBe(reached);
});

test('a proxy stopped mid-conversation closes its sockets (1001) and stores the conversation as it was cut off', async ({}, testInfo) => {
  const dir = testInfo.outputPath('llm');
  proxy = await startProxyProcess(['--upstream', upstream.url, '--dir', dir, '--mode', 'record']);
  const ws = new WebSocket(`${proxy.url.replace(/^http/, 'ws')}/v1/realtime?model=gpt-realtime`);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise((resolve) => ws.once('message', resolve));
  const exited = new Promise<number | null>((resolve) => proxy!.child.once('exit', resolve));
  proxy.child.kill('SIGTERM');
  expect(await closed).toEqual({ code: 1001, reason: 'the proxy is closing' });
  expect(await exited).toBe(0);
  const files = fg.sync('**/*.json', { cwd: dir, absolute: true });
  expect(files).toHaveLength(1);
  const { response } = JSON.parse(fs.readFileSync(files[0], 'utf8'));
  expect(response.frames.map((f: { from: string; json: { type: string } }) => [f.from, f.json.type])).toEqual([['server', 'session.created']]);
  expect(response.close).toMatchObject({ code: 1001, reason: 'the proxy is closing' });
});

test('an upgrade that is not a WebSocket handshake is answered 400 saying what is wrong, and goes nowhere', async ({}, testInfo) => {
  const dir = testInfo.outputPath('llm');
  proxy = await startProxyProcess(['--upstream', upstream.url, '--dir', dir, '--mode', 'record']);
  const good = { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64') };
  const cases: [Record<string, string>, string][] = [
    [{ ...good, upgrade: 'h2c' }, 'it asks for an upgrade to "h2c", and the proxy upgrades to WebSockets only'],
    [{ ...good, 'sec-websocket-key': 'short' }, 'its Sec-WebSocket-Key is missing or not 16 bytes in base64'],
    [{ ...good, 'sec-websocket-version': '8' }, 'its Sec-WebSocket-Version is "8", not 13'],
    [{ ...good, 'sec-websocket-protocol': 'realtime, realtime' }, 'its Sec-WebSocket-Protocol "realtime, realtime" is not a list of distinct subprotocols'],
  ];
  const reached = upstream.received.length;
  for (const [headers, problem] of cases) {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${proxy!.url}/v1/realtime?model=gpt-realtime`, { headers }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('upgrade', () => reject(new Error(`upgraded: ${problem}`)));
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({ error: { message: `playwright-llm-replay: the proxy cannot serve this upgrade: ${problem}.`, type: 'llm_replay_proxy_error' } });
  }
  expect(upstream.received.length).toBe(reached);
  expect(fg.sync('**/*', { cwd: dir })).toEqual([]);
});

test('an upstream that refuses the handshake: the client’s socket closes with 1011 and the upstream’s answer, and nothing is stored', async ({}, testInfo) => {
  const dir = testInfo.outputPath('llm');
  proxy = await startProxyProcess(['--upstream', upstream.url, '--dir', dir, '--mode', 'record']);
  // The stand-in answers a realtime handshake with no model 400, as OpenAI does.
  const ws = new WebSocket(`${proxy.url.replace(/^http/, 'ws')}/v1/realtime`);
  const closed = await new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  expect(closed).toEqual({ code: 1011, reason: 'upstream failed: Unexpected server response: 400' });
  expect(upstream.received.at(-1)).toMatchObject({ upgrade: 'websocket' });
  expect(fg.sync('**/*', { cwd: dir })).toEqual([]);
});
