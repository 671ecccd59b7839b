// Binary answers through the worker transport, with the openai SDK as the client: text-to-speech
// from a stand-in of the test's own that sends 2 MB of audio in pieces, each once the client has
// read the one before (as speech streams while it is synthesized). Recorded once, then replayed with
// the stand-in gone: byte for byte, read in the recorded pieces, from a side file beside a JSON of a
// few KB. A side file deleted or changed since is an error that names it and its recording.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import OpenAI from 'openai';
import fg from 'fast-glob';
import { install, type InstallOptions } from '../../src/node/index.js';
import { resetStores } from '../../src/core/store.js';

test.describe.configure({ mode: 'parallel' });

const PIECE = 256 * 1024;
/** 2 MB of "audio": every byte value, not text. */
const AUDIO = Buffer.from(Array.from({ length: 8 * PIECE }, (_, i) => (i * 2654435761) >>> 24));
/** A piece is sent at least this long after the client read the one before: synthesis takes time, and the recorder keeps pieces further apart than CHUNK_GAP_MS apart. */
const SYNTHESIS_MS = 10;

interface SpeechServer {
  url: string;
  requests: number;
  /** The client has read `bytes` of the answer so far. */
  read(bytes: number): void;
  close(): Promise<void>;
}

/** POST /v1/audio/speech: audio/mpeg, chunked, piece by piece: the next piece once the client has read the one before. */
async function speechServer(): Promise<SpeechServer> {
  let readSoFar = 0;
  let wake = () => {};
  const waitFor = async (bytes: number) => {
    while (readSoFar < bytes) await new Promise<void>((r) => (wake = r));
    const since = performance.now();
    while (performance.now() - since < SYNTHESIS_MS) await new Promise((r) => setTimeout(r, SYNTHESIS_MS));
  };
  const state = { requests: 0 };
  const server = http.createServer(async (req, res) => {
    for await (const _ of req);
    state.requests++;
    readSoFar = 0;
    res.writeHead(200, { 'content-type': 'audio/mpeg', 'transfer-encoding': 'chunked' });
    for (let at = 0; at < AUDIO.length; at += PIECE) {
      if (at) await waitFor(at);
      res.write(AUDIO.subarray(at, at + PIECE));
    }
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get requests() {
      return state.requests;
    },
    read(bytes) {
      readSoFar = bytes;
      wake();
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

let upstream: SpeechServer;
let llmDir: string;
test.beforeEach(async ({}, testInfo) => {
  upstream = await speechServer();
  llmDir = testInfo.outputPath('llm');
});
test.afterEach(async () => upstream.close());

async function withReplay<T>(options: InstallOptions, fn: (h: ReturnType<typeof install>) => Promise<T>): Promise<T> {
  const installed = install({ llmDir, llmUrls: [`${upstream.url}/**`], folder: 'speech/test', ...options });
  try {
    return await fn(installed);
  } finally {
    installed.uninstall();
  }
}

/** Asks the SDK for speech and reads the audio read by read, telling the stand-in what has been read. */
async function speak(): Promise<{ audio: Buffer; reads: number[] }> {
  const openai = new OpenAI({ apiKey: 'sk-test-SECRET-0123456789abcdefghij', baseURL: `${upstream.url}/v1`, maxRetries: 0 });
  const res = await openai.audio.speech.create({ model: 'gpt-4o-mini-tts', voice: 'alloy', input: 'Hello there', response_format: 'mp3' });
  const reader = res.body!.getReader();
  const parts: Buffer[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(Buffer.from(value));
    upstream.read((total += value.length));
  }
  return { audio: Buffer.concat(parts), reads: parts.map((p) => p.length) };
}

/** Records the speech answer; returns the recording, its JSON and its side file. */
async function recordSpeech() {
  const recorded = await withReplay({ llmMode: 'record' }, async (h) => {
    const r = await speak();
    await h.settled();
    expect(h.calls).toMatchObject([{ outcome: 'recorded' }]);
    return r;
  });
  expect(recorded.audio.equals(AUDIO)).toBe(true);
  const [file, ...others] = fg.sync('**/*', { cwd: llmDir, absolute: true }).sort((a, b) => Number(b.endsWith('.json')) - Number(a.endsWith('.json')));
  expect(path.relative(llmDir, file)).toMatch(/^speech\/test\/audio-speech\.[0-9a-f]{12}\.json$/);
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  const side = path.join(path.dirname(file), json.response.body.file);
  expect(others).toEqual([side]);
  return { file, json, side };
}

test('a 2 MB speech answer streamed in pieces: recorded into a side file beside a small JSON, replayed offline byte for byte in the recorded pieces', async () => {
  const { file, json, side } = await recordSpeech();
  expect(fs.statSync(file).size).toBeLessThan(10 * 1024);
  expect(fs.readFileSync(file, 'utf8')).not.toContain('sk-test');
  expect(json.response).toMatchObject({ status: 200, is_streaming: false, framing: 'binary', encoding: 'file', body: { file: expect.stringMatching(/^[0-9a-f]{16}\.mp3$/), size: AUDIO.length, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
  expect(fs.readFileSync(side).equals(AUDIO)).toBe(true);
  // Each piece the stand-in sent (after the client read the one before) is a chunk of its own, or more than one.
  const chunks: { t: number; size: number }[] = json.response.chunks;
  expect(chunks.length).toBeGreaterThanOrEqual(8);
  const ends = chunks.map((_, i) => chunks.slice(0, i + 1).reduce((n, c) => n + c.size, 0));
  for (let at = PIECE; at <= AUDIO.length; at += PIECE) expect(ends).toContain(at);
  // One chunk per line, so a re-recording diffs chunk by chunk.
  expect(fs.readFileSync(file, 'utf8')).toContain(`\n      ${JSON.stringify({ t: chunks[1].t, size: chunks[1].size })},\n`);

  await upstream.close();
  const requests = upstream.requests;
  const replayed = await withReplay({ llmMode: 'replay', llmPace: 0 }, async (h) => {
    const r = await speak();
    expect(h.calls).toMatchObject([{ outcome: 'replayed', file }]);
    expect(h.errors).toEqual([]);
    return r;
  });
  expect(upstream.requests).toBe(requests);
  expect(replayed.audio.equals(AUDIO)).toBe(true);
  expect(replayed.reads).toEqual(chunks.map((c) => c.size));
});

test('a side file deleted since it was recorded: the replay fails with an error naming it and its recording', async () => {
  const { file, side } = await recordSpeech();
  fs.rmSync(side);
  await withReplay({ llmMode: 'replay' }, async (h) => {
    await expect(speak()).rejects.toThrow();
    expect(h.errors).toHaveLength(1);
    expect(h.errors[0]).toMatchObject({ code: 'LLM_REPLAY_RECORDING' });
    expect(h.errors[0].message).toBe(
      `playwright-llm-replay: recording ${file} keeps its response body in the side file ${side}, which is missing. Restore it (commit side files with their recordings: they sit beside them, named by their hash), or delete the recording and record the call again.`,
    );
  });
});

test('a side file changed since it was recorded: the replay fails with an error naming it and its recording', async () => {
  const { file, side } = await recordSpeech();
  const changed = fs.readFileSync(side);
  changed[1000] ^= 0xff;
  fs.writeFileSync(side, changed);
  resetStores(); // as a later run reads it
  await withReplay({ llmMode: 'replay' }, async (h) => {
    await expect(speak()).rejects.toThrow();
    expect(h.errors).toHaveLength(1);
    expect(h.errors[0]).toMatchObject({ code: 'LLM_REPLAY_RECORDING' });
    expect(h.errors[0].message).toContain(`recording ${file} keeps its response body in the side file ${side}, which has changed since it was recorded (now ${AUDIO.length} bytes, sha256 `);
    expect(h.errors[0].message).toContain('Restore it from version control, or delete the recording and record the call again.');
  });
});
