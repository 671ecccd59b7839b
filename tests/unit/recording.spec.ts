import fs from 'node:fs';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import { parseRecording, serializeRecording } from '../../src/core/recording.js';
import { replayPlan } from '../../src/core/replay.js';
import { RecordingFileError } from '../../src/core/errors.js';
import { StreamParser, renderEvent } from '../../src/wire/framing.js';
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
  const plan = replayPlan(x, 0);
  expect(plan.status).toBe(200);
  expect(plan.headers['content-type']).toBe('text/event-stream');
  expect(plan.chunks).toHaveLength(27);
  expect(plan.chunks.at(-1)!.data.toString()).toBe('data: [DONE]\n\n');
  const text = plan.chunks.slice(0, -1).map((c) => JSON.parse(c.data.toString().replace(/^data: /, '')).choices[0].delta.content ?? '').join('');
  expect(text).toBe("Hello! It's nice to meet you. Is there something I can help you with, or would you like to chat?");
});

// Every kind of file llama-stack writes either loads, or is refused with a reason naming the file.
const refused: Record<string, RegExp> = {
  'gemini-generate-content-stream.json': /vertexai:\/\/\/generate_content_stream, which is not an HTTP URL/,
  'exception.json': /records a client exception .*Invalid service_tier argument/,
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
    const plan = replayPlan(x, 1);
    expect(plan.chunks.length).toBeGreaterThan(0);
    const bytes = Buffer.concat(plan.chunks.map((c) => c.data)).toString();
    if (x.response.framing === 'sse') expect(bytes).toMatch(/^(event: .*\n)?data: /);
    if (x.response.framing === 'ndjson') for (const line of bytes.trim().split('\n')) JSON.parse(line);
    if (x.response.framing === 'json') JSON.parse(bytes);
  });
}

test('raw SSE lines (Anthropic via llama-stack) keep their event names', () => {
  const x = load('anthropic-messages-stream-rawlines.json');
  expect(x.response.events![0].event).toBe('message_start');
  expect(x.response.events!.at(-1)!.event).toBe('message_stop');
  expect(x.response.terminator).toBeUndefined();
});

test('a model list is served in its wire shape', () => {
  const x = load('models-list.json');
  expect(x.response.body).toMatchObject({ object: 'list', data: [{ object: 'model' }] });
});

test('what we write, we read back unchanged, in the seed’s top-level shape', () => {
  const x = load('chat-stream-toolcalls.json');
  x.response.events = x.response.events!.map((e, i) => ({ ...e, t: i * 12.5 }));
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
  expect(() => parseRecording('{"request": {"url": 3}, "response": {}}', 'b.json')).toThrow(/recording b.json does not have the shape of a recording:[\s\S]*request\.url[\s\S]*response\.is_streaming/);
  const badEvent = { request: { url: 'https://api.openai.com/v1/chat/completions', body: {} }, response: { is_streaming: true, body: [{ __data__: {}, t: 'soon' }] } };
  expect(() => parseRecording(JSON.stringify(badEvent), 'c.json')).toThrow(/c.json has a malformed stream event at response.body\[0\]/);
});

test('SSE parsing completes an event split across reads, handles CRLF and multi-line data', () => {
  const p = new StreamParser('sse');
  expect(p.push(Buffer.from('event: message_start\ndata: {"a"'), 1)).toEqual([]);
  expect(p.push(Buffer.from(':1}\n\n: keep-alive\n\ndata: [DONE]\r\n\r\ndata: one\ndata: two\n\n'), 2)).toEqual([
    { event: 'message_start', data: { a: 1 }, t: 2 },
    { data: '[DONE]', t: 2 },
    { data: 'one\ntwo', t: 2 },
  ]);
  expect(renderEvent('sse', { data: 'one\ntwo' })).toBe('data: one\ndata: two\n\n');
  const n = new StreamParser('ndjson');
  expect(n.push(Buffer.from('{"x":1}\n{"y"'), 0)).toEqual([{ data: { x: 1 }, t: 0 }]);
  expect(n.push(Buffer.from(':2}\n{"z":3}'), 6)).toEqual([{ data: { y: 2 }, t: 6 }]);
  expect(n.end(7)).toEqual([{ data: { z: 3 }, t: 7 }]);
});
