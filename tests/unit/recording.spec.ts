import fs from 'node:fs';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import { Entry, FileSchema, isEntry, isRecordingFile, parseRecording, serializeRecording } from '../../src/core/recording.js';
import { BIG_RECORDING_BYTES, openBigRecording } from '../../src/core/big-recording.js';
import { answerOf } from '../../src/core/replay.js';
import { RecordingFileError } from '../../src/core/errors.js';
import { StreamSplitter, renderEvent } from '../../src/wire/framing.js';
import { headerValue } from '../../src/core/headers.js';
import { Recorder } from '../../src/core/recorder.js';
import { Redactor } from '../../src/core/redact.js';
import { fromRoot } from '../support/paths.js';

const compat = fromRoot('fixtures/compat/llama-stack');
const seedFile = fromRoot('fixtures/llm/_seed/fireworks-hello-world.json');
const load = (name: string) => parseRecording(fs.readFileSync(path.join(compat, name), 'utf8'), name);

test('the seed file in fixtures/ is the seed, byte for byte', () => {
  const shared = fromRoot('../shared/seed/000_1781c2c750b97f5f.txt');
  test.skip(!fs.existsSync(shared), 'no ../shared beside this clone');
  expect(fs.readFileSync(seedFile).equals(fs.readFileSync(shared))).toBe(true);
});

test('the seed replays as OpenAI SSE: one chunk per event, then data: [DONE]', () => {
  const x = parseRecording(fs.readFileSync(seedFile, 'utf8'), seedFile);
  expect(x.request.endpoint).toBe('/v1/chat/completions');
  const plan = answerOf(x);
  expect(plan.status).toBe(200);
  expect(headerValue(plan.headers, 'content-type')).toBe('text/event-stream');
  const chunks = Array.from({ length: plan.count }, (_, i) => plan.chunk(i));
  expect(chunks).toHaveLength(27);
  expect(chunks.at(-1)!.toString()).toBe('data: [DONE]\n\n');
  const text = chunks.slice(0, -1).map((c) => JSON.parse(c.toString().replace(/^data: /, '')).choices[0].delta.content ?? '').join('');
  expect(text).toBe("Hello! It's nice to meet you. Is there something I can help you with, or would you like to chat?");
});

// Every kind of file llama-stack writes either loads, or is refused with a reason naming the file.
const refused: Record<string, RegExp> = {
  'gemini-generate-content-stream.json': /vertexai:\/\/\/generate_content_stream, which is not an HTTP URL/,
  'exception.json': /records a client exception, not an HTTP response/,
};
for (const name of fs.readdirSync(compat).filter((f) => f.endsWith('.json'))) {
  test(`llama-stack file ${name} ${refused[name] ? 'is refused by name' : 'loads and renders'}`, () => {
    if (refused[name]) {
      expect(() => load(name)).toThrow(RecordingFileError);
      expect(() => load(name)).toThrow(refused[name]);
      expect(() => load(name)).toThrow(name);
      return;
    }
    const x = load(name);
    const plan = answerOf(x);
    expect(plan.count).toBeGreaterThan(0);
    const bytes = Buffer.concat(Array.from({ length: plan.count }, (_, i) => plan.chunk(i))).toString();
    if (x.response.framing === 'sse') expect(bytes).toMatch(/^(event: .*\n)?data: /);
    if (x.response.framing === 'ndjson') for (const line of bytes.trim().split('\n')) JSON.parse(line);
    if (x.response.framing === 'json') JSON.parse(bytes);
  });
}

test('raw SSE lines (Anthropic via llama-stack) keep their event names', () => {
  const x = load('anthropic-messages-stream-rawlines.json');
  expect(x.response.events!.at(0)!.event).toBe('message_start');
  expect(x.response.events!.at(-1)!.event).toBe('message_stop');
  expect(x.response.terminator).toBeUndefined();
});

test('a model list is served in its wire shape', () => {
  const x = load('models-list.json');
  expect(x.response.body).toMatchObject({ object: 'list', data: [{ object: 'model' }] });
});

test('what we write, we read back unchanged, in the seed’s top-level shape', () => {
  const x = load('chat-stream-toolcalls.json');
  x.response.events = [...x.response.events!].map((e, i) => ({ ...e, t: i * 12.5 }));
  const text = serializeRecording(x);
  const json = JSON.parse(text);
  expect(Object.keys(json.request)).toEqual(['method', 'url', 'headers', 'body', 'endpoint', 'model']);
  expect(json.response.body[0].__type__).toBe('openai.types.chat.chat_completion_chunk.ChatCompletionChunk');
  expect(json.response.terminator).toEqual({ data: '[DONE]', t: x.response.terminator!.t });
  const back = parseRecording(text, 'x.json');
  expect(back.response.events).toEqual(x.response.events);
  expect(serializeRecording(back)).toBe(text);
});

test('a corrupt recording is named, with what is wrong and what to do', () => {
  expect(() => parseRecording('{"request": {', 'fixtures/llm/a.json')).toThrow(/recording fixtures\/llm\/a.json is not valid JSON .*Fix it, or delete it and record again/s);
  // The message says where, never what: a file's text may be anything.
  expect(() => parseRecording('{"request": SECRET-TEXT-HERE}', 'd.json')).toThrow(/d.json is not valid JSON \(syntax error at line 1, column \d+\)/);
  expect(() => parseRecording('{"request": SECRET-TEXT-HERE}', 'd.json')).not.toThrow(/SECRET/);
  expect(() => parseRecording('{"request": {"url": 3}, "response": {}}', 'b.json')).toThrow(/recording b.json does not have the shape of a recording:[\s\S]*request\.url[\s\S]*response\.is_streaming/);
  const badEvent = { request: { url: 'https://api.openai.com/v1/chat/completions', body: {} }, response: { is_streaming: true, body: [{ __data__: {}, t: 'soon' }] } };
  expect(() => parseRecording(JSON.stringify(badEvent), 'c.json')).toThrow(/c.json has a malformed stream event at response.body\[0\]/);
});

test('SSE splitting completes an event split across reads, handles CRLF and multi-line data', () => {
  const p = new StreamSplitter('sse');
  expect(p.push(Buffer.from('event: message_start\ndata: {"a"'), 1)).toEqual([]);
  expect(p.push(Buffer.from(':1}\n\n: keep-alive\n\ndata: [DONE]\n\ndata: one\ndata: two\n\n'), 2)).toEqual([
    { event: 'message_start', data: { a: 1 }, t: 2 },
    { raw: ': keep-alive\n\n', t: 2 },
    { data: '[DONE]', t: 2 },
    { data: 'one\ntwo', t: 2 },
  ]);
  expect(renderEvent('sse', { data: 'one\ntwo' })).toBe('data: one\ndata: two\n\n');
  const n = new StreamSplitter('ndjson');
  expect(n.push(Buffer.from('{"x":1}\n{"y"'), 0)).toEqual([{ data: { x: 1 }, t: 0 }]);
  expect(n.push(Buffer.from(':2}\n{"z":3}'), 6)).toEqual([{ data: { y: 2 }, t: 6 }]);
  expect(n.end(7)).toEqual([{ data: { z: 3 }, raw: '{"z":3}', t: 7 }]);
});

// Awkward but legal streams: every event is replayed as exactly the bytes that arrived, however
// the stream was cut into reads; events the readable form cannot reproduce keep their raw text.
const AWKWARD: Record<string, string> = {
  'mixed line endings': 'data: {"a":1}\n\r\ndata: {"b":2}\r\n\r\ndata: {"c":3}\r\rdata: [DONE]\n\n',
  'CRLF throughout': 'event: message_start\r\ndata: {"type":"message_start"}\r\n\r\ndata: {"b":2}\r\n\r\n',
  'comments and retry': ': ping\n\nretry: 3000\n\ndata: {"a":1}\n\n',
  'odd fields and spacing': 'id: 7\ndata:{"c":3}\n\nevent:  spaced\ndata: x\n\nfoo: bar\ndata: y\n\n',
  'event without data': 'event: weird\n\ndata: {"a":1}\n\n',
  'garbage and a cut-off tail': 'garbage\n\ndata: {"a":1}\n\ndata: {"unfinished":',
  'spaced JSON': 'data: {"a": 1, "b": [1, 2]}\n\n',
  'a JSON string payload': 'data: "quoted"\n\n',
};
for (const [name, stream] of Object.entries(AWKWARD)) {
  test(`SSE: ${name} replays byte for byte`, () => {
    const bytes = Buffer.from(stream);
    for (const cut of [1, 2, 5, 13, bytes.length]) {
      const s = new StreamSplitter('sse');
      const events = [];
      for (let i = 0; i < bytes.length; i += cut) events.push(...s.push(bytes.subarray(i, i + cut), i));
      events.push(...s.end(bytes.length));
      expect(events.map((e) => renderEvent('sse', e, s.eol)).join(''), `cut every ${cut} bytes`).toBe(stream);
    }
  });
}

test('events that render back exactly are stored readable, without raw text', () => {
  const s = new StreamSplitter('sse');
  const events = [...s.push(Buffer.from('event: delta\ndata: {"t":"hi"}\n\ndata: {"a": 1}\n\n'), 0), ...s.end(0)];
  expect(events[0]).toEqual({ event: 'delta', data: { t: 'hi' }, t: 0 });
  expect(events[1]).toEqual({ data: { a: 1 }, raw: 'data: {"a": 1}\n\n', t: 0 });
  const crlf = new StreamSplitter('sse');
  const e2 = [...crlf.push(Buffer.from('data: {"a":1}\r\n\r\n'), 0), ...crlf.end(0)];
  expect(crlf.eol).toBe('\r\n');
  expect(e2).toEqual([{ data: { a: 1 }, t: 0 }]);
});

test('a raw event and a CRLF stream survive the file: written, read back, replayed the same', () => {
  const x = load('chat-stream-toolcalls.json');
  x.response.events = [{ raw: ': keep-alive\r\n\r\n', t: 1 }, { data: { a: 1 }, t: 2 }, { data: { b: 2 }, raw: 'data:{"b":2}\r\n\r\n', t: 3 }];
  x.response.eol = '\r\n';
  x.response.terminator = { data: '[DONE]', t: 4 };
  const text = serializeRecording(x);
  const back = parseRecording(text, 'x.json');
  const answer = answerOf(back);
  expect(Buffer.concat(Array.from({ length: answer.count }, (_, i) => answer.chunk(i))).toString()).toBe(': keep-alive\r\n\r\ndata: {"a":1}\r\n\r\ndata:{"b":2}\r\n\r\ndata: [DONE]\r\n\r\n');
  // One line per event in the file.
  expect(text).toContain('\n      {"__type__":"openai.types.chat.chat_completion_chunk.ChatCompletionChunk","__data__":{"a":1},"t":2},\n');
});

test('a finished recording is what its file reads back as, so this process replays what a later one will', () => {
  const recorder = new Recorder(load('chat-stream-toolcalls.json').request, new Redactor());
  recorder.response(200, [['content-type', 'text/event-stream']]);
  recorder.chunk(Buffer.from('data: {"a":1}\n\n'));
  recorder.chunk(Buffer.from('data: {"b":2}\n\ndata: [DONE]\n\n'));
  const x = recorder.finish(0, 'a test');
  const back = parseRecording(serializeRecording(x), 'x.json');
  expect(back.response.events).toEqual(x.response.events);
  expect(back.response.terminator).toEqual(x.response.terminator);
});

test('the hand check of a recording file agrees with its zod schema', () => {
  const valid = [
    ...fs.readdirSync(compat).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(fs.readFileSync(path.join(compat, f), 'utf8'))),
    JSON.parse(fs.readFileSync(seedFile, 'utf8')),
    // When it was recorded, in UTC and with an offset.
    { request: { url: 'https://api.openai.com/v1/models' }, response: { is_streaming: false, body: [] }, test: 't', recorded_at: '2026-12-02T11:15:04.000Z' },
    { request: { url: 'https://api.openai.com/v1/models' }, response: { is_streaming: false, body: [] }, recorded_at: '2026-12-02T12:15:04+01:00' },
    // A binary answer in a side file, that arrived in pieces.
    { request: { url: 'https://api.openai.com/v1/audio/speech', body: {} }, response: { status: 200, is_streaming: false, framing: 'binary', encoding: 'file', body: { file: '0123456789abcdef.mp3', size: 3, sha256: 'a'.repeat(64) }, chunks: [{ t: 0, size: 1 }, { t: 2.5, size: 2 }] } },
    // A WebSocket conversation: its frames (json, text or binary) and its close.
    {
      request: { method: 'GET', url: 'wss://api.openai.com/v1/realtime?model=gpt-realtime', protocols: ['realtime'] },
      response: {
        status: 101,
        is_streaming: true,
        framing: 'websocket',
        body: null,
        frames: [{ from: 'server', t: 5, json: { type: 'session.created' } }, { from: 'client', t: 40, text: 'hi' }, { from: 'server', t: 41, binary: 'AAE=' }],
        close: { code: 1000, reason: 'bye', by: 'server', t: 130 },
      },
    },
  ];
  const mutations: ((x: any) => void)[] = [
    (x) => delete x.request,
    (x) => (x.request.url = ''),
    (x) => (x.request.url = 3),
    (x) => (x.request.method = 5),
    (x) => delete x.request.method,
    (x) => (x.request.headers = 'h'),
    (x) => (x.request.model = 1),
    (x) => (x.response.status = 99),
    (x) => (x.response.status = 200.5),
    (x) => (x.response.headers = { a: 1 }),
    (x) => delete x.response.is_streaming,
    (x) => (x.response.framing = 'xml'),
    (x) => (x.response.eol = '\n\n'),
    (x) => (x.response.encoding = 'hex'),
    (x) => (x.response.encoding = 'file'),
    (x) => (x.response.chunks = 'c'),
    (x) => (x.response.chunks = [{ t: -1, size: 1 }]),
    (x) => (x.response.chunks = [{ t: 0, size: 0 }]),
    (x) => (x.response.chunks = [{ t: 0, size: 1.5 }]),
    (x) => (x.response.chunks = [{ t: 0 }]),
    (x) => (x.response.json = { indent: 9, newline: true }),
    (x) => (x.response.terminator = { data: '[DONE]', t: -1 }),
    (x) => (x.request.protocols = 'realtime'),
    (x) => (x.request.protocols = [1]),
    (x) => (x.response.frames = {}),
    (x) => (x.response.frames[0].from = 'proxy'),
    (x) => (x.response.frames[0].t = -1),
    (x) => (x.response.frames[0].text = 'also'),
    (x) => delete x.response.frames[0].json,
    (x) => (x.response.frames[1].text = 5),
    (x) => (x.response.frames[2].binary = [0, 1]),
    (x) => (x.response.frames[0] = [x.response.frames[0]]),
    (x) => (x.response.close = { code: 999, reason: '', by: 'server', t: 0 }),
    (x) => (x.response.close = { code: 1000.5, reason: '', by: 'server', t: 0 }),
    (x) => (x.response.close = { code: 1000, reason: 3, by: 'server', t: 0 }),
    (x) => (x.response.close = { code: 1000, reason: '', by: 'proxy', t: 0 }),
    (x) => (x.response.close = { code: 1000, reason: '', by: 'client', t: -1 }),
    (x) => (x.response.close = 'bye'),
    (x) => (x.occurrence = -1),
    (x) => (x.test = 7),
    (x) => (x.recorded_at = 1764674104000),
    (x) => (x.recorded_at = null),
    (x) => (x.recorded_at = '2026-12-02'),
    (x) => (x.recorded_at = '2026-12-02 11:15:04'),
    (x) => (x.recorded_at = '2026-12-02T11:15:04'),
    (x) => (x.recorded_at = '2026-13-45T11:15:04Z'),
    (x) => (x.recorded_at = 'last week'),
    (x) => (x.recorded_at = '2026-12-02T11:15:04.5Z'),
    (x) => (x.response = []),
  ];
  for (const file of valid) {
    expect(FileSchema.safeParse(file).success, file.request.url).toBe(true);
    expect(isRecordingFile(structuredClone(file))).toBe(true);
    for (const mutate of mutations) {
      const x = structuredClone(file);
      try {
        mutate(x);
      } catch {
        continue;
      }
      const checked = structuredClone(x);
      expect(isRecordingFile(checked), mutate.toString()).toBe(FileSchema.safeParse(x).success);
      expect(checked, `${mutate} left as it was`).toEqual(x);
    }
  }
});

test('the hand check of a stream event agrees with its zod schema', () => {
  const files = [...fs.readdirSync(compat).filter((f) => f.endsWith('.json')).map((f) => path.join(compat, f)), seedFile].map((f) => JSON.parse(fs.readFileSync(f, 'utf8')));
  const events: unknown[] = files.flatMap((x) => (x.response.is_streaming ? x.response.body : [])).filter((e: unknown) => typeof e !== 'string');
  events.push({ raw: ': keep-alive', t: 3 }, { __data__: null }, { event: 'ping', id: '7', __data__: {}, t: 0 });
  expect(events.length).toBeGreaterThan(20);
  const mutations: ((e: any) => unknown)[] = [
    (e) => ((e.t = -1), e),
    (e) => ((e.t = '5'), e),
    (e) => ((e.event = 5), e),
    (e) => ((e.id = null), e),
    (e) => ((e.raw = 1), e),
    (e) => ((e.__type__ = {}), e),
    (e) => (delete e.__data__, delete e.raw, e),
    (e) => ((e.__data__ = undefined), (e.raw = undefined), e),
    (e) => Object.assign([], e), // an array with an event's fields
    () => null,
    () => 'data: {}',
  ];
  for (const event of events) {
    expect(isEntry(structuredClone(event)), JSON.stringify(event)).toBe(Entry.safeParse(event).success);
    for (const mutate of mutations) {
      const x = mutate(structuredClone(event));
      expect(isEntry(x), `${mutate} of ${JSON.stringify(event).slice(0, 80)}`).toBe(Entry.safeParse(x).success);
    }
  }
});

test('a recording without request.method is a POST, and checking it changes nothing', () => {
  const x = JSON.parse(fs.readFileSync(seedFile, 'utf8'));
  delete x.request.method;
  const text = JSON.stringify(x);
  const checked = JSON.parse(text);
  expect(isRecordingFile(checked)).toBe(true);
  expect(checked).toEqual(x);
  expect(parseRecording(text, 'x.json').request.method).toBe('POST');
});

test('a big recording is read event by event, and replays the same bytes as when parsed whole', async ({}, testInfo) => {
  const x = load('chat-stream-toolcalls.json');
  const one = [...x.response.events!][1];
  x.response.events = Array.from({ length: 20_000 }, (_, i) => ({ ...one, t: i }));
  const text = serializeRecording(x);
  expect(text.length).toBeGreaterThan(BIG_RECORDING_BYTES);
  const file = testInfo.outputPath('big.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  const big = openBigRecording(file, text.length)!;
  const whole = parseRecording(text, 'big.json');
  expect(Array.isArray(big.response.events)).toBe(false);
  expect(Array.isArray(whole.response.events)).toBe(true);
  const bytes = (a: ReturnType<typeof answerOf>) => Buffer.concat(Array.from({ length: a.count }, (_, i) => a.chunk(i)));
  expect(bytes(answerOf(big)).equals(bytes(answerOf(whole)))).toBe(true);
  expect(big.request).toEqual(whole.request);
  // A damaged event is named when it is reached.
  fs.writeFileSync(file, text.replace('"t":19999}', '"t":"late"}'));
  const events = openBigRecording(file, fs.statSync(file).size)!.response.events!;
  expect(() => events.at(19_999)).toThrow(/big\.json has a malformed stream event at response\.body\[19999\]/);
});

test('a recording keeps when it was recorded: set when recorded, written beside test, read back; a file without it is of unknown age', () => {
  const before = Date.now();
  const recorder = new Recorder(load('chat-stream-toolcalls.json').request, new Redactor());
  recorder.response(200, [['content-type', 'application/json']]);
  recorder.chunk(Buffer.from('{"a":1}'));
  const x = recorder.finish(0, 'a test');
  const at = Date.parse(x.recordedAt!);
  expect(at).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
  expect(at).toBeLessThanOrEqual(Date.now());
  expect(x.recordedAt).toBe(new Date(at).toISOString());
  const text = serializeRecording(x);
  const json = JSON.parse(text);
  expect(Object.keys(json)).toEqual(['request', 'response', 'occurrence', 'test', 'recorded_at', 'recorder']);
  expect([json.test, json.recorded_at]).toEqual(['a test', x.recordedAt]);
  const back = parseRecording(text, 'x.json');
  expect(back.recordedAt).toBe(x.recordedAt);
  expect(serializeRecording(back)).toBe(text);
  // A WebSocket conversation's file holds it too.
  const socket = { ...back, request: { ...back.request, method: 'GET', url: 'wss://api.openai.com/v1/realtime' }, response: { status: 101, headers: {}, framing: 'websocket' as const, socket: { frames: [{ from: 'server' as const, t: 1, json: { type: 'session.created' } }] } } };
  const socketText = serializeRecording(socket);
  expect(JSON.parse(socketText).recorded_at).toBe(x.recordedAt);
  expect(parseRecording(socketText, 's.json').recordedAt).toBe(x.recordedAt);
  // Files recorded before it was kept (and llama-stack's) have none, and are written without one.
  const old = load('chat-stream-toolcalls.json');
  expect(old.recordedAt).toBeUndefined();
  expect(JSON.parse(serializeRecording(old))).not.toHaveProperty('recorded_at');
  // One that is not an ISO time is named, with what it should be.
  const bad = JSON.parse(text);
  bad.recorded_at = 'last week';
  expect(() => parseRecording(JSON.stringify(bad), 'bad.json')).toThrow(/recording bad\.json does not have the shape of a recording:[\s\S]*recorded_at must be an ISO time, e\.g\. 2026-12-02T11:15:04\.000Z/);
});
