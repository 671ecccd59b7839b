// The proxy for non-Node backends, driven by a plain HTTP client (node:http, no preload, no
// dispatcher): it records a streamed chat completion from the upstream and replays it offline.
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { test, expect } from '@playwright/test';
import fg from 'fast-glob';
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
  const lines = fs.readFileSync(report, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  expect(lines.map((l) => [l.type, l.call.outcome])).toEqual([['call', 'pending'], ['settled', 'recorded']]);
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
