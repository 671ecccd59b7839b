import { test, expect } from '@playwright/test';
import { type Interaction, parseRecording, serializeRecording } from '../../src/core/recording.js';

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
