// The store on its own: two tests never write into one folder, and a file is cached until it changes.
import fs from 'node:fs';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import { Recordings } from '../../src/core/recordings/recordings.js';
import { Shelf } from '../../src/core/recordings/shelf.js';
import { resetStores } from '../../src/core/store.js';
import type { Interaction } from '../../src/core/recording.js';

const session = (root: string, title: string, folder = 'chat.spec.ts/same-folder') =>
  new Shelf(new Recordings({ root, urls: [], ignore: [], redact: {} }), 'record', { folder, title, location: 'chat.spec.ts:1' });

function interaction(s: Shelf, content: string): Interaction {
  const request = s.recordings.describe({ method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: [['content-type', 'application/json']], body: Buffer.from(JSON.stringify({ model: 'm', messages: [{ role: 'user', content }] })) });
  return { request, response: { status: 200, headers: { 'content-type': 'application/json' }, framing: 'json', body: { answer: content } }, occurrence: 0, test: s.test?.title };
}

test('a second test that maps to the same folder fails clearly instead of overwriting', async ({}, testInfo) => {
  const root = testInfo.outputPath('llm');
  const a = session(root, 'chat.spec.ts > Same folder');
  const file = a.save(interaction(a, 'hello'));
  const before = fs.readFileSync(file, 'utf8');

  const b = session(root, 'chat.spec.ts > same  folder');
  expect(() => b.save(interaction(b, 'hello'))).toThrow(/the recordings folder .*same-folder belongs to the test "chat\.spec\.ts > Same folder", and "chat\.spec\.ts > same  folder" maps to the same folder\. Nothing was written\./);
  // Another process (a fresh store) sees the owner in the files themselves.
  resetStores();
  const c = session(root, 'chat.spec.ts > same  folder');
  expect(() => c.save(interaction(c, 'other'))).toThrow(/belongs to the test "chat\.spec\.ts > Same folder"/);
  expect(fs.readdirSync(path.dirname(file))).toEqual([path.basename(file)]);
  expect(fs.readFileSync(file, 'utf8')).toBe(before);
  // The owner itself keeps recording there.
  expect(() => a.save(interaction(a, 'again'))).not.toThrow();
});

test('a recording is parsed once, and again when the file changes', async ({}, testInfo) => {
  const root = testInfo.outputPath('llm');
  const a = session(root, 't', 't');
  const file = a.save(interaction(a, 'hello'));
  const first = a.recordings.store.read(file);
  expect(a.recordings.store.read(file)).toBe(first);
  const x = JSON.parse(fs.readFileSync(file, 'utf8'));
  x.response.body = { answer: 'changed on disk' };
  fs.writeFileSync(file, JSON.stringify(x, null, 2));
  expect(a.recordings.store.read(file)).not.toBe(first);
  expect(a.recordings.store.read(file)!.response.body).toEqual({ answer: 'changed on disk' });
});

test("a test's own copy of another test's recording keeps when that one was recorded", async ({}, testInfo) => {
  const root = testInfo.outputPath('llm');
  const a = session(root, 'a', 'a');
  const recordedAt = new Date(Date.now() - 100 * 24 * 3_600_000).toISOString();
  const theirs = a.save({ ...interaction(a, 'hello'), recordedAt });
  const b = new Shelf(new Recordings({ root, urls: [], ignore: [], redact: {} }), 'record-missing', { folder: 'b', title: 'b', location: 'chat.spec.ts:2' });
  const decision = b.decide(interaction(b, 'hello').request);
  expect(decision).toMatchObject({ kind: 'replay', copiedFrom: theirs });
  const mine = decision.kind === 'replay' ? decision.found.file : '';
  expect(path.dirname(mine)).toBe(path.join(root, 'b'));
  expect(JSON.parse(fs.readFileSync(mine, 'utf8'))).toMatchObject({ test: 'b', recorded_at: recordedAt });
  expect(decision.kind === 'replay' && decision.found.interaction.recordedAt).toBe(recordedAt);
});
