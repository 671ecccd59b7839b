// What a miss says: the closest recording, each differing field with both values, and for values
// that change on every run (ids, timestamps) the exact llmIgnore entry that would make it match.
import { test, expect } from '@playwright/test';
import { Recordings } from '../../src/core/recordings/recordings.js';
import { Shelf } from '../../src/core/recordings/shelf.js';

const session = (root: string, mode: 'record' | 'replay') => new Shelf(new Recordings({ root, urls: [], ignore: [], redact: {} }), mode, { folder: 't', title: 't', location: 'x.spec.ts:1' });
const ask = (s: Shelf, body: object) => s.recordings.describe({ method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: [], body: Buffer.from(JSON.stringify(body)) });
const conversation = (callId: string, at: string, question: string) => ({
  model: 'gpt-4o-mini',
  metadata: { sent_at: at },
  messages: [
    { role: 'user', content: 'Weather?' },
    { role: 'assistant', content: null, tool_calls: [{ id: callId, type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
    { role: 'tool', tool_call_id: callId, content: question },
  ],
});

test('a miss shows both values, cut, and names the llmIgnore entry for volatile ones', ({}, testInfo) => {
  const root = testInfo.outputPath('llm');
  const rec = session(root, 'record');
  const recorded = ask(rec, conversation('call_abc123XYZ789', '2026-11-25T10:00:00Z', 'sunny '.repeat(30)));
  rec.save({ request: recorded, response: { status: 200, headers: {}, framing: 'json', body: { ok: 1 } }, occurrence: 0, test: 't' });

  const play = session(root, 'replay');
  const decision = play.decide(ask(play, conversation('call_def456UVW012', '2026-11-26T11:30:00Z', 'rainy')));
  expect(decision.kind).toBe('miss');
  const message = decision.kind === 'miss' ? decision.error.message : '';
  expect(message).toContain('messages[1].tool_calls[0].id: "call_def456UVW012" (recorded: "call_abc123XYZ789")');
  expect(message).toContain("add 'messages.*.tool_calls.*.id' to llmIgnore");
  expect(message).toContain("add 'messages.*.tool_call_id' to llmIgnore");
  expect(message).toContain("add 'metadata.sent_at' to llmIgnore");
  // Ordinary content is shown, cut to about 80 characters, and not called volatile.
  expect(message).toMatch(/messages\[2\]\.content: "rainy" \(recorded: "sunny sunny .{40,}…\)/);
  expect(message).not.toContain("'messages.*.content'");
});

test('of recordings that differ in as many fields, the closest is the one whose values are nearest', ({}, testInfo) => {
  const root = testInfo.outputPath('llm');
  const rec = session(root, 'record');
  const chat = (content: string) => ({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] });
  for (const content of ['page', 'worker', 'server']) rec.save({ request: ask(rec, chat(content)), response: { status: 200, headers: {}, framing: 'json', body: { ok: 1 } }, occurrence: 0, test: 't' });
  const play = session(root, 'replay');
  const decision = play.decide(ask(play, chat('workr')));
  expect(decision.kind === 'miss' ? decision.error.message : '').toContain('messages[0].content: "workr" (recorded: "worker")');
});
