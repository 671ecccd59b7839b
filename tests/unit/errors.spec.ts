import fs from 'node:fs';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import * as pkg from '../../src/index.js';
import { ERROR_CODES, LlmReplayError, PREFIX, RecordingFileError, detailOf, errorFromLine, errorToLine } from '../../src/core/errors.js';

const src = path.join(path.dirname(new URL(import.meta.url).pathname), '../../src');

test('every error class has its stable code, its name, and the prefix once; the package exports them all', () => {
  for (const [name, code] of Object.entries(ERROR_CODES)) {
    const Kind = (pkg as unknown as Record<string, new (...args: string[]) => LlmReplayError>)[name];
    expect(Kind, `${name} is exported from the package`).toBeDefined();
    const error = Kind === RecordingFileError ? new Kind('chat.json', 'is not valid JSON.') : new Kind('something is wrong.');
    expect(error).toBeInstanceOf(LlmReplayError);
    expect(error).toBeInstanceOf(Error);
    expect([error.name, error.code]).toEqual([name, code]);
    expect(error.message.startsWith(PREFIX), error.message).toBe(true);
    expect(error.message.split('playwright-llm-replay').length, error.message).toBe(2);
    expect(error.detail).toBe(error.message.slice(PREFIX.length));
  }
  expect(pkg.ERROR_CODES).toBe(ERROR_CODES);
  expect(new Set(Object.values(ERROR_CODES)).size).toBe(Object.keys(ERROR_CODES).length);
  const file = new RecordingFileError('a/b.json', 'is not valid JSON.');
  expect([file.message, file.problem, file.file]).toEqual(['playwright-llm-replay: recording a/b.json is not valid JSON.', 'is not valid JSON.', 'a/b.json']);
  expect(detailOf(new Error('plain'))).toBe('plain');
});

test('an error reported by another process comes back as the same class, code and message', () => {
  for (const error of [new pkg.ReplayMissError('no recording for GET /x.'), new pkg.StoreError('nothing written.'), new RecordingFileError('x.json', 'is empty.'), new pkg.UnfinishedCallError('still going.')]) {
    const back = errorFromLine(JSON.parse(JSON.stringify(errorToLine(error))));
    expect([back.constructor, back.code, back.message]).toEqual([error.constructor, error.code, error.message]);
  }
});

// The only plain errors the plugin makes are the ones that must look like the network's to a client.
const ALLOWED: Record<string, string[]> = {
  'core/exchange.ts': ["new Error('other side closed'"], // undici's SocketError (UND_ERR_SOCKET) for a dropAfter fault
  'node/sink.ts': ["new Error('aborted'"], // an abort's reason, as undici's
  'upstream.ts': ["new Error('aborted'"],
  'node/socket.ts': ['new Error(`the server did not open the WebSocket'], // the upstream's socket failed, as the network's (a close reason)
  'proxy.ts': ["new Error('The client closed the connection'"], // aborts the upstream call
  'browser/page-script.ts': ["new TypeError('network error'", 'new Error(`EventSource'], // what the browser's fetch and EventSource raise
  'browser/socket-route.ts': ["new Error('the WebSocket did not open"], // a handshake the browser could not make: the network's failure, as an upstream's
};

test("src/ throws only the plugin's error classes, and types the prefix only in errors.ts", () => {
  const files = fs.readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  expect(files.length).toBeGreaterThan(20);
  const found: string[] = [];
  for (const file of files) {
    const rel = file.split(path.sep).join('/');
    const text = fs.readFileSync(path.join(src, file), 'utf8');
    for (const m of text.matchAll(/new (?:Type|Range|Syntax)?Error\([^)]{0,40}/g)) {
      if (!(ALLOWED[rel] ?? []).some((a) => m[0].startsWith(a))) found.push(`${rel}: ${m[0]}`);
    }
    if (rel !== 'core/errors.ts') {
      for (const m of text.matchAll(/extends (?:Type)?Error\b|playwright-llm-replay(?: proxy)?: |replace\(\/\^playwright-llm-replay/g)) found.push(`${rel}: ${m[0]}`);
    }
  }
  expect(found).toEqual([]);
});
