// The shape of an answer and how two shapes differ (src/wire/shape.ts), and the live request
// `verify --live` makes of a recording (src/core/drift.ts).
import { test, expect } from '@playwright/test';
import { compareShapes, eventKind, fieldsOf, shapeOf, type Answer } from '../../src/wire/shape.js';
import { liveRequest, recordedAnswer } from '../../src/core/drift.js';
import { liveProviderOf } from '../../src/wire/providers.js';
import type { Interaction } from '../../src/core/recording.js';

const json = (body: unknown, status = 200): Answer => ({ status, framing: 'json', body });
const stream = (events: { event?: string; data?: unknown }[], framing: 'sse' | 'ndjson' = 'sse'): Answer => ({ status: 200, framing, events });
const drift = (a: Answer, b: Answer) => compareShapes(shapeOf(a), shapeOf(b));

test('fields: paths with their JSON types, array items merged, values ignored', () => {
  const f = fieldsOf({ id: 'x', choices: [{ index: 0, text: 'a' }, { index: 1, text: null }], usage: { n: 1 } });
  expect(Object.fromEntries([...f].map(([k, v]) => [k, [...v].sort()]))).toEqual({
    '': ['object'],
    id: ['string'],
    choices: ['array'],
    'choices[]': ['object'],
    'choices[].index': ['number'],
    'choices[].text': ['null', 'string'],
    usage: ['object'],
    'usage.n': ['number'],
  });
  // Other values of the same shape: no drift.
  expect(drift(json({ id: 'a', choices: [{ index: 0 }], usage: { n: 3 } }), json({ id: 'bbb', choices: [{ index: 7 }, { index: 9 }], usage: { n: 0 } }))).toEqual([]);
});

test('added, removed and retyped fields are each named once (not the fields under an added one)', () => {
  const recorded = json({ id: 'a', usage: { total: 3 }, fingerprint: 'fp', old: { a: 1, b: 2 } });
  const live = json({ id: 'a', usage: { total: '3' }, tier: { name: 'x', level: 1 } });
  expect(drift(recorded, live)).toEqual(['field removed: fingerprint (was string)', 'field removed: old (was object)', 'field added: tier (object)', 'type changed: usage.total was number, now string']);
});

test('a changed status or framing is named', () => {
  expect(drift(json({ id: 'a' }), json({ error: { message: 'x' } }, 400))).toEqual(['status changed: was 200, now 400', 'field added: error (object)', 'field removed: id (was string)']);
  expect(drift(json({ id: 'a' }), stream([{ data: { id: 'a' } }]))).toEqual(['framing changed: was json, now sse']);
  expect(drift({ status: 200, framing: 'binary' }, { status: 200, framing: 'binary' })).toEqual([]);
});

test('streams: the sequence of event kinds (runs collapsed, text ignored) and each kind\'s fields', () => {
  const delta = (text: string) => ({ event: 'content_block_delta', data: { type: 'content_block_delta', delta: { text } } });
  const recorded = stream([{ event: 'message_start', data: { type: 'message_start' } }, delta('Hel'), delta('lo'), { event: 'message_stop', data: { type: 'message_stop' } }]);
  expect(shapeOf(recorded).sequence).toEqual(['message_start', 'content_block_delta', 'message_stop']);
  // More deltas, other text: the same.
  expect(drift(recorded, stream([{ event: 'message_start', data: { type: 'message_start' } }, delta('Good'), delta(' day'), delta('!'), { event: 'message_stop', data: { type: 'message_stop' } }]))).toEqual([]);
  // A new kind of event in the middle, and a kind's field retyped.
  const live = stream([{ event: 'message_start', data: { type: 'message_start' } }, { event: 'ping', data: { type: 'ping' } }, { event: 'content_block_delta', data: { type: 'content_block_delta', delta: { text: 1 } } }, { event: 'message_stop', data: { type: 'message_stop' } }]);
  expect(drift(recorded, live)).toEqual(['event sequence changed: was message_start, content_block_delta, message_stop; now message_start, ping, content_block_delta, message_stop', 'content_block_delta events: type changed: delta.text was string, now number']);
});

test('event kinds: the SSE name, else the payload type or object, [DONE], data', () => {
  expect(eventKind({ event: 'response.created', data: { type: 'other' } })).toBe('response.created');
  expect(eventKind({ data: { type: 'message_start' } })).toBe('message_start');
  expect(eventKind({ data: { object: 'chat.completion.chunk' } })).toBe('chat.completion.chunk');
  expect(eventKind({ data: { error: { message: 'x' } } })).toBe('error');
  expect(eventKind({ data: '[DONE]' })).toBe('[DONE]');
  expect(eventKind({ data: { candidates: [] } })).toBe('data');
  // A stream that now ends without [DONE]: a changed sequence.
  const chunk = { data: { object: 'chat.completion.chunk', choices: [] } };
  expect(drift(stream([chunk, { data: '[DONE]' }]), stream([chunk]))).toEqual(['event sequence changed: was chat.completion.chunk, [DONE]; now chat.completion.chunk']);
});

const recording = (url: string, headers: Record<string, string> = {}, response: Partial<Interaction['response']> = {}): Interaction => ({
  request: { method: 'POST', url, endpoint: new URL(url).pathname, headers: { 'content-type': 'application/json', ...headers }, body: { model: 'm', messages: [] } },
  response: { status: 200, headers: {}, framing: 'json', body: {}, ...response },
  occurrence: 0,
});

test('the live request: the key from the environment as each provider takes it, redacted headers and query left out', () => {
  const env = { OPENAI_API_KEY: 'sk-o', ANTHROPIC_API_KEY: 'sk-a', GOOGLE_API_KEY: 'g' };
  const openai = liveRequest(recording('https://api.openai.com/v1/chat/completions', { authorization: 'Bearer <redacted>', 'openai-organization': '<redacted>', 'openai-beta': 'assistants=v2' }), new Map(), env);
  expect(openai).toMatchObject({ url: 'https://api.openai.com/v1/chat/completions', method: 'POST', body: '{"model":"m","messages":[]}' });
  expect('headers' in openai && openai.headers).toEqual({ 'content-type': 'application/json', 'openai-beta': 'assistants=v2', authorization: 'Bearer sk-o' });
  const anthropic = liveRequest(recording('https://api.anthropic.com/v1/messages', { 'x-api-key': '<redacted>', 'anthropic-version': '2023-01-01' }), new Map(), env);
  expect('headers' in anthropic && anthropic.headers).toEqual({ 'content-type': 'application/json', 'anthropic-version': '2023-01-01', 'x-api-key': 'sk-a' });
  const gemini = liveRequest(recording('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse&key=<redacted>'), new Map([['gemini', 'http://127.0.0.1:9/prefix/']]), env);
  expect(gemini).toMatchObject({ url: 'http://127.0.0.1:9/prefix/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse', headers: { 'x-goog-api-key': 'g' } });
});

test('a key goes only to its provider (or the named base URL), never to the host a recording names', () => {
  const env = { OPENAI_API_KEY: 'sk-o' };
  // Recorded against a local stand-in or proxy: sent to the provider's own API.
  expect(liveRequest(recording('http://127.0.0.1:4010/v1/chat/completions'), new Map(), env)).toMatchObject({ url: 'https://api.openai.com/v1/chat/completions' });
  expect(liveRequest(recording('https://evil.example/v1/chat/completions'), new Map(), env)).toMatchObject({ url: 'https://api.openai.com/v1/chat/completions' });
  expect(liveProviderOf('http://127.0.0.1:4010/v1/messages')?.name).toBe('anthropic');
  // Another provider's host, Ollama, a WebSocket, an upload, a missing key: skipped, saying why.
  const skip = (x: Interaction, e: NodeJS.ProcessEnv = env) => (liveRequest(x, new Map(), e) as { skip: string }).skip;
  expect(skip(recording('https://api.groq.com/openai/v1/chat/completions'))).toContain('api.groq.com/openai/v1/chat/completions is not an API verify --live knows the key of');
  expect(skip(recording('http://localhost:11434/api/chat'))).toContain('is not an API verify --live knows the key of');
  expect(skip(recording('wss://api.openai.com/v1/realtime?model=x', {}, { framing: 'websocket' }))).toContain('a WebSocket conversation');
  expect(skip(recording('https://api.openai.com/v1/audio/transcriptions', { 'content-type': 'multipart/form-data' }))).toContain('a multipart upload');
  expect(skip(recording('https://api.anthropic.com/v1/messages'))).toBe('no ANTHROPIC_API_KEY set');
});

test("a recording's answer: [DONE] from its terminator, events kept as raw text parsed", () => {
  const x = recording('https://api.openai.com/v1/chat/completions', {}, {
    framing: 'sse',
    body: undefined,
    events: [{ data: { object: 'chat.completion.chunk' }, t: 0 }, { raw: ': keep-alive\n\n', t: 1 }, { raw: 'data:{"object":"chat.completion.chunk","x":1}\n\n', t: 2 }],
    terminator: { data: '[DONE]', t: 3 },
  });
  const shape = shapeOf(recordedAnswer(x));
  expect(shape.sequence).toEqual(['chat.completion.chunk', '[DONE]']);
  expect([...shape.kinds!.get('chat.completion.chunk')!.keys()]).toEqual(['', 'object', 'x']);
});
