// A recorded realtime conversation replayed against a client (src/core/socket/conversation.ts),
// with no socket and no timer: which server frames go out after which client frame, with which
// delays; volatile ids and llmIgnore paths out of the match; audio compared by hash; a frame that
// does not continue the conversation named by index, type and fields.
import { test, expect } from '@playwright/test';
import { type Conversation, type Frame, Replay, describeFrameMiss, frameContent } from '../../src/core/socket/conversation.js';
import { Redactor } from '../../src/core/redact.js';
import { recordingTranscript } from '../../src/core/transcript.js';
import { summarizeFrames } from '../../src/wire/realtime.js';

const URL_ = 'wss://api.openai.com/v1/realtime?model=gpt-realtime';
const rules = (ignore: string[] = []) => ({ ignore, redactor: new Redactor({}) });
const client = (t: number, json: object): Frame => ({ from: 'client', t, json });
const server = (t: number, json: object): Frame => ({ from: 'server', t, json });
const AUDIO = Buffer.alloc(4800, 7).toString('base64');

const conversation: Conversation = {
  frames: [
    server(5, { type: 'session.created' }),
    client(40, { type: 'conversation.item.create', event_id: 'evt_AAA111', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] } }),
    client(41, { type: 'input_audio_buffer.append', event_id: 'evt_AAA112', audio: AUDIO }),
    client(42, { type: 'response.create', event_id: 'evt_AAA113' }),
    server(60, { type: 'response.created' }),
    server(75, { type: 'response.output_text.delta', delta: 'Hel' }),
    server(95, { type: 'response.output_text.delta', delta: 'lo' }),
    server(100, { type: 'response.done' }),
  ],
  close: { code: 1000, reason: 'bye', by: 'server', t: 130 },
};
const sent = (steps: { send?: Frame; close?: unknown; delay: number }[]) => steps.map((s) => (s.send ? [(s.send.json as { type: string }).type, s.delay] : ['close', s.delay]));

test('server frames go out after the client frames recorded before them, each after its recorded gap; then the server closes', () => {
  const r = new Replay(conversation, rules(), URL_);
  expect(sent(r.opening())).toEqual([['session.created', 5]]);
  // New event ids on every run: not part of the match.
  const a = r.heard(client(0, { ...(conversation.frames[1].json as object), event_id: 'evt_NEW1' }));
  expect(a).toEqual({ steps: [] });
  expect(r.heard(client(0, { type: 'input_audio_buffer.append', event_id: 'evt_NEW2', audio: AUDIO }))).toEqual({ steps: [] });
  const b = r.heard(client(0, { type: 'response.create', event_id: 'evt_NEW3' }));
  expect('steps' in b && sent(b.steps)).toEqual([['response.created', 18], ['response.output_text.delta', 15], ['response.output_text.delta', 20], ['response.done', 5], ['close', 30]]);
  expect(r.done).toBe(true);
});

test('a changed user message is a miss naming the frame index, its type and the field, old and new', () => {
  const r = new Replay(conversation, rules(), URL_);
  r.opening();
  const res = r.heard(client(0, { type: 'conversation.item.create', event_id: 'x', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hello there' }] } }));
  expect('miss' in res).toBe(true);
  if (!('miss' in res)) return;
  expect(res.miss).toMatchObject({ index: 0, type: 'conversation.item.create' });
  expect(describeFrameMiss(res.miss, (v) => JSON.stringify(v))).toBe('client frame 0 (conversation.item.create) differs from the recorded one: item.content[0].text: "Hello there" (recorded: "Hi")');
});

test('other audio is a miss shown by hash, not by its base64; llmIgnore paths leave a field out', () => {
  const r = new Replay(conversation, rules(), URL_);
  r.opening();
  r.heard(conversation.frames[1]);
  const res = r.heard(client(0, { type: 'input_audio_buffer.append', audio: Buffer.alloc(4800, 8).toString('base64') }));
  if (!('miss' in res)) throw new Error('expected a miss');
  const line = describeFrameMiss(res.miss, (v) => JSON.stringify(v));
  expect(line).toMatch(/^client frame 1 \(input_audio_buffer.append\) differs from the recorded one: audio: "sha256:[0-9a-f]{64} \(6400 chars\)" \(recorded: "sha256:[0-9a-f]{64} \(6400 chars\)"\)$/);
  const ignoring = new Replay(conversation, rules(['item.content']), URL_);
  ignoring.opening();
  expect(ignoring.heard(client(0, { type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'anything' }] } }))).toEqual({ steps: [] });
});

test('a client frame past the end of the recording is a miss; a binary frame is matched by its hash', () => {
  const r = new Replay({ frames: [client(0, { setup: { model: 'models/gemini-live' } }), server(3, { setupComplete: {} })] }, rules(), URL_);
  expect(r.opening()).toEqual([]);
  expect('steps' in r.heard(client(0, { setup: { model: 'models/gemini-live' } }))).toBe(true);
  const res = r.heard(client(0, { clientContent: { turns: [] } }));
  if (!('miss' in res)) throw new Error('expected a miss');
  expect(describeFrameMiss(res.miss, String)).toBe('client frame 1 (clientContent) was not in the recording (it ended before it)');
  expect(frameContent({ from: 'client', t: 0, binary: 'AAAA' }, rules(), URL_)).toEqual({ binary: expect.stringMatching(/^sha256:/) });
});

test('a socket as show and llm-calls.txt print it: what the user said last, the answer, frames each way, how it closed', () => {
  const x = {
    request: { method: 'GET', url: URL_, endpoint: '/v1/realtime?model=gpt-realtime', headers: {}, body: null, model: 'gpt-realtime' },
    response: { status: 101, headers: {}, framing: 'websocket' as const, socket: conversation },
    occurrence: 0,
    test: 'chat > talks',
  };
  expect(recordingTranscript(x, '/llm/chat/talks/realtime.0.json', '/llm')).toBe(
    [
      'test: chat > talks · status 101',
      'GET /v1/realtime?model=gpt-realtime · gpt-realtime',
      '   asked:    Hi',
      '   answered: Hello',
      '   socket:   3 frames from the client, 5 from the server; closed by the server, 1000 bye',
      '   over 130 ms · chat/talks/realtime.0.json',
    ].join('\n'),
  );
});

test('Gemini Live frames are summarized too: the client turn and the model turn’s text parts', () => {
  const frames: Frame[] = [
    client(0, { setup: { model: 'models/gemini-live-2.5-flash' } }),
    server(5, { setupComplete: {} }),
    client(10, { clientContent: { turns: [{ role: 'user', parts: [{ text: 'Bonjour' }] }], turnComplete: true } }),
    server(30, { serverContent: { modelTurn: { parts: [{ text: 'Echo: ' }] } } }),
    server(40, { serverContent: { modelTurn: { parts: [{ text: 'Bonjour' }] } } }),
    server(50, { serverContent: { turnComplete: true } }),
  ];
  expect(summarizeFrames(frames)).toEqual({ question: 'Bonjour', answer: 'Echo: Bonjour' });
});
