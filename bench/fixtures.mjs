// Recordings and in-memory peers for the benchmarks.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Dispatcher, getGlobalDispatcher, setGlobalDispatcher } from 'undici';
import { install } from '../dist/node/index.js';
import { Session } from '../dist/core/session.js';
import { chatEvents, rate, sseChunks } from './lib.mjs';

export const API = 'https://bench.test/v1/chat/completions';

export function tempDir(name) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `llm-bench-${name}-`));
}

/** The request body of the i-th distinct question. */
export const body = (i, extra = {}) => JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `question ${i}` }], stream: true, ...extra });

/**
 * Writes `count` recordings of streamed answers (`events` events each, then [DONE]) into one test
 * folder under `root`, as the plugin itself would, and returns the session options to replay them.
 */
export function writeRecordings(root, { count, events = 24, folder = 'bench', streamed = true, bodyOf = body }) {
  const session = new Session({ root, mode: 'record', pace: 0, urls: [], ignore: [], redact: {}, test: { folder, title: folder, location: '' } });
  for (let i = 0; i < count; i++) {
    const request = session.recordings.describe({ method: 'POST', url: API, headers: [['content-type', 'application/json']], body: Buffer.from(bodyOf(i)) });
    const list = chatEvents(events, `chatcmpl-${i}`);
    const response = streamed
      ? { status: 200, headers: { 'content-type': 'text/event-stream' }, framing: 'sse', events: list.map((data, k) => ({ data, t: k })), terminator: { data: '[DONE]', t: events } }
      : { status: 200, headers: { 'content-type': 'application/json' }, framing: 'json', body: { id: `chatcmpl-${i}`, object: 'chat.completion', created: 1767225600, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: list.map((e) => e.choices[0].delta.content ?? '').join('') }, finish_reason: 'stop' }] } };
    session.shelf.save({ request, response, occurrence: 0, test: folder });
  }
  return { llmDir: root, llmMode: 'replay', llmUrls: ['https://bench.test/**'], folder };
}

/**
 * The limit for chunked delivery through fetch: a minimal in-memory dispatcher that answers every
 * request with the same chunks, one per read (each after the reader pulled for it). It reads the
 * request body as fetch hands it to a mock (`isMockActive`), as the plugin does.
 */
export class ChunkDispatcher extends Dispatcher {
  constructor(chunks, headers = ['content-type', 'text/event-stream']) {
    super();
    this.chunks = chunks;
    this.headers = headers.map((h) => Buffer.from(h));
  }

  get isMockActive() {
    return true;
  }

  dispatch(opts, handler) {
    // The next chunk goes when fetch's reader pulls (it calls `resume`): the least that keeps one read per chunk.
    let wake = () => {};
    const next = () => new Promise((resolve) => (wake = resolve));
    handler.onConnect?.(() => {});
    void (async () => {
      if (opts.body && typeof opts.body !== 'string' && !(opts.body instanceof Uint8Array)) for await (const _ of opts.body);
      handler.onHeaders(200, this.headers, () => wake(), 'OK');
      for (let i = 0; i < this.chunks.length; i++) {
        handler.onData(this.chunks[i]);
        if (i < this.chunks.length - 1) await next();
      }
      handler.onComplete([]);
    })();
    return true;
  }
}

export { sseChunks, chatEvents };

/** A contender: `n` calls of `fn` with `dispatcher` as the global dispatcher, as calls/s. */
export const under = (dispatcher, n, fn) => async () => {
  const original = getGlobalDispatcher();
  setGlobalDispatcher(dispatcher);
  try {
    return await rate(n, fn);
  } finally {
    setGlobalDispatcher(original);
  }
};

/** The plugin as a contender: `n` calls of `fn` replayed from `options` (a fresh session each round), as calls/s. */
export const replaying = (options, n, fn) => async () => {
  const replay = install(options);
  try {
    return await rate(n, fn);
  } finally {
    replay.uninstall();
  }
};
