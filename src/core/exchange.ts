// The one way through the code for every LLM call, wherever it was made:
//   intercept → key → look up → replay | record → store
// A transport (the page's route, the Node dispatcher, the app server's preload, the proxy) turns
// its world into a request and a Transport, and calls `serve`. It never decides anything itself.
import { debuglog } from 'node:util';
import { InternalError, LlmOptionError, LlmReplayError, StoreError } from './errors.js';
import { type HeaderList, headerList } from './headers.js';
import { type FaultRule, describeFault } from './faults.js';
import { planFault } from './faults/plan.js';
import { errorBody } from '../wire/providers.js';
import { framingOf } from '../wire/framing.js';
import type { Interaction } from './recording.js';
import { Recorder } from './recorder.js';
import { type Answer, Pacer, answerOf, madeAnswer, missAnswer } from './replay.js';
import type { LlmCall, LlmRequest } from './call.js';
import type { Decision } from './recordings/shelf.js';
import type { Pace, Session } from './session.js';
import { nonModelAnswer, nonModelEndpoint } from './urls.js';
import type { Transport, UpstreamResponse } from './transport.js';
import { Caller } from './caller.js';

/** `NODE_DEBUG=llm-replay`: notes on what the ledger does not show. */
const debug = debuglog('llm-replay');

export type { ResponseHead, Transport, UpstreamRequest, UpstreamResponse } from './transport.js';

/** Serves one LLM request through `transport`. Never throws: failures reach the caller and the test. */
export function serve(session: Session, req: LlmRequest, transport: Transport): Promise<void> {
  const caller = new Caller(transport);
  const served: Served = {};
  return exchange(session, req, caller, served)
    .catch((err: Error) => {
      const error = err instanceof LlmReplayError ? err : new InternalError(err.message, { cause: err });
      session.ledger.fail(error, served.call);
      caller.fail(error);
    })
    .finally(() => served.call && session.ledger.answered(served.call));
}

/** The call an exchange made, once it has one: told `answered` when the exchange is over. */
export interface Served {
  call?: LlmCall;
}

async function exchange(session: Session, req: LlmRequest, caller: Caller, served: Served): Promise<void> {
  // An SDK's telemetry to an LLM host (a trace upload) is no model call: answered here as the API
  // answers it, with no lookup, no recording, no fault, no connection, and not in llm.calls.
  const side = session.options.mode === 'passthrough' ? undefined : nonModelEndpoint(req.method, req.url);
  if (side) {
    debug('%s %s (%s) answered here: not a model call, not recorded', req.method, session.recordings.redactor.url(req.url), side.what);
    return play(nonModelAnswer(side, req.body), 0, caller);
  }
  const request = session.recordings.describe(req);
  const call = (served.call = session.ledger.begin(request, caller.where));
  // On the test's clock, an answer's times count from when the call was made (recorded or not).
  if (session.options.pace === 'clock' && session.clock?.installed) caller.started = session.clock.now();
  // Faults act on answers this plugin gives: none in passthrough mode.
  const rule = session.options.mode !== 'passthrough' && session.faults.active() ? session.faults.for(req.url, request.model) : undefined;
  if (rule) {
    call.fault = describeFault(rule.fault);
    call.faultId = rule.id;
    // An error answer instead of the call: nothing is looked up or recorded, so a retry gets the real answer.
    if ('status' in rule.fault) {
      session.ledger.settle(call, { outcome: 'faulted' });
      const { status, headers, body } = rule.fault;
      const list = headerList(headers ?? {});
      // The headers a test gives (retry-after…) are for the client to read, in a page too (cross-origin).
      if (list.length && !list.some(([n]) => n === 'access-control-expose-headers')) list.push(['access-control-expose-headers', list.map(([n]) => n).join(', ')]);
      return play(madeAnswer(status, list, body ?? errorBody(request.endpoint, status)), 0, caller);
    }
  }
  // A fault that acts on the answer's chunks (a `{ status }` one was the answer, above).
  const fault: Fault | undefined = rule && {
    rule,
    endpoint: request.endpoint,
    problem: (error, notApplied) => {
      if (notApplied) call.fault = call.faultId = undefined;
      session.ledger.fail(error, call);
    },
  };
  let decision: Decision;
  try {
    decision = session.shelf.decide(request);
  } catch (err) {
    session.ledger.settle(call, { outcome: 'not-recorded', reason: (err as Error).message });
    throw err;
  }
  switch (decision.kind) {
    case 'replay':
      session.ledger.settle(call, { outcome: 'replayed', file: decision.found.file, ...(decision.owner !== undefined && { owner: decision.owner }), ...(decision.copiedFrom && { copiedFrom: decision.copiedFrom }) });
      return play(answerOf(decision.found.interaction), paced(session, call, caller), caller, fault);
    case 'miss':
      // The miss is the answer: a fault the call matched did not act on it.
      if (fault) call.fault = call.faultId = undefined;
      session.ledger.settle(call, { outcome: 'missed' });
      decision.error.where = caller.where;
      session.ledger.fail(decision.error, call);
      return play(missAnswer(decision.error), 0, caller);
    case 'passthrough':
      return passThrough(session, req, call, caller);
    case 'record': {
      const work = record(session, req, request, decision, call, caller, fault);
      session.ledger.track(work);
      return work;
    }
  }
}

/** A fault the test injected that acts on this call's answer, and where its problems go (the session fails the test with them). */
interface Fault {
  rule: FaultRule;
  endpoint: string;
  /** `notApplied`: the call was answered without the fault. */
  problem(error: LlmOptionError, notApplied: boolean): void;
}

/**
 * The pace of a replay. At 'clock', the recorded timing on the test's clock: a streaming caller's
 * waits go to the session's clock; the page waits on its own (Playwright's) clock. A replay
 * without an installed clock fails the test and runs in real time.
 */
function paced(session: Session, call: LlmCall, caller: Caller, recorded = false): number {
  const pace: Pace = session.options.pace;
  if (pace !== 'clock') return pace;
  // A call just recorded took real time, and is passed on in real time, clock or not.
  if (!recorded && session.clockReady(call)) caller.onClock(session.clock!);
  return 1;
}

/** Streams an answer to the caller: one write per chunk, after its delay at the pace, and what a fault does on the way. */
async function play(answer: Answer, pace: number, caller: Caller, fault?: Fault): Promise<void> {
  if (caller.aborted) return;
  const plan = fault && planFault(fault.rule, { length: answer.count, framing: framingOf(answer.headers.find(([n]) => n === 'content-type')?.[1]), eol: answer.eol ?? '\n', endpoint: fault.endpoint });
  if (!caller.respond(answer)) await caller.drain();
  const pacer = new Pacer(pace);
  const last = answer.count - 1;
  // A fault acts where the answer gets to, unless the caller has gone; a problem it has is told there, once.
  const step = (i: number) => {
    const s = caller.over ? undefined : plan?.steps.get(i);
    if (s?.problem) fault!.problem(s.problem, true);
    return s;
  };
  for (let i = 0; i <= last; i++) {
    const s = step(i);
    if (s?.then) return stop(caller, s.then);
    const wait = pacer.wait(answer.time(i)) + (s?.wait ?? 0);
    if (caller.streams && wait > 0) await caller.sleep(wait);
    if (caller.aborted) return;
    // A reader merges chunks that arrive before it reads: the next one waits until this one is taken.
    if (!caller.write(answer.chunk(i), wait)) await caller.drain();
    else if (caller.streams && i < last) await caller.taken();
    if (caller.aborted) return;
  }
  const s = step(answer.count);
  if (s?.then) return stop(caller, s.then);
  // A stall after the last chunk: the end waits.
  if (s?.wait) {
    if (caller.streams) await caller.sleep(s.wait);
    else caller.stallEnd(s.wait);
  }
  if (caller.aborted) return;
  caller.end();
  if (plan?.afterEnd) fault!.problem(plan.afterEnd, false);
}

/** A fault ends the answer early: the connection breaks once the reader has what came before, or the provider's error event ends the stream. */
async function stop(caller: Caller, then: 'drop' | { errorEvent: Buffer }): Promise<void> {
  if (then === 'drop') {
    await caller.received();
    return caller.fail(Object.assign(new Error('other side closed'), { name: 'SocketError', code: 'UND_ERR_SOCKET' }));
  }
  caller.write(then.errorEvent, 0);
  caller.end();
}

async function passThrough(session: Session, req: LlmRequest, call: LlmCall, caller: Caller): Promise<void> {
  const controller = new AbortController();
  caller.whenAborted(() => controller.abort());
  try {
    const res = await caller.upstream({ method: req.method, url: req.url, headers: req.headers, body: req.body }, controller.signal);
    caller.live();
    if (!caller.respond(res)) await caller.drain();
    for await (const chunk of res.body) {
      if (caller.aborted) break;
      if (!caller.write(chunk, 0)) await caller.drain();
    }
    session.ledger.settle(call, { outcome: 'passthrough' });
    caller.end();
  } catch (err) {
    session.ledger.settle(call, { outcome: 'passthrough', reason: `upstream failed: ${(err as Error).message}` });
    caller.fail(err as Error);
  }
}

/**
 * Calls the upstream and tees its answer: to the caller as it arrives, and into a recording that
 * is stored when the answer has ended well. A caller that gives up (a Stop button) gets its abort
 * at once, but the answer is read to its end and stored: a test of stopping needs it to replay.
 * Failed answers (status ≥ 400, a broken stream) reach the caller as they were and are not stored.
 */
async function record(session: Session, req: LlmRequest, request: Interaction['request'], { occurrence, key }: { occurrence: number; key: string }, call: LlmCall, caller: Caller, fault?: Fault): Promise<void> {
  // An unencoded body, so the recording's chunk times are those of readable events.
  const headers = [...req.headers.filter(([n]) => n !== 'accept-encoding'), ['accept-encoding', 'identity']] as HeaderList;
  const notRecorded = (reason: string) => session.ledger.settle(call, { outcome: 'not-recorded', reason });
  let res: UpstreamResponse;
  try {
    res = await caller.upstream({ method: req.method, url: req.url, headers, body: req.body }, new AbortController().signal);
  } catch (err) {
    notRecorded(`upstream failed: ${(err as Error).message}`);
    return caller.fail(err as Error);
  }
  const recorder = new Recorder(session.recordings.withHeaders(request, req), session.recordings.redactor);
  recorder.response(res.status, res.headers);
  // Passed on as it arrives — unless the transport cannot (a page's call its page script did not
  // make), or a fault the test injected is to act on the answer's events: then the caller gets the
  // recorded answer, with the fault, once stored.
  const live = !fault && caller.live();
  if (live && !caller.respond(res)) await caller.drain();
  const held: Buffer[] = [];
  try {
    for await (const chunk of res.body) {
      if (live) {
        if (!caller.write(chunk, 0)) await caller.drain();
      } else held.push(chunk);
      recorder.chunk(chunk);
    }
  } catch (err) {
    notRecorded(`upstream failed mid-stream: ${(err as Error).message}`);
    if (!live) caller.deliver(res, held);
    return caller.fail(err as Error);
  }
  if (!recorder.storable) {
    notRecorded(`upstream answered ${res.status}; failed answers are not stored`);
    if (!live) caller.deliver(res, held);
    return caller.end();
  }
  let interaction: Interaction;
  try {
    interaction = recorder.finish(occurrence, session.options.test?.title);
    session.ledger.settle(call, { outcome: 'recorded', file: session.shelf.save(interaction, key) });
  } catch (err) {
    notRecorded((err as Error).message);
    session.ledger.fail(err instanceof LlmReplayError ? err : new StoreError(`could not store the recording: ${(err as Error).message}`, { cause: err }), call);
    if (!live) caller.deliver(res, held);
    return caller.end();
  }
  if (live) return caller.end();
  return play(answerOf(interaction), paced(session, call, caller, true), caller, fault);
}
