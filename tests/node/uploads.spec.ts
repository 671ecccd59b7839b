// Uploads through the worker's transport with the official openai SDK: a transcription (json, and
// streamed), a translation, a file upload and an image edit, each recorded from the stand-in, then
// replayed with the upstream closed (a connection would fail) although the SDK builds a new
// multipart body, with a new boundary, on every call. Other bytes miss, naming the file part.
import fs from 'node:fs';
import crypto from 'node:crypto';
import { test, expect } from '@playwright/test';
import OpenAI, { toFile } from 'openai';
import fg from 'fast-glob';
import { install, type InstallOptions } from '../../src/node/index.js';
import { startUpstream, type Upstream } from '../support/upstream.js';

test.describe.configure({ mode: 'parallel' });

let upstream: Upstream;
let llmDir: string;
test.beforeEach(async ({}, testInfo) => {
  upstream = await startUpstream({ tokenDelay: 5, deterministic: true });
  llmDir = testInfo.outputPath('llm');
});
test.afterEach(async () => upstream.close());

const AUDIO = Buffer.from(Array.from({ length: 48_000 }, (_, i) => Math.round(128 + 100 * Math.sin(i / 8)) & 0xff));
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108020000009077', 'hex');
const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

async function withPlugin<T>(options: InstallOptions, fn: (client: OpenAI, calls: ReturnType<typeof install>) => Promise<T>): Promise<T> {
  const installed = install({ llmDir, llmUrls: [`${upstream.url}/**`], folder: 'uploads/test', ...options });
  try {
    return await fn(new OpenAI({ apiKey: 'sk-test-SECRET-0123456789abcdefghij', baseURL: `${upstream.url}/v1`, maxRetries: 0 }), installed);
  } finally {
    installed.uninstall();
  }
}

/** Records `call` once, closes the upstream, replays it twice: the same parsed result each time. */
async function recordThenReplay<T>(call: (client: OpenAI) => Promise<T>): Promise<{ recorded: T; file: string }> {
  const recorded = await withPlugin({ llmMode: 'record' }, async (client, h) => {
    const r = await call(client);
    await h.settled();
    expect(h.calls).toMatchObject([{ outcome: 'recorded' }]);
    return r;
  });
  await upstream.close();
  await withPlugin({ llmMode: 'replay' }, async (client, h) => {
    expect((await call(client)) as unknown).toEqual(recorded);
    expect((await call(client)) as unknown).toEqual(recorded);
    expect(h.calls.map((c) => c.outcome)).toEqual(['replayed', 'replayed']);
  });
  const [file] = fg.sync('**/*.json', { cwd: llmDir, absolute: true });
  return { recorded, file };
}

test('audio.transcriptions.create with toFile: recorded as its parts, replayed offline', async () => {
  const { recorded, file } = await recordThenReplay(async (client) => client.audio.transcriptions.create({ file: await toFile(AUDIO, 'hello.wav', { type: 'audio/wav' }), model: 'whisper-1', response_format: 'verbose_json', timestamp_granularities: ['word', 'segment'] }));
  expect(recorded.text).toContain(`Heard ${AUDIO.length} bytes of audio.`);
  expect(recorded.words?.length).toBeGreaterThan(3);
  const text = fs.readFileSync(file, 'utf8');
  const stored = JSON.parse(text);
  expect(stored.request.body).toMatchObject({
    model: 'whisper-1',
    response_format: 'verbose_json',
    'timestamp_granularities[]': ['word', 'segment'],
    file: { filename: 'hello.wav', content_type: 'audio/wav', size: AUDIO.length, sha256: sha256(AUDIO) },
  });
  expect(text.length).toBeLessThan(10_000);
  expect(text).not.toContain('SECRET');
});

test('a streamed transcription (stream: true) replays its transcript.text events', async () => {
  const { recorded } = await recordThenReplay(async (client) => {
    const stream = await client.audio.transcriptions.create({ file: await toFile(AUDIO, 'hello.wav'), model: 'gpt-4o-transcribe', stream: true });
    const events = [];
    for await (const e of stream) events.push(e);
    return events;
  });
  expect(recorded.map((e) => e.type)).toContain('transcript.text.delta');
  expect(recorded.at(-1)).toMatchObject({ type: 'transcript.text.done', text: expect.stringContaining(`Heard ${AUDIO.length} bytes`) });
});

test('audio.translations.create, files.create and images.edit replay offline', async () => {
  const { recorded } = await recordThenReplay(async (client) => {
    const translation = await client.audio.translations.create({ file: await toFile(AUDIO, 'bonjour.mp3', { type: 'audio/mpeg' }), model: 'whisper-1' });
    return translation.text;
  });
  expect(recorded).toContain('Translated');
  fs.rmSync(llmDir, { recursive: true, force: true });
  upstream = await startUpstream({ deterministic: true });
  const file = await recordThenReplay(async (client) => client.files.create({ file: await toFile(Buffer.from('{"prompt":"a"}\n'), 'train.jsonl'), purpose: 'fine-tune' }));
  expect(file.recorded).toMatchObject({ object: 'file', filename: 'train.jsonl', purpose: 'fine-tune' });
  fs.rmSync(llmDir, { recursive: true, force: true });
  upstream = await startUpstream({ deterministic: true });
  const edit = await recordThenReplay(async (client) => client.images.edit({ image: await toFile(PNG, 'cat.png', { type: 'image/png' }), prompt: 'add a hat', model: 'gpt-image-1' }));
  expect(Buffer.from(edit.recorded.data![0].b64_json!, 'base64').subarray(1, 4).toString()).toBe('PNG');
});

test('other audio misses in replay mode: the SDK gets the miss, naming the file part with both hashes', async () => {
  await withPlugin({ llmMode: 'record' }, async (client, h) => {
    await client.audio.transcriptions.create({ file: await toFile(AUDIO, 'hello.wav', { type: 'audio/wav' }), model: 'whisper-1' });
    await h.settled();
  });
  await upstream.close();
  const other = Buffer.concat([AUDIO, Buffer.from([1, 2, 3])]);
  await withPlugin({ llmMode: 'replay' }, async (client, h) => {
    const error = await client.audio.transcriptions.create({ file: await toFile(other, 'hello.wav', { type: 'audio/wav' }), model: 'whisper-1' }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(h.calls).toMatchObject([{ outcome: 'missed' }]);
    const message = h.errors.map((e) => e.message).join('\n');
    expect(message).toContain('body fields that differ: file');
    expect(message).toContain(`file "hello.wav" (audio/wav, ${other.length} bytes, sha256 ${sha256(other).slice(0, 16)}…) (recorded: file "hello.wav" (audio/wav, ${AUDIO.length} bytes, sha256 ${sha256(AUDIO).slice(0, 16)}…))`);
  });
});
