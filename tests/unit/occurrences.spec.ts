// One count of a test's identical requests across its processes (the worker, the app's server):
// each takes the next occurrence, and each sees the recordings the other wrote into the folder.
import fs from 'node:fs';
import { test, expect } from '@playwright/test';
import { Occurrences } from '../../src/core/occurrences.js';
import { Recordings } from '../../src/core/recordings/recordings.js';
import { Shelf } from '../../src/core/recordings/shelf.js';
import { resetStores } from '../../src/core/store.js';

test('processes that share the count take turns: never the same occurrence twice', async ({}, testInfo) => {
  const dir = testInfo.outputPath('seen');
  const worker = new Occurrences();
  // Before the app's server takes part, the worker counts alone; what it counted carries over.
  expect([worker.next('aaa'), worker.next('aaa')]).toEqual([0, 1]);
  worker.share(dir);
  const server = new Occurrences();
  server.share(dir);
  expect(server.next('aaa')).toBe(2);
  expect(worker.next('aaa')).toBe(3);
  expect(server.next('bbb')).toBe(0);
  expect(worker.next('bbb')).toBe(1);
  expect(worker.shared && server.shared).toBe(true);
  expect(new Occurrences().shared).toBe(false);
});

const ask = (s: Shelf, mode: 'record' | 'replay', content = 'same question') => {
  const request = s.recordings.describe({ method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: [['content-type', 'application/json']], body: Buffer.from(JSON.stringify({ model: 'm', messages: [{ role: 'user', content }] })) });
  return { request, decision: s.decide(request), mode };
};
const session = (root: string, mode: 'record' | 'replay', seen: string) => {
  const s = new Shelf(new Recordings({ root, urls: [], ignore: [], redact: {} }), mode, { folder: 't', title: 't', location: 't.spec.ts:1' });
  s.occurrences.share(seen);
  return s;
};

test('the worker and the app server record an identical request as two occurrences, and replay them in turn', async ({}, testInfo) => {
  const root = testInfo.outputPath('llm');
  // Record: the worker asks, then the server (another process: its own store) asks the same.
  const save = (s: Shelf, answer: string) => {
    const { request, decision } = ask(s, 'record');
    if (decision.kind !== 'record') throw new Error(decision.kind);
    return s.save({ request, response: { status: 200, headers: { 'content-type': 'application/json' }, framing: 'json', body: { answer } }, occurrence: decision.occurrence, test: 't' });
  };
  const worker = session(root, 'record', testInfo.outputPath('seen-1'));
  const first = save(worker, 'first');
  // The worker's replay session of the next run reads the folder now, before the server writes.
  const replayWorker = session(root, 'replay', testInfo.outputPath('seen-2'));
  // (A miss first: the store has walked the whole folder tree too.)
  expect(ask(replayWorker, 'replay', 'another question').decision).toMatchObject({ kind: 'miss' });
  expect(ask(replayWorker, 'replay').decision).toMatchObject({ kind: 'replay', found: { file: first } });
  const workerStore = replayWorker.recordings.store;
  resetStores();
  const server = session(root, 'record', testInfo.outputPath('seen-1'));
  const second = save(server, 'second');
  expect(server.recordings.store).not.toBe(workerStore);
  expect([first, second].map((f) => f.split('/').pop())).toEqual([expect.stringMatching(/^chat-completions\.[0-9a-f]{12}\.json$/), expect.stringMatching(/^chat-completions\.[0-9a-f]{12}\.2\.json$/)]);
  expect(fs.readFileSync(first, 'utf8')).toContain('"answer": "first"');

  // Replay: the worker's store listed the folder before the server's file was there; its second
  // occurrence (counted with the server's) still finds that file, not the first one again.
  expect(ask(replayWorker, 'replay').decision).toMatchObject({ kind: 'replay', found: { file: second } });
});

test('a count whose folder is gone (the test has ended, the server calls on) goes on alone instead of failing the call', async ({}, testInfo) => {
  const dir = testInfo.outputPath('seen');
  const server = new Occurrences();
  server.share(dir);
  expect(server.next('aaa')).toBe(0);
  fs.rmSync(dir, { recursive: true });
  expect(server.next('aaa')).toBe(1);
  expect(server.shared).toBe(false);
  expect(server.next('aaa')).toBe(2);
});

test('a test that finds a repeated request in another test’s folder takes its own copy of every occurrence, in order', async ({}, testInfo) => {
  const root = testInfo.outputPath('llm');
  const as = (title: string, mode: 'record' | 'record-missing' | 'replay') => new Shelf(new Recordings({ root, urls: [], ignore: [], redact: {} }), mode, { folder: title, title, location: `${title}.spec.ts:1` });
  const a = as('a', 'record');
  const written = ['first answer', 'second answer'].map((answer) => {
    const { request, decision } = ask(a, 'record');
    if (decision.kind !== 'record') throw new Error(decision.kind);
    return a.save({ request, response: { status: 200, headers: { 'content-type': 'application/json' }, framing: 'json', body: { answer } }, occurrence: decision.occurrence, test: 'a' });
  });
  const b = as('b', 'record-missing');
  const first = ask(b, 'replay').decision;
  expect(first).toMatchObject({ kind: 'replay', copiedFrom: written[0], found: { file: expect.stringContaining(`${testInfo.outputPath('llm', 'b')}`) } });
  expect(fs.readdirSync(testInfo.outputPath('llm', 'b')).sort()).toEqual(written.map((f) => f.split('/').pop()).sort());
  // Its second call is its own second occurrence, not its first one repeated.
  const second = ask(b, 'replay').decision;
  expect(second.kind === 'replay' && second.found.file).toBe(testInfo.outputPath('llm', 'b', written[1].split('/').pop()!));
  expect(second.kind === 'replay' && second.copiedFrom).toBeFalsy();
  expect(fs.readFileSync(testInfo.outputPath('llm', 'b', written[1].split('/').pop()!), 'utf8')).toContain('second answer');
});
