// What each kind of fault does to an answer, worked out before the answer is played: by chunk
// index, and after the end. No transport, no stream, no clock.
import { test, expect } from '@playwright/test';
import { type AnswerShape, planFault, planSocketFault } from '../../src/core/faults/plan.js';
import { type Fault, checkFault } from '../../src/core/faults.js';
import { LlmOptionError } from '../../src/core/errors.js';

const sse: AnswerShape = { length: 3, framing: 'sse', eol: '\n', endpoint: '/v1/chat/completions' };
const plan = (fault: Fault, shape: Partial<AnswerShape> = {}, url: string | RegExp = '**/chat/completions') => planFault({ url, fault }, { ...sse, ...shape });
const steps = (fault: Fault, shape?: Partial<AnswerShape>) => [...plan(fault, shape).steps];

test('firstChunkDelay waits before chunk 0, or before the end of an answer with no chunks', () => {
  expect(plan({ firstChunkDelay: 250 })).toEqual({ steps: new Map([[0, { wait: 250 }]]) });
  expect(steps({ firstChunkDelay: 250 }, { length: 0 })).toEqual([[0, { wait: 250 }]]);
});

test('stallAfter n waits before chunk n; after the last chunk, before the end', () => {
  expect(steps({ stallAfter: 1, ms: 400 })).toEqual([[1, { wait: 400 }]]);
  expect(steps({ stallAfter: 0, ms: 400 })).toEqual([[0, { wait: 400 }]]);
  expect(steps({ stallAfter: 3, ms: 400 })).toEqual([[3, { wait: 400 }]]); // 3 = the answer's length: the end waits
  expect(plan({ stallAfter: 3, ms: 400 }).afterEnd).toBeUndefined();
});

test('dropAfter n breaks the connection before chunk n: 0 before any chunk, the length instead of the end', () => {
  expect(steps({ dropAfter: 0 })).toEqual([[0, { then: 'drop' }]]);
  expect(steps({ dropAfter: 2 })).toEqual([[2, { then: 'drop' }]]);
  expect(steps({ dropAfter: 3 })).toEqual([[3, { then: 'drop' }]]);
  expect(steps({ dropAfter: 0 }, { length: 0 })).toEqual([[0, { then: 'drop' }]]);
});

test('errorEvent sends the provider’s own error event in the stream’s framing and line end, then ends', () => {
  expect(steps({ errorEvent: true, after: 2 })).toEqual([
    [2, { then: { errorEvent: Buffer.from('data: {"error":{"message":"The server had an error while processing your request. (fault injected by playwright-llm-replay)","type":"server_error","param":null,"code":null}}\n\n') } }],
  ]);
  // A CRLF stream gets CRLF line ends in the event too.
  const gemini = { endpoint: '/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse', eol: '\r\n' };
  expect(steps({ errorEvent: 'Busy', after: 1 }, gemini)).toEqual([[1, { then: { errorEvent: Buffer.from('data: {"error":{"code":503,"message":"Busy","status":"UNAVAILABLE"}}\r\n\r\n') } }]]);
  expect(steps({ errorEvent: true, after: 3 }, { endpoint: '/v1/messages', eol: '\r\n' })).toEqual([
    [3, { then: { errorEvent: Buffer.from('event: error\r\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\r\n\r\n') } }],
  ]);
  expect(steps({ errorEvent: { error: 'custom' }, after: 0 }, { framing: 'ndjson', eol: '\r\n', endpoint: '/api/chat' })).toEqual([[0, { then: { errorEvent: Buffer.from('{"error":"custom"}\r\n') } }]]);
});

test('errorEvent on an answer in one piece is refused where it would act: the call is answered as recorded, the test is told', () => {
  const p = plan({ errorEvent: true, after: 0 }, { length: 1, framing: 'json' });
  expect(p.afterEnd).toBeUndefined();
  const [[at, step]] = [...p.steps];
  expect(at).toBe(0);
  expect(step.then).toBeUndefined();
  expect(step.wait).toBeUndefined();
  expect(step.problem).toBeInstanceOf(LlmOptionError);
  expect(step.problem!.message).toBe(
    'playwright-llm-replay: the fault { errorEvent: true, after: 0 } for **/chat/completions needs a streamed answer, and the call it matched was answered in one piece (json); it was answered as recorded. Pick streamed calls only (a model, nth, or a narrower URL), or use { status } for a call that is not streamed.',
  );
  expect(plan({ errorEvent: true, after: 1 }, { length: 1, framing: 'text' }).steps.get(1)?.problem?.message).toContain('was answered in one piece (text)');
});

test('a fault past the answer’s last chunk does nothing to it, and the test is told once it has ended', () => {
  for (const fault of [{ dropAfter: 4 }, { stallAfter: 4, ms: 10 }, { errorEvent: true, after: 4 }] as Fault[]) {
    const p = plan(fault);
    expect(p.steps.size).toBe(0);
    expect(p.afterEnd).toBeInstanceOf(LlmOptionError);
    expect(p.afterEnd!.message).toMatch(/: the answer has 3 chunks, so there is no chunk 4 to act after\. Use a number from 0 to 3\.$/);
  }
  expect(plan({ dropAfter: 5 }, { length: 1 }).afterEnd!.message).toBe('playwright-llm-replay: the fault { dropAfter: 5 } for **/chat/completions: the answer has 1 chunk, so there is no chunk 5 to act after. Use a number from 0 to 1.');
  // Past the end wins over the framing: an answer in one piece is told it has too few chunks.
  expect(planFault({ url: /chat/, fault: { errorEvent: true, after: 2 } }, { ...sse, length: 1, framing: 'json' })).toEqual({
    steps: new Map(),
    afterEnd: new LlmOptionError('the fault { errorEvent: true, after: 2 } for /chat/: the answer has 1 chunk, so there is no chunk 2 to act after. Use a number from 0 to 1.'),
  });
});

test('a { status } fault has no plan: it is the answer, given instead of the call', () => {
  expect(plan({ status: 429 })).toEqual({ steps: new Map() });
});

test.describe('on a WebSocket (a recorded conversation with 5 server frames)', () => {
  const openai = 'wss://api.openai.com/v1/realtime?model=gpt-realtime';
  const gemini = 'wss://generativelanguage.googleapis.com/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent';
  const socket = (fault: Fault, url = openai) => planSocketFault({ url: '**/realtime*', fault }, { frames: 5, url });

  test('each kind acts before the n-th server frame; closeAfter defaults to 1011', () => {
    expect(socket({ firstChunkDelay: 300 })).toEqual(new Map([[0, { wait: 300 }]]));
    expect(socket({ stallAfter: 2, ms: 50 })).toEqual(new Map([[2, { wait: 50 }]]));
    expect(socket({ closeAfter: 3 })).toEqual(new Map([[3, { then: { close: { code: 1011, reason: '' } } }]]));
    expect(socket({ closeAfter: 5, code: 4000, reason: 'bye' })).toEqual(new Map([[5, { then: { close: { code: 4000, reason: 'bye' } } }]]));
  });

  test('errorEvent is the provider’s: OpenAI’s error event; Gemini Live closes with 1011 and the message', () => {
    expect(socket({ errorEvent: 'overloaded', after: 1 }).get(1)).toEqual({ then: { frame: { type: 'error', event_id: 'event_llm_replay_fault', error: { type: 'server_error', code: 'server_error', message: 'overloaded', param: null, event_id: null } } } });
    expect(socket({ errorEvent: 'overloaded', after: 1 }, gemini).get(1)).toEqual({ then: { close: { code: 1011, reason: 'overloaded' } } });
    expect(socket({ errorEvent: { type: 'error', error: { code: 'x' } }, after: 0 }).get(0)).toEqual({ then: { frame: { type: 'error', error: { code: 'x' } } } });
  });

  test('HTTP-only kinds and frames past the last are told to the test, and the conversation is replayed as recorded', () => {
    expect(socket({ dropAfter: 1 }).get(0)!.problem!.message).toContain('is for an HTTP answer, and the call it matched is a WebSocket');
    expect(socket({ status: 429 }).get(0)!.problem!.message).toContain('Use { closeAfter, code, reason } to end a WebSocket.');
    expect(socket({ closeAfter: 6 }).get(5)!.problem!.message).toBe('playwright-llm-replay: the fault { closeAfter: 6 } for **/realtime*: the conversation has 5 server frames, so there is no frame 6 to act after. Use a number from 0 to 5.');
    // And the other way: closeAfter on an HTTP answer.
    expect(planFault({ url: '**', fault: { closeAfter: 1 } }, { ...sse, length: 3 }).steps.get(0)!.problem!.message).toContain('closes a WebSocket, and the call it matched is an HTTP request');
  });

  test('closeAfter is checked as llm.fault gets it', () => {
    expect(() => checkFault('**', { closeAfter: 1, code: 1006 })).toThrow('code must be a close code a server may send: 1000–4999, not 1004, 1005, 1006 or 1015 (got 1006).');
    expect(() => checkFault('**', { closeAfter: 1, reason: 'x'.repeat(124) })).toThrow('reason must be a string of at most 123 bytes.');
    expect(() => checkFault('**', { closeAfter: 1, after: 2 })).toThrow('unknown field after.');
    expect(checkFault('**', { closeAfter: 0, code: 4001, reason: 'r' }).fault).toEqual({ closeAfter: 0, code: 4001, reason: 'r' });
  });
});
