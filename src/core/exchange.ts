// The one way through the code for every LLM call, wherever it was made:
//   intercept → key → look up → replay | record → store
// A transport (the page's route, the Node dispatcher, the app server's preload, the proxy) turns
// its world into a request and a Transport, and calls `serve`. It never decides anything itself.
import { LlmReplayError } from './errors.js';
import type { HeaderList } from './headers.js';
import type { Interaction } from './recording.js';
import { Recorder } from './recorder.js';
import { type Answer, Pacer, answerOf, missAnswer } from './replay.js';
import type { LlmCall, LlmRequest, Session, Where } from './session.js';

export interface ResponseHead {
  status: number;
  statusText: string;
  headers: HeaderList;
}

export interface UpstreamRequest {
  method: string;
  url: string;
  headers: HeaderList;
  body: Buffer;
}

export interface UpstreamResponse extends ResponseHead {
  /** The body as it arrives; reading it slowly slows the upstream (back-pressure). */
  body: AsyncIterable<Buffer>;
}

/** What a transport knows how to do: answer its caller, and reach the upstream. */
export interface Transport {
  readonly where: Where;
  /**
   * True when it passes chunks on as they come (Node, the proxy). False when it can only send a
   * whole answer (a page's route): then it gets each chunk's delay, and a recorded call's answer
   * once it is stored.
   */
  readonly streams: boolean;
  /** Sends the status and headers; false when the caller wants no body until `drain()` resolves. */
  respond(head: ResponseHead): boolean;
  /** Passes one chunk on; false when the caller wants no more until `drain()` resolves. */
  write(chunk: Buffer, delay: number): boolean;
  drain(): Promise<void>;
  /**
   * Resolves when the caller has taken the last chunk and wants the next (at the latest on the next
   * turn of the event loop), so a replay at pace 0 still reaches it one read per chunk.
   */
  taken(): Promise<void>;
  end(): void;
  /** The answer failed: before `respond` (no answer at all) or after some chunks (a broken stream). */
  fail(error: Error): void;
  /** `listener` is called once if the caller gives up. */
  onAbort(listener: (reason: Error) => void): void;
  upstream(request: UpstreamRequest, signal: AbortSignal): Promise<UpstreamResponse>;
}

/** Serves one LLM request through `transport`. Never throws: failures reach the caller and the test. */
export function serve(session: Session, req: LlmRequest, transport: Transport): Promise<void> {
  const caller = new Caller(transport);
  return exchange(session, req, caller).catch((err: Error) => {
    const error = err instanceof LlmReplayError ? err : new LlmReplayError(`playwright-llm-replay: ${err.message}`, { cause: err });
    session.fail(error);
    caller.fail(error);
  });
}

async function exchange(session: Session, req: LlmRequest, caller: Caller): Promise<void> {
  const request = session.describe(req);
  const call = session.begin(request, caller.where);
  let decision: ReturnType<Session['decide']>;
  try {
    decision = session.decide(request);
  } catch (err) {
    session.settle(call, { outcome: 'not-recorded', reason: (err as Error).message });
    throw err;
  }
  switch (decision.kind) {
    case 'replay':
      session.settle(call, { outcome: 'replayed', file: decision.found.file });
      return play(answerOf(decision.found.interaction), session.options.pace, caller);
    case 'miss':
      session.settle(call, { outcome: 'missed' });
      session.fail(decision.error);
      return play(missAnswer(decision.error), 0, caller);
    case 'passthrough':
      return passThrough(session, req, call, caller);
    case 'record': {
      const work = record(session, req, request, decision, call, caller);
      session.track(work);
      return work;
    }
  }
}

/** Streams an answer to the caller: one write per chunk, after its delay at the pace. */
async function play(answer: Answer, pace: number, caller: Caller): Promise<void> {
  if (caller.aborted) return;
  if (!caller.respond(answer)) await caller.drain();
  const pacer = new Pacer(pace);
  const last = answer.count - 1;
  for (let i = 0; i <= last; i++) {
    const wait = pacer.wait(answer.time(i));
    if (caller.streams && wait > 0) await caller.sleep(wait);
    if (caller.aborted) return;
    // A reader merges chunks that arrive before it reads: the next one waits until this one is taken.
    if (!caller.write(answer.chunk(i), wait)) await caller.drain();
    else if (caller.streams && i < last) await caller.taken();
    if (caller.aborted) return;
  }
  caller.end();
}

async function passThrough(session: Session, req: LlmRequest, call: LlmCall, caller: Caller): Promise<void> {
  const controller = new AbortController();
  caller.whenAborted(() => controller.abort());
  try {
    const res = await caller.upstream({ method: req.method, url: req.url, headers: req.headers, body: req.body }, controller.signal);
    if (!caller.respond(res)) await caller.drain();
    for await (const chunk of res.body) {
      if (caller.aborted) break;
      if (!caller.write(chunk, 0)) await caller.drain();
    }
    session.settle(call, { outcome: 'passthrough' });
    caller.end();
  } catch (err) {
    session.settle(call, { outcome: 'passthrough', reason: `upstream failed: ${(err as Error).message}` });
    caller.fail(err as Error);
  }
}

/**
 * Calls the upstream and tees its answer: to the caller as it arrives, and into a recording that
 * is stored when the answer has ended well. A caller that gives up (a Stop button) gets its abort
 * at once, but the answer is read to its end and stored: a test of stopping needs it to replay.
 * Failed answers (status ≥ 400, a broken stream) reach the caller as they were and are not stored.
 */
async function record(session: Session, req: LlmRequest, request: Interaction['request'], { occurrence, key }: { occurrence: number; key: string }, call: LlmCall, caller: Caller): Promise<void> {
  // An unencoded body, so the recording's chunk times are those of readable events.
  const headers = [...req.headers.filter(([n]) => n !== 'accept-encoding'), ['accept-encoding', 'identity']] as HeaderList;
  const notRecorded = (reason: string) => session.settle(call, { outcome: 'not-recorded', reason });
  let res: UpstreamResponse;
  try {
    res = await caller.upstream({ method: req.method, url: req.url, headers, body: req.body }, new AbortController().signal);
  } catch (err) {
    notRecorded(`upstream failed: ${(err as Error).message}`);
    return caller.fail(err as Error);
  }
  const recorder = new Recorder(session.withHeaders(request, req), session.redactor);
  recorder.response(res.status, res.headers);
  if (caller.streams && !caller.respond(res)) await caller.drain();
  const held: Buffer[] = [];
  try {
    for await (const chunk of res.body) {
      if (caller.streams) {
        if (!caller.write(chunk, 0)) await caller.drain();
      } else held.push(chunk);
      recorder.chunk(chunk);
    }
  } catch (err) {
    notRecorded(`upstream failed mid-stream: ${(err as Error).message}`);
    if (!caller.streams) caller.deliver(res, held);
    return caller.fail(err as Error);
  }
  if (!recorder.storable) {
    notRecorded(`upstream answered ${res.status}; failed answers are not stored`);
    if (!caller.streams) caller.deliver(res, held);
    return caller.end();
  }
  let interaction: Interaction;
  try {
    interaction = recorder.finish(occurrence, session.options.test?.title);
    session.settle(call, { outcome: 'recorded', file: session.save(interaction, key) });
  } catch (err) {
    notRecorded((err as Error).message);
    session.fail(err instanceof LlmReplayError ? err : new LlmReplayError(`playwright-llm-replay: could not store the recording: ${(err as Error).message}`, { cause: err }));
    if (!caller.streams) caller.deliver(res, held);
    return caller.end();
  }
  if (caller.streams) return caller.end();
  return play(answerOf(interaction), session.options.pace, caller);
}

/**
 * The transport as the exchange drives it: it remembers an abort, stops writing after one, and
 * reports each outcome to the transport at most once.
 */
class Caller {
  aborted = false;
  private done = false;
  private headSent = false;
  private readonly abortListeners: (() => void)[] = [];
  private wake: () => void = () => {};

  constructor(private readonly t: Transport) {
    t.onAbort((reason) => {
      if (this.aborted || this.done) return;
      this.aborted = true;
      this.wake();
      for (const l of this.abortListeners) l();
      this.finish(() => t.fail(reason));
    });
  }

  get where(): Where {
    return this.t.where;
  }

  get streams(): boolean {
    return this.t.streams;
  }

  whenAborted(listener: () => void): void {
    this.abortListeners.push(listener);
  }

  upstream(request: UpstreamRequest, signal: AbortSignal): Promise<UpstreamResponse> {
    return this.t.upstream(request, signal);
  }

  respond(head: ResponseHead): boolean {
    if (this.aborted || this.done || this.headSent) return true;
    this.headSent = true;
    return this.t.respond({ status: head.status, statusText: head.statusText, headers: head.headers });
  }

  write(chunk: Buffer, delay: number): boolean {
    if (this.aborted || this.done) return true;
    return this.t.write(chunk, delay);
  }

  /** For a transport that does not stream: the upstream's answer as it came, at once. */
  deliver(head: ResponseHead, chunks: Buffer[]): void {
    this.respond(head);
    for (const c of chunks) this.write(c, 0);
  }

  /** Resolves when the caller wants more, or has given up. */
  drain(): Promise<void> {
    if (this.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
      this.t.drain().then(resolve, resolve);
    });
  }

  /** Resolves when the caller has taken the last chunk (a transport resolves it within a turn of the event loop, abort or not). */
  taken(): Promise<void> {
    return this.aborted ? Promise.resolve() : this.t.taken();
  }

  /** Waits `ms`, or less if the caller gives up. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => (clearTimeout(timer), resolve());
    });
  }

  end(): void {
    this.finish(() => this.t.end());
  }

  fail(error: Error): void {
    this.finish(() => this.t.fail(error));
  }

  private finish(f: () => void): void {
    if (this.done) return;
    this.done = true;
    f();
  }
}
