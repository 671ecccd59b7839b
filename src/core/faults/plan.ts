// What a fault the test injected does to one answer, worked out before the answer is played: plain
// data, so every kind of fault is checked without a transport, a stream or a clock.
import { LlmOptionError } from '../errors.js';
import { type FaultRule, describeFault } from '../faults.js';
import type { Framing } from '../../wire/framing.js';
import { errorEvent } from '../../wire/providers.js';
import { realtimeError } from '../../wire/realtime.js';

/** What happens before a chunk (or before the end). */
export interface FaultStep {
  /** A wait of this many ms, on top of the chunk's own. */
  wait?: number;
  /** The answer ends here: the connection breaks, or the provider's error event comes and the stream ends. */
  then?: 'drop' | { errorEvent: Buffer };
  /** The test is told of it when the answer gets here; the call then gets no fault (answered as recorded). */
  problem?: LlmOptionError;
}

export interface FaultPlan {
  /** By chunk index: what happens before that chunk; at the answer's length, before its end. */
  steps: ReadonlyMap<number, FaultStep>;
  /** The test is told of it once the answer has ended whole: the fault asked for a chunk the answer does not have. */
  afterEnd?: LlmOptionError;
}

/** What the fault needs to know of the answer: its chunks, its framing (from its content type), its line end, and the endpoint (whose provider's error event it is). */
export interface AnswerShape {
  length: number;
  framing: Framing;
  eol: string;
  endpoint: string;
}

const NOTHING: FaultPlan = { steps: new Map() };

/** What a fault does before a WebSocket's n-th server frame (or, at the recording's count of them, after the last). */
export interface SocketFaultStep {
  wait?: number;
  /** The replay stops here: the server closes the socket, or sends its error frame (then, for Gemini, closes). */
  then?: { close: { code: number; reason: string } } | { frame: object; close?: { code: number; reason: string } };
  problem?: LlmOptionError;
}

/** The plan for `rule` on a recorded WebSocket conversation with `frames` server frames, for `url`. */
export function planSocketFault(rule: Pick<FaultRule, 'url' | 'fault'>, { frames, url }: { frames: number; url: string }): ReadonlyMap<number, SocketFaultStep> {
  const f = rule.fault;
  const named = `the fault ${describeFault(f)} for ${rule.url instanceof RegExp ? String(rule.url) : rule.url}`;
  const at = (i: number, step: SocketFaultStep) => new Map([[i, step]]);
  const beyond = (n: number) => (n > frames ? at(frames, { problem: new LlmOptionError(`${named}: the conversation has ${frames} server frame${frames === 1 ? '' : 's'}, so there is no frame ${n} to act after. Use a number from 0 to ${frames}.`) }) : undefined);
  if ('status' in f || 'dropAfter' in f) {
    return at(0, { problem: new LlmOptionError(`${named} is for an HTTP answer, and the call it matched is a WebSocket; it was answered as recorded. Use { closeAfter, code, reason } to end a WebSocket.`) });
  }
  if ('firstChunkDelay' in f) return at(0, { wait: f.firstChunkDelay });
  if ('stallAfter' in f) return beyond(f.stallAfter) ?? at(f.stallAfter, { wait: f.ms });
  if ('closeAfter' in f) return beyond(f.closeAfter) ?? at(f.closeAfter, { then: { close: { code: f.code ?? 1011, reason: f.reason ?? '' } } });
  if ('errorEvent' in f) return beyond(f.after) ?? at(f.after, { then: realtimeError(url, f.errorEvent) });
  return new Map();
}

/** The plan for `rule` on an answer of this shape. A `{ status }` fault has none: it is the answer, given instead of the call. */
export function planFault(rule: Pick<FaultRule, 'url' | 'fault'>, { length, framing, eol, endpoint }: AnswerShape): FaultPlan {
  const f = rule.fault;
  const at = (i: number, step: FaultStep): FaultPlan => ({ steps: new Map([[i, step]]) });
  const named = `the fault ${describeFault(f)} for ${rule.url instanceof RegExp ? String(rule.url) : rule.url}`;
  const beyond = (n: number): FaultPlan | undefined =>
    n > length
      ? { steps: new Map(), afterEnd: new LlmOptionError(`${named}: the answer has ${length} chunk${length === 1 ? '' : 's'}, so there is no chunk ${n} to act after. Use a number from 0 to ${length}.`) }
      : undefined;
  if ('closeAfter' in f) {
    return at(0, { problem: new LlmOptionError(`${named} closes a WebSocket, and the call it matched is an HTTP request; it was answered as recorded. Use { dropAfter } for an HTTP answer.`) });
  }
  if ('firstChunkDelay' in f) return at(0, { wait: f.firstChunkDelay });
  if ('stallAfter' in f) return beyond(f.stallAfter) ?? at(f.stallAfter, { wait: f.ms });
  if ('dropAfter' in f) return beyond(f.dropAfter) ?? at(f.dropAfter, { then: 'drop' });
  if ('errorEvent' in f) {
    const past = beyond(f.after);
    if (past) return past;
    // An answer in one piece (JSON) has no place for an event: it goes out as it is.
    if (framing !== 'sse' && framing !== 'ndjson') {
      return at(f.after, {
        problem: new LlmOptionError(
          `${named} needs a streamed answer, and the call it matched was answered in one piece (${framing}); it was answered as recorded. Pick streamed calls only (a model, nth, or a narrower URL), or use { status } for a call that is not streamed.`,
        ),
      });
    }
    return at(f.after, { then: { errorEvent: errorEvent(endpoint, framing, eol, f.errorEvent) } });
  }
  return NOTHING;
}
