// Whole bodies in pieces, and binary bodies in side files: how a body's pieces become chunks, what
// the store writes (a side file beside a small JSON, shared by recordings with the same bytes, gone
// when nothing points at it any more), and what a recording that says so wrongly gets.
import fs from 'node:fs';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import { Chunks } from '../../src/core/recorder.js';
import { type Interaction, parseRecording, serializeRecording } from '../../src/core/recording.js';
import { answerOf } from '../../src/core/replay.js';
import { Recordings } from '../../src/core/recordings/recordings.js';
import { Shelf } from '../../src/core/recordings/shelf.js';
import { SIDE_FILE_BYTES } from '../../src/core/side-file.js';
import { RecordingFileError } from '../../src/core/errors.js';
import { extensionOf } from '../../src/wire/framing.js';

test('pieces that arrive within 1 ms of the one before are one chunk; a longer gap starts a new one', () => {
  const c = new Chunks();
  for (const [t, size] of [[0.2, 100], [0.9, 100], [1.5, 100], [3, 50], [3.4, 0], [10, 7], [10.99, 3], [12, 1]]) c.add(t, size);
  // 0.2 → 0.9 → 1.5 each within 1 ms of the one before (a burst, however long); 3 after 1.5 ms; an empty piece is nothing.
  expect(c.list).toEqual([
    { t: 1.5, size: 300 },
    { t: 3, size: 50 },
    { t: 10.99, size: 10 },
    { t: 12, size: 1 },
  ]);
});

test('a side file is named by the content type, bin when none fits', () => {
  expect(['audio/mpeg', 'audio/wav', 'audio/ogg', 'audio/opus', 'audio/aac', 'audio/flac', 'audio/pcm', 'image/png', 'image/jpeg', 'image/webp', 'application/pdf', 'Audio/MPEG; charset=x', 'application/octet-stream', undefined].map(extensionOf)).toEqual(['mp3', 'wav', 'ogg', 'opus', 'aac', 'flac', 'pcm', 'png', 'jpg', 'webp', 'pdf', 'mp3', 'bin', 'bin']);
});

const shelf = (root: string, title = 't') => new Shelf(new Recordings({ root, urls: [], ignore: [], redact: {} }), 'record', { folder: title, title, location: 'x.spec.ts:1' });

/** A speech answer of `bytes` for `input`. */
function speech(s: Shelf, input: string, bytes: Buffer, chunks?: Interaction['response']['chunks']): Interaction {
  const request = s.recordings.describe({ method: 'POST', url: 'https://api.openai.com/v1/audio/speech', headers: [['content-type', 'application/json']], body: Buffer.from(JSON.stringify({ model: 'tts-1', voice: 'alloy', input })) });
  return { request, response: { status: 200, headers: { 'content-type': 'audio/mpeg' }, framing: 'binary', body: bytes, ...(chunks && { chunks }) }, occurrence: 0, test: s.test?.title };
}

const audio = (size: number, seed = 1) => Buffer.from(Array.from({ length: size }, (_, i) => (i * 31 + seed * 101) & 0xff));
const listing = (dir: string) => fs.readdirSync(dir).sort();

test('a binary body above 64 KB goes to a side file beside its recording; one at 64 KB stays in the JSON as base64', ({}, testInfo) => {
  const s = shelf(testInfo.outputPath('llm'));
  const big = audio(SIDE_FILE_BYTES + 1);
  const file = s.save(speech(s, 'big', big, [{ t: 0, size: 1 }, { t: 12.34, size: SIDE_FILE_BYTES }]));
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  expect(json.response).toMatchObject({ framing: 'binary', encoding: 'file', body: { file: expect.stringMatching(/^[0-9a-f]{16}\.mp3$/), size: big.length }, chunks: [{ t: 0, size: 1 }, { t: 12.3, size: SIDE_FILE_BYTES }] });
  expect(json.response.body.file).toBe(`${json.response.body.sha256.slice(0, 16)}.mp3`);
  expect(fs.statSync(file).size).toBeLessThan(2000);
  const side = path.join(path.dirname(file), json.response.body.file);
  expect(fs.readFileSync(side).equals(big)).toBe(true);
  // Read back (by a later process) it is the same body, split as it arrived.
  const back = parseRecording(fs.readFileSync(file, 'utf8'), file);
  expect(back.response).toMatchObject({ sideFile: json.response.body.file, chunks: [{ t: 0, size: 1 }, { t: 12.3, size: SIDE_FILE_BYTES }] });
  const answer = answerOf(back);
  expect([answer.count, answer.chunk(0).length, answer.chunk(1).length, answer.time(1)]).toEqual([2, 1, SIDE_FILE_BYTES, 12.3]);
  expect(Buffer.concat([answer.chunk(0), answer.chunk(1)]).equals(big)).toBe(true);
  expect(serializeRecording(back)).toBe(fs.readFileSync(file, 'utf8'));

  const small = audio(SIDE_FILE_BYTES, 2);
  const inline = s.save(speech(s, 'small', small));
  expect(JSON.parse(fs.readFileSync(inline, 'utf8')).response).toMatchObject({ encoding: 'base64', body: small.toString('base64') });
  expect(listing(path.dirname(file))).toEqual([path.basename(side), path.basename(file), path.basename(inline)].sort());
});

test('recordings with the same bytes share one side file; one re-recorded with other bytes leaves it to the other, and the last to go takes it along', ({}, testInfo) => {
  const root = testInfo.outputPath('llm');
  const s = shelf(root);
  const bytes = audio(SIDE_FILE_BYTES * 2);
  const a = s.save(speech(s, 'a', bytes));
  const b = s.save(speech(s, 'b', bytes));
  const dir = path.dirname(a);
  const [shared] = listing(dir).filter((f) => !f.endsWith('.json'));
  expect(listing(dir)).toEqual([shared, path.basename(a), path.basename(b)].sort());
  // a's answer changes: its new side file comes, the shared one stays for b.
  expect(s.save(speech(s, 'a', audio(SIDE_FILE_BYTES * 2, 3)))).toBe(a);
  const newer = listing(dir).find((f) => !f.endsWith('.json') && f !== shared)!;
  expect(listing(dir)).toEqual([shared, newer, path.basename(a), path.basename(b)].sort());
  // b's answer changes too: nothing points at the shared one any more, and it goes.
  s.save(speech(s, 'b', audio(SIDE_FILE_BYTES * 2, 3)));
  expect(listing(dir)).toEqual([newer, path.basename(a), path.basename(b)].sort());
  // A test re-recorded in full keeps only what it used: b and, with it, the side file it shares with a.
  s.recordings.store.keepOnly(dir, [b]);
  expect(listing(dir)).toEqual([newer, path.basename(b)].sort());
  s.recordings.store.keepOnly(dir, []);
  expect(listing(dir)).toEqual([]);
});

test('an old recording with its binary body in base64 still loads, whatever its size', () => {
  const bytes = audio(SIDE_FILE_BYTES * 3);
  const file = { request: { method: 'POST', url: 'https://api.openai.com/v1/audio/speech', body: { input: 'x' } }, response: { status: 200, headers: { 'content-type': 'audio/mpeg' }, is_streaming: false, framing: 'binary', encoding: 'base64', body: bytes.toString('base64') } };
  const x = parseRecording(JSON.stringify(file), 'old.json');
  expect(Buffer.isBuffer(x.response.body) && x.response.body.equals(bytes)).toBe(true);
  expect(x.response.sideFile).toBeUndefined();
});

test('chunks that do not cut the body, go backwards, or cut a JSON body, and a side file that is not a plain name, are refused by name', () => {
  const base = (response: object) => JSON.stringify({ request: { url: 'https://api.openai.com/v1/audio/speech', body: {} }, response: { status: 200, is_streaming: false, ...response } });
  const bytes = Buffer.from([0, 1, 2, 255]);
  const binary = { framing: 'binary', encoding: 'base64', body: bytes.toString('base64') };
  const refused = (text: string, problem: RegExp) => {
    expect(() => parseRecording(text, 'r.json')).toThrow(RecordingFileError);
    expect(() => parseRecording(text, 'r.json')).toThrow(problem);
  };
  refused(base({ ...binary, chunks: [{ t: 0, size: 3 }] }), /recording r\.json has response\.chunks that add up to 3 bytes, but its body has 4\. Fix the sizes, or remove response\.chunks/);
  refused(base({ ...binary, chunks: [{ t: 5, size: 2 }, { t: 4, size: 2 }] }), /r\.json has chunk times going backwards at response\.chunks\[1\] \(t 4 < 5\)/);
  refused(base({ framing: 'json', body: { a: 1 }, chunks: [{ t: 0, size: 7 }] }), /r\.json has response\.chunks, but only a text or binary body \(not JSON\) is replayed in chunks/);
  refused(base({ framing: 'binary', chunks: [{ t: 0, size: 0 }], body: '' }), /r\.json does not have the shape of a recording/);
  const sha256 = 'a'.repeat(64);
  for (const name of ['../../secret.mp3', 'aaaaaaaaaaaaaaaa/x.mp3', 'x.mp3']) {
    refused(base({ framing: 'binary', encoding: 'file', body: { file: name, size: 4, sha256 } }), /r\.json says encoding file but response\.body is not \{ "file": "<16 hex digits>\.<ext>"/);
  }
  // A text body in pieces replays in them, byte for byte (a piece may end inside a character).
  const text = 'héllo wörld';
  const x = parseRecording(base({ framing: 'text', body: text, chunks: [{ t: 0, size: 2 }, { t: 1, size: Buffer.byteLength(text) - 2 }] }), 'r.json');
  const answer = answerOf(x);
  expect([answer.count, answer.chunk(0).length]).toEqual([2, 2]);
  expect(Buffer.concat([answer.chunk(0), answer.chunk(1)]).toString()).toBe(text);
});

test('a test that takes its own copy of another test’s recording takes its side file too', ({}, testInfo) => {
  const root = testInfo.outputPath('llm');
  const theirs = shelf(root, 'theirs');
  const bytes = audio(SIDE_FILE_BYTES * 2, 5);
  const original = theirs.save(speech(theirs, 'hello', bytes));
  const mine = new Shelf(new Recordings({ root, urls: [], ignore: [], redact: {} }), 'record-missing', { folder: 'mine', title: 'mine', location: 'x.spec.ts:2' });
  const decision = mine.decide(speech(mine, 'hello', bytes).request);
  expect(decision).toMatchObject({ kind: 'replay', copiedFrom: original });
  const copy = (decision as { found: { file: string } }).found.file;
  expect(path.dirname(copy)).toBe(path.join(root, 'mine'));
  expect(listing(path.join(root, 'mine'))).toEqual(listing(path.join(root, 'theirs')));
  const back = parseRecording(fs.readFileSync(copy, 'utf8'), copy);
  expect(Buffer.isBuffer(back.response.body) && back.response.body.equals(bytes)).toBe(true);
});
