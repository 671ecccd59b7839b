// undici passes either a legacy handler (onConnect/onHeaders/onData/onComplete/onError, what
// Node 20's built-in fetch uses) or a new one (onRequestStart/onResponseStart/…, undici 7's
// own). A Sink is one face over both, so the Node transport is written once.
import type { Dispatcher } from 'undici';

export interface Sink {
  start(abort: (reason?: Error) => void): void;
  /** @returns false when the caller wants no more data until `resume` is called. */
  headers(status: number, headers: [string, string][], statusText: string, resume: () => void): boolean;
  data(chunk: Buffer): boolean;
  complete(): void;
  error(err: Error): void;
}

type Handler = Dispatcher.DispatchHandler;

export function sinkFor(handler: Handler): Sink {
  return handler.onRequestStart || handler.onResponseStart ? modernSink(handler) : legacySink(handler);
}

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

function legacySink(h: Handler): Sink {
  return {
    start: (abort) => h.onConnect?.(abort),
    // undici may keep the array it is given: each response gets its own copy of the cached Buffers.
    headers: (status, headers, statusText, resume) => h.onHeaders?.(status, raw(headers).slice(), resume, statusText) !== false,
    data: (chunk) => h.onData?.(chunk) !== false,
    complete: () => h.onComplete?.([]),
    error: (err) => h.onError?.(err),
  };
}

function modernSink(h: Handler): Sink {
  let abortFn: (reason?: Error) => void = () => {};
  let resumeFn: () => void = () => {};
  let paused = false;
  let reason: Error | null = null;
  const controller: Dispatcher.DispatchController = {
    get aborted() {
      return reason !== null;
    },
    get paused() {
      return paused;
    },
    get reason() {
      return reason;
    },
    abort(r: Error) {
      reason = r ?? new Error('aborted');
      abortFn(reason);
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      resumeFn();
    },
  };
  return {
    start: (abort) => {
      abortFn = abort;
      h.onRequestStart?.(controller, {});
    },
    headers: (status, headers, statusText, resume) => {
      resumeFn = resume;
      const obj: Record<string, string | string[]> = {};
      for (const [k, v] of headers) {
        const name = k.toLowerCase();
        const prev = obj[name];
        obj[name] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
      }
      h.onResponseStart?.(controller, status, obj, statusText);
      return !paused;
    },
    data: (chunk) => {
      h.onResponseData?.(controller, chunk);
      return !paused;
    },
    complete: () => h.onResponseEnd?.(controller, {}),
    error: (err) => h.onResponseError?.(controller, err),
  };
}

