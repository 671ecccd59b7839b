// Reaching the upstream from Node: an undici Dispatcher (the one that was global before ours, or
// the proxy's Agent) as the exchange's `upstream`: the response head, then the body as an async
// iterable that pauses the socket while the exchange is not reading (back-pressure).
import type { Dispatcher } from 'undici';
import type { UpstreamRequest, UpstreamResponse } from './core/exchange.js';
import { HOP_BY_HOP, headerList } from './core/headers.js';

export function upstreamVia(dispatcher: () => Dispatcher): (request: UpstreamRequest, signal: AbortSignal) => Promise<UpstreamResponse> {
  return (request, signal) =>
    new Promise<UpstreamResponse>((resolve, reject) => {
      const u = new URL(request.url);
      const body = new Body();
      let abort: (reason?: Error) => void = () => {};
      const onAbort = () => abort(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      signal.addEventListener('abort', onAbort, { once: true });
      body.onCancel = onAbort;
      const headers: string[] = [];
      for (const [name, value] of request.headers) {
        if (name.startsWith(':') || HOP_BY_HOP.has(name) || name === 'content-length') continue;
        headers.push(name, value);
      }
      const handler: Dispatcher.DispatchHandler = {
        onConnect: (fn) => {
          abort = fn;
          if (signal.aborted) onAbort();
        },
        onHeaders: (status, raw, resume, statusText) => {
          if (status < 200) return true;
          body.resume = resume;
          resolve({ status, statusText, headers: headerList(raw as unknown as Buffer[]), body });
          return true;
        },
        onData: (chunk) => body.push(chunk),
        onComplete: () => {
          signal.removeEventListener('abort', onAbort);
          body.end();
        },
        onError: (err) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
          body.fail(err);
        },
      };
      dispatcher().dispatch(
        { origin: u.origin, path: u.pathname + u.search, method: request.method as Dispatcher.HttpMethod, headers, body: request.body.length ? request.body : undefined },
        handler,
      );
    });
}

/** An upstream body: chunks queue here until read; past a few, the socket pauses until the reader catches up. */
class Body implements AsyncIterable<Buffer> {
  resume: () => void = () => {};
  onCancel: () => void = () => {};
  private readonly chunks: Buffer[] = [];
  private ended = false;
  private error?: Error;
  private paused = false;
  private wake: () => void = () => {};

  push(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    this.wake();
    if (this.chunks.length >= 8) this.paused = true;
    return !this.paused;
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  fail(err: Error): void {
    this.error = err;
    this.wake();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    let done = false;
    try {
      for (;;) {
        const chunk = this.chunks.shift();
        if (chunk) {
          if (this.paused && this.chunks.length < 2) {
            this.paused = false;
            this.resume();
          }
          yield chunk;
          continue;
        }
        if (this.error) throw this.error;
        if (this.ended) {
          done = true;
          return;
        }
        await new Promise<void>((r) => (this.wake = r));
      }
    } finally {
      if (!done && !this.error) this.onCancel(); // the reader stopped early
    }
  }
}
