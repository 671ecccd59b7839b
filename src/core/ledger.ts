// One test's ledger: the calls it made (each pending until stored, replayed or failed), the work
// it must wait for, the errors that fail it at its end — what `llm.calls` shows — and the events
// listeners (llm.calls, the app server's report) hear as it changes.
import { randomBytes } from 'node:crypto';
import type { Interaction } from './recording.js';
import type { LlmCall, Outcome, Where } from './call.js';
import { InternalError } from './errors.js';

export type LedgerEvent =
  | { type: 'call'; call: LlmCall }
  | { type: 'settled'; call: LlmCall }
  /** The call's answer has reached its caller (or failed there): a replay's last chunk, a recording stored. */
  | { type: 'answered'; call: LlmCall }
  /** `call`: the call the error is about (a miss, a fault that could not act, a store that failed). */
  | { type: 'error'; error: Error; call?: LlmCall };

let nextId = 0;
/** Unique to this process among the test's (an app server and a proxy in two containers may both be pid 1). */
const PROCESS = `${process.pid}.${randomBytes(3).toString('hex')}`;

export class Ledger {
  readonly calls: LlmCall[] = [];

  /** `variant`: the answer variant the test's repetition is served (a run with --repeat-each); each call says it. */
  constructor(private readonly variant?: number) {}

  readonly errors: Error[] = [];
  private readonly listeners: ((e: LedgerEvent) => void)[] = [];
  private readonly pending = new Set<Promise<unknown>>();
  private readonly answeredCalls = new WeakSet<LlmCall>();
  private listenerFailed = false;

  on(listener: (e: LedgerEvent) => void): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener) >>> 0, 1);
  }

  /**
   * Tells every listener. One that throws (a report the disk refused, a step Playwright would not
   * take) never reaches the call being served, nor the process (the 'call' and 'answered' events
   * come outside the exchange): the test fails with it, once.
   */
  private emit(e: LedgerEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        if (this.listenerFailed) continue;
        this.listenerFailed = true;
        this.errors.push(new InternalError(`a listener to the test's LLM calls failed (${(err as Error).message}); what it reports (llm.calls of the app server, the calls' steps) may be incomplete.`, { cause: err }));
      }
    }
  }

  /** Records an error that fails the test at its end; `call`, the call it is about. */
  fail(error: Error, call?: LlmCall): void {
    this.errors.push(error);
    this.emit({ type: 'error', error, ...(call && { call }) });
  }

  /**
   * A new call, pending until `settle`. Listeners hear of it once the exchange has decided (it
   * decides at once): a call answered at once (a replay, a miss, a fault) is told `settled`, with no
   * pending moment; one being recorded or passed on is told `call`, pending, until it settles.
   */
  begin(request: Interaction['request'], where: Where): LlmCall {
    const call: LlmCall = { id: `${PROCESS}-${++nextId}`, method: request.method, url: request.url, model: request.model, outcome: 'pending', where, ...(this.variant !== undefined && { variant: this.variant }) };
    this.calls.push(call);
    queueMicrotask(() => call.outcome === 'pending' && this.emit({ type: 'call', call }));
    return call;
  }

  settle(call: LlmCall, outcome: Partial<LlmCall> & { outcome: Exclude<Outcome, 'pending'> }): void {
    if (call.outcome !== 'pending') return;
    Object.assign(call, outcome);
    this.emit({ type: 'settled', call });
  }

  /** The call's answer has been given (or failed): told once, after `settle`. */
  answered(call: LlmCall): void {
    if (this.answeredCalls.has(call)) return;
    this.answeredCalls.add(call);
    this.emit({ type: 'answered', call });
  }

  /** Keeps the test from ending until `work` has settled (see `idle`). */
  track(work: Promise<unknown>): void {
    const p = work.catch(() => {}).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Resolves when every tracked call has settled, or after `timeoutMs`; returns the calls still pending. */
  async idle(timeoutMs: number): Promise<LlmCall[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending.size && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all([...this.pending]), new Promise((r) => (timer = setTimeout(r, deadline - Date.now())))]);
      clearTimeout(timer);
    }
    return this.calls.filter((c) => c.outcome === 'pending');
  }
}
