// undici passes either a legacy handler (onConnect/onHeaders/onData/onComplete/onError, what
// Node 20's built-in fetch uses) or a new one (onRequestStart/onResponseStart/…, undici 7's
// own). HandlerTransport is the exchange's Transport over either, written once.
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { ResponseHead, Transport } from '../core/exchange.js';
import type { Where } from '../core/call.js';

type Handler = Dispatcher.DispatchHandler;

/** Header lists as undici's raw form (`[name, value, …]` Buffers), made once per list: replays reuse theirs. */
const rawHeaders = new WeakMap<[string, string][], Buffer[]>();
function raw(headers: [string, string][]): Buffer[] {
  let out = rawHeaders.get(headers);
  if (!out) {
    out = headers.flatMap(([k, v]) => [Buffer.from(k, 'latin1'), Buffer.from(v, 'latin1')]);
    rawHeaders.set(headers, out);
  }
  return out;
}

/** Header lists as the new-style handlers take them: one entry per name, repeats as arrays. */
function record(headers: [string, string][]): Record<string, string | string[]> {
  const obj: Record<string, string | string[]> = {};
  for (const [name, value] of headers) {
    const prev = obj[name];
    obj[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return obj;
}

const noop = () => {};

/** How long a break (`dropAfter`) waits for a fetch reader that stopped reading. */
const RECEIVED_LIMIT_MS = 30_000;

// One Immediate per turn of the event loop wakes every transport whose chunk waits on a reader that
// may not pull (fetch's readers pull first, almost always). A transport is queued once, however many
// chunks it writes in that turn; the Immediate wakes the wait it has then, if any.
let due: HandlerTransport[] = [];
/** The queue's length at which those no longer waiting leave it (doubled each time: linear in all). */
let trimAt = 256;
function wakeNextTurn(t: HandlerTransport): void {
  if (due.length === 0) setImmediate(wakeDue);
  // Calls that run on microtasks alone may not let the loop turn for a while: the ones no longer
  // waiting leave the queue rather than be kept until then.
  else if (due.length >= trimAt) {
    due = due.filter((q) => q.waiting() || void q.turned());
    trimAt = Math.max(256, 2 * due.length);
  }
  due.push(t);
}
function wakeDue(): void {
  const list = due;
  due = [];
  trimAt = 256;
  for (const t of list) t.turned();
}

/** An undici handler as the exchange's Transport. */
export class HandlerTransport implements Transport {
  readonly streams = true;
  private readonly modern: boolean;
  private aborts?: ((reason: Error) => void)[];
  private wake: () => void = noop;
  /** Whether the transport waits in the queue of the next turn of the event loop (see `taken`). */
  private queued = false;
  /** The wait of `taken`, while it lasts. */
  private taking?: () => void;
  private paused = false;
  private reason: Error | null = null;
  /** For new-style handlers: what they get to pause, resume and abort the response. */
  private readonly controller?: Dispatcher.DispatchController;
  /** Whether the reader pulled since the last write: it has all that was written. */
  private pulled = false;
  /**
   * The body's Node stream, when the consumer is undici's fetch: it calls `resume` as that stream's
   * `read`. Its buffer tells whether the reader has taken what was written.
   */
  private body?: { readableLength: number; destroyed: boolean };
  /** undici calls it when its reader pulls: both "drained" and "taken". */
  private readonly resume = (() => {
    const self = this;
    return function (this: unknown) {
      if (!self.body && this && typeof (this as { readableLength?: unknown }).readableLength === 'number') self.body = this as HandlerTransport['body'];
      self.pulled = true;
      self.taking = undefined;
      self.wake();
    };
  })();

  constructor(
    private readonly h: Handler,
    readonly where: Where,
    readonly upstream: Transport['upstream'],
  ) {
    this.modern = !!(h.onRequestStart || h.onResponseStart);
    const abort = (reason?: Error) => {
      const error = reason ?? (new DOMException('This operation was aborted', 'AbortError') as Error);
      for (const l of this.aborts ?? []) l(error);
    };
    if (!this.modern) {
      h.onConnect?.(abort);
      return;
    }
    const self = this;
    this.controller = {
      get aborted() {
        return self.reason !== null;
      },
      get paused() {
        return self.paused;
      },
      get reason() {
        return self.reason;
      },
      abort(r: Error) {
        self.reason = r ?? new Error('aborted');
        abort(self.reason);
      },
      pause() {
        self.paused = true;
      },
      resume() {
        self.paused = false;
        self.resume();
      },
    };
    h.onRequestStart?.(this.controller, {});
  }

  respond(head: ResponseHead): boolean {
    if (!this.modern) return this.h.onHeaders?.(head.status, raw(head.headers).slice(), this.resume, head.statusText) !== false;
    this.h.onResponseStart?.(this.controller!, head.status, record(head.headers), head.statusText);
    return !this.paused;
  }

  /** Answers an upgrade (a WebSocket's handshake): the status and headers, and the socket that is now the connection. */
  upgrade(status: number, headers: [string, string][], socket: Duplex): void {
    if (this.modern) this.h.onRequestUpgrade?.(this.controller!, status, record(headers), socket);
    else this.h.onUpgrade?.(status, raw(headers).slice(), socket);
  }

  write(chunk: Buffer): boolean {
    this.pulled = false;
    if (!this.modern) return this.h.onData?.(chunk) !== false;
    this.h.onResponseData?.(this.controller!, chunk);
    return !this.paused;
  }

  drain(): Promise<void> {
    return new Promise<void>((r) => (this.wake = r));
  }

  /** The reader's next pull, or the next turn of the event loop if that comes first. */
  taken(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = this.taking = resolve;
      if (this.queued) return;
      this.queued = true;
      wakeNextTurn(this);
    });
  }

  /** Whether a wait of `taken` lasts. */
  waiting(): boolean {
    return this.taking !== undefined;
  }

  /** A turn of the event loop has passed: a wait of `taken` ends. */
  turned(): void {
    this.queued = false;
    const taking = this.taking;
    if (!taking) return;
    this.taking = undefined;
    this.wake = noop;
    taking();
  }

  /** The reader's next pull: it has read all there was (or it gave up: an abort wakes the exchange too). */
  received(): Promise<void> {
    const body = this.body;
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => (clearTimeout(timer), resolve());
      if (body) {
        // fetch: its reader has read all once the body's buffer is empty (fetch moves a chunk on
        // only when its reader asks), however slowly it reads — up to a reader that stopped.
        const until = Date.now() + RECEIVED_LIMIT_MS;
        const check = () => (body.readableLength === 0 || body.destroyed || Date.now() > until ? done() : (timer = setTimeout(check, 10)).unref());
        this.wake = () => (clearTimeout(timer), check());
        return check();
      }
      // Another consumer: its next pull says it has what came, or a second passes.
      if (this.pulled) return resolve();
      timer = setTimeout(done, 1000).unref();
      this.wake = done;
    });
  }

  end(): void {
    if (this.modern) this.h.onResponseEnd?.(this.controller!, {});
    else this.h.onComplete?.([]);
  }

  fail(err: Error): void {
    if (this.modern) this.h.onResponseError?.(this.controller!, err);
    else this.h.onError?.(err);
  }

  onAbort(listener: (reason: Error) => void): void {
    (this.aborts ??= []).push(listener);
  }
}
