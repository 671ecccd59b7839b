// The transport as the exchange drives it: a guard (respond, write, end or fail once; nothing
// after an abort) and the waits (back-pressure, the reader's pull, pacing on real time or on the
// test's clock). It decides nothing: what to send is the exchange's, what a fault does is the plan's.
import type { Sleeper } from './clock.js';
import type { Where } from './call.js';
import type { ResponseHead, Transport, UpstreamRequest, UpstreamResponse } from './transport.js';

/**
 * The transport as the exchange drives it: it remembers an abort, stops writing after one, and
 * reports each outcome to the transport at most once.
 */
export class Caller {
  aborted = false;
  private done = false;
  private headSent = false;
  private clock?: Sleeper;
  /** On the test's clock: when the call was made, and when the next chunk is due. */
  started?: number;
  private due = 0;
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

  /**
   * Whether an answer from the upstream can reach the caller as it arrives: always for a transport
   * that streams; for one that does not, when it can for this call (then it does from now on).
   */
  live(): boolean {
    return this.t.streams || (!this.over && !!this.t.live?.());
  }

  /** The answer has ended, failed, or the caller gave up: nothing more reaches the caller. */
  get over(): boolean {
    return this.aborted || this.done;
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

  /** Resolves once the reader has what was written (as far as the transport can tell), or has given up. */
  received(): Promise<void> {
    if (this.aborted || !this.t.received) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
      this.t.received!().then(resolve, resolve);
    });
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

  /** For a transport that does not stream: a wait before the end, after the last chunk. */
  stallEnd(ms: number): void {
    if (!this.aborted && !this.done) this.t.stallEnd?.(ms);
  }

  /** At pace 'clock': the clock its waits follow (in Node), or that the page is told to follow. */
  onClock(clock: Sleeper): void {
    this.clock = clock;
    this.due = this.started ?? clock.now();
    this.t.onClock?.();
  }

  /**
   * Waits `ms`, or less if the caller gives up. On the test's clock (pace 'clock'), the waits add
   * up from the answer's start: the wait ends when the clock reaches the chunk's due time.
   */
  sleep(ms: number): Promise<void> {
    if (this.clock) return this.clock.until((this.due += ms), (stop) => (this.wake = stop));
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
    try {
      f();
    } catch {
      // The caller's own handler threw on its end or its error: nothing of ours (a recording) may break.
    }
  }
}
