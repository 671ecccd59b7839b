// serveSocket when the transport itself fails mid-replay (a page gone while a frame is sent): the
// replay stops, the client's end is closed with 1011, and the test hears why — never an unhandled
// rejection in the worker.
import fs from 'node:fs';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import { createSession, resolveOptions } from '../../src/options.js';
import { TestClock } from '../../src/core/clock.js';
import { serveSocket, type SocketTransport } from '../../src/core/socket/exchange.js';
import { serializeRecording } from '../../src/core/recording.js';

const URL_ = 'ws://127.0.0.1:9/v1/realtime?model=rt';

test('a transport that throws while a frame is sent ends the replay with 1011 and an InternalError naming the socket', async ({}, testInfo) => {
  const llmDir = testInfo.outputPath('llm');
  const folder = path.join(llmDir, 'unit', 'case');
  fs.mkdirSync(folder, { recursive: true });
  const socket = { frames: [{ from: 'server' as const, t: 0, json: { type: 'session.created' } }] };
  fs.writeFileSync(path.join(folder, 'realtime.json'), serializeRecording({ request: { method: 'GET', url: URL_, endpoint: '/v1/realtime?model=rt', headers: {}, body: null, model: 'rt' }, response: { status: 101, headers: {}, framing: 'websocket', socket }, occurrence: 0, test: 'unit > case' }));
  const session = createSession(resolveOptions({ llmDir, llmMode: 'replay', llmPace: 0, llmUrls: ['ws://127.0.0.1:9/**'] }, { baseDir: process.cwd() }), { folder: 'unit/case', title: 'unit > case', location: 'x.spec.ts:1' }, new TestClock());
  const closes: [number, string][] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const transport: SocketTransport = {
      where: 'page',
      send: () => {
        throw new Error('Target page, context or browser has been closed');
      },
      close: (code, reason) => void closes.push([code, reason]),
      onFrame: () => {},
      onClose: () => {},
      connect: () => Promise.reject(new Error('no upstream in replay')),
    };
    await serveSocket(session, { url: URL_, protocols: [], headers: [] }, transport);
    await expect.poll(() => closes.length).toBe(1);
    expect(closes[0][0]).toBe(1011);
    expect(session.ledger.errors.map((e) => e.message)).toEqual([expect.stringContaining(`the WebSocket ${URL_} could not be answered as recorded: Target page, context or browser has been closed`)]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).toEqual([]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test('a recorded client frame too deeply nested to compare (a hostile llmDir) ends the socket with 1011 and an InternalError, not a throw into the transport', async ({}, testInfo) => {
  const llmDir = testInfo.outputPath('llm');
  const folder = path.join(llmDir, 'unit', 'case');
  fs.mkdirSync(folder, { recursive: true });
  const deep = '['.repeat(200_000) + ']'.repeat(200_000);
  const file = `{"request":{"method":"GET","url":"${URL_}","headers":{},"body":null,"endpoint":"/v1/realtime?model=rt","model":"rt"},"response":{"status":101,"headers":{},"is_streaming":true,"framing":"websocket","body":null,"frames":[{"from":"client","t":0,"json":${deep}}]},"occurrence":0,"test":"unit > case"}`;
  fs.writeFileSync(path.join(folder, 'realtime.json'), file);
  const session = createSession(resolveOptions({ llmDir, llmMode: 'replay', llmPace: 0, llmUrls: ['ws://127.0.0.1:9/**'] }, { baseDir: process.cwd() }), { folder: 'unit/case', title: 'unit > case', location: 'x.spec.ts:1' }, new TestClock());
  const closes: [number, string][] = [];
  let deliver: (text: string) => void = () => {};
  const transport: SocketTransport = {
    where: 'proxy',
    send: () => {},
    close: (code, reason) => void closes.push([code, reason]),
    onFrame: (l) => void (deliver = (text) => l({ text })),
    onClose: () => {},
    connect: () => Promise.reject(new Error('no upstream in replay')),
  };
  await serveSocket(session, { url: URL_, protocols: [], headers: [] }, transport);
  expect(() => deliver('{"type":"session.update"}')).not.toThrow();
  expect(closes).toEqual([[1011, "llm-replay: a client frame could not be compared; see the test's error"]]);
  expect(session.ledger.errors.map((e) => e.message)).toEqual([expect.stringContaining(`the WebSocket ${URL_}: a client frame could not be compared with the recording: Maximum call stack size exceeded`)]);
});
