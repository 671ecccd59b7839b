// A hostile local client against the two processes that listen on the network: the app server
// (the demo's, with the register preload) and the proxy. It forges the attribution header: old
// unsigned ones naming paths, signed ones that lead out of llmDir, garbage. Nothing may be written
// outside llmDir, no report may go where a request says, and a miss quotes no file's content. A
// WebSocket upgrade to the proxy with such a header gets no test's mode: it is not recorded.
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { test as base, expect } from '@playwright/test';
import fg from 'fast-glob';
import WebSocket from 'ws';
import { startUpstream, type Upstream } from '../support/upstream.js';
import { fromRoot } from '../support/paths.js';
import { freePort } from '../support/ports.js';
import { randomBytes } from 'node:crypto';
import { SECRET_ENV, TEST_HEADER, encodeAttribution } from '../../src/core/attribution.js';

const newAttributionId = () => randomBytes(16).toString('hex');
import { llmServerEnv } from 'playwright-llm-replay';

interface Server {
  url: string;
  output: () => string;
}

const test = base.extend<{ upstream: Upstream; llmDir: string; secret: string; start: (kind: 'app' | 'proxy', mode: string) => Promise<Server> }>({
  upstream: async ({}, use) => {
    const upstream = await startUpstream({ tokenDelay: 2 });
    await use(upstream);
    await upstream.close();
  },
  llmDir: async ({}, use, testInfo) => use(testInfo.outputPath('llm')),
  secret: async ({}, use) => use(`secret-${newAttributionId()}`),
  start: async ({ upstream, llmDir, secret }, use) => {
    const children: ChildProcess[] = [];
    await use(async (kind, mode) => {
      const port = await freePort();
      const env = { ...process.env, ...llmServerEnv({ llmDir, llmUrls: [`${upstream.url}/**`] }), CI: '', LLM_REPLAY_MODE: mode, [SECRET_ENV]: secret, OPENAI_BASE_URL: `${upstream.url}/v1`, PORT: String(port) };
      // The app server gets the preload through NODE_OPTIONS, as a webServer entry would.
      const args = kind === 'app' ? [fromRoot('examples/chat-app/server.mjs')] : [fromRoot('dist/cli.js'), 'proxy', '--port', String(port), '--upstream', upstream.url, '--dir', llmDir];
      const child = spawn(process.execPath, args, { cwd: fromRoot(), env });
      children.push(child);
      let out = '';
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (out += d));
      await expect.poll(() => out, { message: `${kind} did not start`, timeout: 60_000 }).toMatch(/listening on|chat app on/);
      return { url: `http://127.0.0.1:${port}`, output: () => out };
    });
    for (const c of children) c.kill();
  },
});

/** Header values a hostile client might send. */
function forgedHeaders(outside: string, secret: string): Record<string, string> {
  const unsigned = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const test = { folder: 'chat.spec.ts/answers', title: 'chat.spec.ts > answers', location: 'chat.spec.ts:1' };
  const signed = (folder: string) => encodeAttribution({ id: newAttributionId(), test: { ...test, folder }, mode: 'record', pace: 0, urls: [], ignore: [], redact: {} }, secret);
  return {
    'old format naming a dir and a report': unsigned({ v: 1, dir: path.join(outside, 'dir'), mode: 'record', pace: 0, urls: [], ignore: [], test: { ...test, folder: '../../escaped' }, report: path.join(outside, 'report.sh') }),
    'the new format, unsigned': unsigned({ v: 2, id: 'ab'.repeat(16), test: { ...test, folder: '../escaped' }, mode: 'record', pace: 0, urls: [], ignore: [], redact: { headers: [], paths: [], values: [] } }),
    'signed with another secret': encodeAttribution({ id: newAttributionId(), test, mode: 'record', pace: 0, urls: [], ignore: [], redact: {} }, 'not-the-secret'),
    'signed, but its folder leads out': signed('../escaped'),
    'signed, but its folder is absolute': signed(path.join(outside, 'abs')),
    garbage: 'not a header at all',
  };
}

/** Every file under `dir`, relative, skipping what `except` names. */
const filesUnder = (dir: string, except: string) => fg.sync('**/*', { cwd: dir, dot: true, onlyFiles: true }).filter((f) => !f.startsWith(except));

for (const kind of ['app', 'proxy'] as const) {
  test(`${kind}: forged attribution headers write nothing outside llmDir, and no report where they say`, async ({ start, llmDir, secret }, testInfo) => {
    const server = await start(kind, 'record-missing');
    const outside = testInfo.outputPath('outside');
    fs.mkdirSync(outside, { recursive: true });
    const before = filesUnder(testInfo.outputPath(), 'llm/');
    for (const [name, header] of Object.entries(forgedHeaders(outside, secret))) {
      const content = `${kind} with a forged header: ${name}`;
      const res =
        kind === 'app'
          ? await fetch(`${server.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json', [TEST_HEADER]: header }, body: JSON.stringify({ messages: [{ role: 'user', content }] }) })
          : await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', [TEST_HEADER]: header }, body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], stream: true }) });
      expect(res.status, name).toBe(200);
      expect(await res.text(), name).toContain('Echo');
    }
    // Every call was served from the shared folder; nothing else was written anywhere.
    await expect.poll(() => fg.sync('**/*.json', { cwd: llmDir }).length).toBe(6);
    expect(fg.sync('**/*.json', { cwd: llmDir }).every((f) => f.startsWith('_shared/'))).toBe(true);
    expect(filesUnder(testInfo.outputPath(), 'llm/')).toEqual(before);
    expect(fs.readdirSync(outside)).toEqual([]);
    expect(fs.existsSync(testInfo.outputPath('escaped'))).toBe(false);
    // Each kind of refusal is logged once, with its reason.
    const log = server.output();
    expect(log).toContain('ignored an x-llm-replay-test header: its signature does not match');
    expect(log).toContain('refused the test folder "../escaped"');
    expect(log.split('its signature does not match').length - 1, log).toBe(1);
  });

  test(`${kind}: a miss names only files inside llmDir and quotes none of their content`, async ({ start, llmDir }) => {
    const folder = path.join(llmDir, '_shared');
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'chat-completions.0123456789ab.json'), 'TOP-SECRET-CONTENT, not JSON at all');
    fs.writeFileSync(path.join(folder, 'notes.json'), '{"request": "TOP-SECRET-TOO"');
    const server = await start(kind, 'replay');
    const res =
      kind === 'app'
        ? await fetch(`${server.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages: [{ role: 'user', content: 'never recorded' }] }) })
        : await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'never recorded' }] }) });
    const message = JSON.parse(await res.text()).error.message as string;
    expect(res.status).toBe(404);
    expect(message).toContain('no recording for POST');
    expect(message).toContain('notes.json is not valid JSON (');
    expect(message).not.toContain('TOP-SECRET');
    const named = (message.match(/\S+\.json/g) ?? []).map((f) => path.resolve(fromRoot(), f.replace(/[.,:;]+$/, '')));
    expect(named.length).toBeGreaterThan(0);
    for (const file of named) expect(file.startsWith(llmDir + path.sep), file).toBe(true);
  });
}

test('proxy: a WebSocket upgrade with a forged header or none takes no mode from it: in replay mode it is closed (1008), nothing is stored, nothing reaches the upstream', async ({ start, upstream, llmDir, secret }, testInfo) => {
  const server = await start('proxy', 'replay');
  const outside = testInfo.outputPath('outside');
  fs.mkdirSync(outside, { recursive: true });
  const before = filesUnder(testInfo.outputPath(), 'llm/');
  const reached = upstream.received.length;
  // Every forged header says mode 'record'.
  for (const [name, header] of [...Object.entries(forgedHeaders(outside, secret)), ['no header', undefined] as const]) {
    const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/v1/realtime?model=gpt-realtime`, { headers: header === undefined ? {} : { [TEST_HEADER]: header } });
    const frames: string[] = [];
    // A frame means a session was served: it is ended at once, and the checks below fail.
    ws.on('message', (data) => frames.push(data.toString()) && ws.close());
    const closed = await new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    expect(closed, name).toEqual({ code: 1008, reason: expect.stringContaining('no recording of this socket') });
    expect(frames, name).toEqual([]);
  }
  expect(upstream.received.length, 'no handshake reached the upstream').toBe(reached);
  expect(fg.sync('**/*', { cwd: llmDir, dot: true })).toEqual([]);
  expect(filesUnder(testInfo.outputPath(), 'llm/')).toEqual(before);
  expect(fs.readdirSync(outside)).toEqual([]);
  const log = server.output();
  expect(log).toContain('ignored an x-llm-replay-test header: its signature does not match');
  expect(log).toContain('refused the test folder "../escaped"');
});
