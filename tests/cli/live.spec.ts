// `verify --live`: recordings re-sent to the "live" API (the stand-in, through --base-url) with the
// keys of the environment, and the shape of each answer compared with the recording's.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { test, expect } from '@playwright/test';
import { fromRoot } from '../support/paths.js';
import { startUpstream, type Upstream } from '../support/upstream.js';
import { Recorder } from '../../src/core/recorder.js';
import { Redactor } from '../../src/core/redact.js';
import { serializeRecording, type Interaction } from '../../src/core/recording.js';
import { headerList } from '../../src/core/headers.js';

const bin = JSON.parse(fs.readFileSync(fromRoot('package.json'), 'utf8')).bin['playwright-llm-replay'];
const KEYS = { OPENAI_API_KEY: 'sk-test-openai', ANTHROPIC_API_KEY: 'sk-ant-test', GEMINI_API_KEY: 'AIza-test' };

/** The CLI, with `env` on top of this process's environment without keys or CI (async: the stand-in runs in this process). */
function cli(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const base = { ...process.env };
  for (const name of ['CI', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GEMINI_API_KEY', 'GOOGLE_API_KEY']) delete base[name];
  const child = spawn(process.execPath, [fromRoot(bin), ...args], { cwd: fromRoot(), env: { ...base, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

/** The calls recorded: on the providers' real URLs, answered by the stand-in. */
const CALLS = [
  { name: 'chat-json', url: 'https://api.openai.com/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] } },
  { name: 'chat-stream', url: 'https://api.openai.com/v1/chat/completions', body: { model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Hi there' }] } },
  { name: 'messages-stream', url: 'https://api.anthropic.com/v1/messages', body: { model: 'claude-sonnet-4-5', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'Hi' }] } },
  { name: 'gemini-stream', url: 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse&key=<redacted>', body: { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] } },
];

/** Records each call from the stand-in as the plugin would (its Recorder), into `dir`. */
async function record(upstream: Upstream, dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  for (const call of CALLS) {
    const u = new URL(call.url);
    const res = await fetch(upstream.url + u.pathname + u.search, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(call.body) });
    const request: Interaction['request'] = { method: 'POST', url: call.url, endpoint: u.pathname, headers: { 'content-type': 'application/json', authorization: '<redacted>', 'x-api-key': '<redacted>' }, body: call.body };
    const recorder = new Recorder(request, new Redactor());
    recorder.response(res.status, headerList(res.headers));
    recorder.chunk(Buffer.from(await res.arrayBuffer()));
    fs.writeFileSync(path.join(dir, `${call.name}.json`), serializeRecording(recorder.finish(0, 'live drift')));
  }
  // An upload: its file is not in the recording, so it is skipped.
  const upload = { request: { method: 'POST', url: 'https://api.openai.com/v1/audio/transcriptions', endpoint: '/v1/audio/transcriptions', headers: { 'content-type': 'multipart/form-data' }, body: { model: 'whisper-1', file: { filename: 'a.wav', content_type: 'audio/wav', size: 4, sha256: 'ab' } } }, response: { status: 200, headers: { 'content-type': 'application/json' }, is_streaming: false, body: { text: 'hi' } } };
  fs.writeFileSync(path.join(dir, 'upload.json'), JSON.stringify(upload, null, 2));
}

/** Every file under `dir` with its bytes and mtime: to show nothing was written. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isFile()) out[f] = `${fs.statSync(p).mtimeMs} ${fs.readFileSync(p, 'base64')}`;
  }
  return out;
}

const baseUrls = (url: string) => ['--base-url', `openai=${url}`, '--base-url', `anthropic=${url}`, '--base-url', `gemini=${url}`];

test('no drift: every answer has the recorded shape, the keys come from the environment, nothing is written', async ({}, testInfo) => {
  const upstream = await startUpstream({ tokenDelay: 0 });
  try {
    const dir = testInfo.outputPath('llm');
    await record(upstream, dir);
    const before = snapshot(dir);
    const seen = upstream.received.length;
    const out = await cli(['verify', '--live', '--dir', dir, ...baseUrls(upstream.url)], KEYS);
    expect(out.stderr).toBe('');
    expect(out.stdout).toMatch(/same +.*chat-json\.json {2}POST \/v1\/chat\/completions/);
    for (const name of ['chat-stream', 'messages-stream', 'gemini-stream']) expect(out.stdout).toMatch(new RegExp(`same +.*${name}\\.json`));
    expect(out.stdout).toMatch(/skipped +.*upload\.json: a multipart upload/);
    expect(out.stdout).toContain('4 answers compared: no drift; 1 skipped. No file was changed.');
    expect(out.status).toBe(0);
    // The keys of the environment, each the way its provider takes it; none from the recording.
    const sent = upstream.received.slice(seen);
    expect(sent.map((h) => h.authorization ?? h['x-api-key'] ?? h['x-goog-api-key'])).toEqual(['Bearer sk-test-openai', 'Bearer sk-test-openai', 'AIza-test', 'sk-ant-test']);
    expect(sent[3]['anthropic-version']).toBe('2023-06-01');
    expect(snapshot(dir)).toEqual(before);
  } finally {
    await upstream.close();
  }
});

test('a changed answer shape: each added and removed field is named, and the exit code is 1', async ({}, testInfo) => {
  const dir = testInfo.outputPath('llm');
  const recorded = await startUpstream({ tokenDelay: 0 });
  await record(recorded, dir).finally(() => recorded.close());
  const before = snapshot(dir);
  const changed = await startUpstream({ tokenDelay: 0, drift: true });
  try {
    const out = await cli(['verify', '--live', '--dir', dir, ...baseUrls(changed.url)], KEYS);
    expect(out.status).toBe(1);
    const report = out.stdout.split('\n');
    const block = (name: string) => report.slice(report.findIndex((l) => l.includes(`${name}.json`)) + 1).join('\n');
    expect(out.stdout).toMatch(/drift +.*chat-json\.json {2}POST \/v1\/chat\/completions/);
    expect(block('chat-json')).toMatch(/^ +field added: service_tier \(string\)\n +field removed: system_fingerprint \(was string\)\n/);
    expect(out.stdout).toMatch(/drift +.*chat-stream\.json/);
    expect(block('chat-stream')).toMatch(/^ +chat\.completion\.chunk events: field added: service_tier \(string\)\n +chat\.completion\.chunk events: field removed: system_fingerprint \(was string\)\n/);
    // Anthropic and Gemini answered as before.
    expect(out.stdout).toMatch(/same +.*messages-stream\.json/);
    expect(out.stdout).toMatch(/same +.*gemini-stream\.json/);
    expect(out.stdout).toContain('4 answers compared: 2 drifted from the recording');
    expect(snapshot(dir)).toEqual(before);
  } finally {
    await changed.close();
  }
});

test('refused without keys, and with CI set unless --force; --sample re-sends that many', async ({}, testInfo) => {
  const upstream = await startUpstream({ tokenDelay: 0 });
  try {
    const dir = testInfo.outputPath('llm');
    await record(upstream, dir);
    const seen = upstream.requests;
    const bare = await cli(['verify', '--live', '--dir', dir, ...baseUrls(upstream.url)]);
    expect(bare.status).toBe(1);
    expect(bare.stderr).toContain('no API key set');
    expect(bare.stderr).toContain('OPENAI_API_KEY');
    const ci = await cli(['verify', '--live', '--dir', dir, ...baseUrls(upstream.url)], { ...KEYS, CI: 'true' });
    expect(ci.status).toBe(1);
    expect(ci.stderr).toContain('CI is set (CI=true)');
    expect(ci.stderr).toContain('--force');
    expect(upstream.requests).toBe(seen);
    // Only the OpenAI key: the others are skipped, naming the variable to set.
    const forced = await cli(['verify', '--live', '--force', '--dir', dir, ...baseUrls(upstream.url)], { OPENAI_API_KEY: KEYS.OPENAI_API_KEY, CI: 'true' });
    expect(forced.status, forced.stdout + forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/skipped +.*messages-stream\.json: no ANTHROPIC_API_KEY set/);
    expect(forced.stdout).toMatch(/skipped +.*gemini-stream\.json: no GEMINI_API_KEY or GOOGLE_API_KEY set/);
    expect(forced.stdout).toContain('2 answers compared: no drift; 3 skipped.');
    expect(upstream.requests).toBe(seen + 2);
    const sample = await cli(['verify', '--live', '--sample', '1', '--dir', dir, ...baseUrls(upstream.url)], KEYS);
    expect(sample.stdout).toContain('re-sending 1 of 5 recordings');
    expect(upstream.requests).toBeLessThanOrEqual(seen + 3);
    const wrong = await cli(['verify', '--live', '--base-url', 'mistral=http://x', '--dir', dir], KEYS);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('--base-url takes <provider>=<url>, the provider one of openai, anthropic, gemini');
    const ftp = await cli(['verify', '--live', '--base-url', 'openai=ftp://x', '--dir', dir], KEYS);
    expect(ftp.status).toBe(2);
    expect(ftp.stderr).toContain('--base-url openai=: "ftp://x" is not an http(s) URL.');
    const alone = await cli(['verify', '--sample', '2', '--dir', dir], KEYS);
    expect(alone.status).toBe(1);
    expect(alone.stderr).toContain('go with --live');
  } finally {
    await upstream.close();
  }
});

test('an unreachable API: a clear line, exit 1, no crash, no file changed', async ({}, testInfo) => {
  const upstream = await startUpstream({ tokenDelay: 0 });
  const dir = testInfo.outputPath('llm');
  await record(upstream, dir).finally(() => upstream.close());
  const before = snapshot(dir);
  // A port nothing listens on any more.
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const dead = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await new Promise<void>((r) => server.close(() => r()));
  const out = await cli(['verify', '--live', '--dir', dir, ...baseUrls(dead)], KEYS);
  expect(out.status).toBe(1);
  expect(out.stderr).toBe('');
  expect(out.stdout).toMatch(new RegExp(`unreachable .*chat-json\\.json {2}POST /v1/chat/completions: could not reach ${dead.replace(/\./g, '\\.')}: ECONNREFUSED`));
  expect(out.stdout).toMatch(/not sent +.*chat-stream\.json.*was unreachable/);
  expect(out.stdout).toContain('0 answers compared: no drift; 4 not answered; 1 skipped. No file was changed.');
  expect(snapshot(dir)).toEqual(before);
});
