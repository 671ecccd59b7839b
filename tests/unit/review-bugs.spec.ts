import { test, expect } from '@playwright/test';
import { type Interaction, parseRecording, serializeRecording } from '../../src/core/recording.js';
import { transcript } from '../../src/core/transcript.js';

// serializeRecording writes a stream's events in place of a placeholder: no text in the request or
// the test title may be taken for it.
test('a recording whose request or test holds the events placeholder round-trips exactly', () => {
  const placeholder = '\u0000events\u0000';
  const streamed = (body: unknown, title: string): Interaction => ({
    request: { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', endpoint: '/v1/chat/completions', headers: { 'content-type': 'application/json' }, body, model: 'gpt-4o-mini' },
    response: {
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      framing: 'sse',
      events: [
        { data: { choices: [{ index: 0, delta: { content: 'Hi' } }] }, t: 1 },
        { data: { choices: [{ index: 0, delta: { content: placeholder } }] }, t: 2.5 },
      ],
      terminator: { data: '[DONE]', t: 3 },
    },
    occurrence: 0,
    test: title,
  });
  const cases = [
    streamed({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: placeholder }] }, 'a test'),
    streamed(placeholder, 'a test'),
    streamed({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: `${placeholder}1 ${placeholder}2` }] }, `${placeholder} and ${placeholder}1`),
  ];
  for (const x of cases) expect(parseRecording(serializeRecording(x), 'x.json')).toEqual(x);
});

// llm-calls.txt says which fault a call got, as llm-calls.json does.
test('the transcript shows the fault each call got, and nothing for a call without one', () => {
  const call = { id: '1', method: 'POST', url: 'https://api.openai.com/v1/chat/completions', model: 'gpt-4o-mini', where: 'worker' as const };
  const text = transcript(
    [
      { ...call, outcome: 'replayed', fault: '{ dropAfter: 3 }', faultId: 'f1', endpoint: '/v1/chat/completions', chunks: 5, durationMs: 40 },
      { ...call, outcome: 'faulted', fault: '{ status: 429 }', faultId: 'f2' },
      { ...call, outcome: 'replayed', endpoint: '/v1/chat/completions', chunks: 5, durationMs: 40 },
    ],
    '/',
  );
  const blocks = text.split('\n\n').slice(1, 4);
  expect(blocks[0].split('\n')).toContain('   fault:    { dropAfter: 3 }');
  expect(blocks[1].split('\n')).toContain('   fault:    { status: 429 }');
  expect(blocks[2]).not.toContain('fault:');
});
