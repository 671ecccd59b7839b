// The Node transport: an undici Dispatcher set as the process's global dispatcher, so global
// fetch, undici and the SDKs built on them go through it. Non-LLM requests go straight to the
// dispatcher that was there before; LLM requests go to the session, which says replay, record,
// pass through, or miss.
import { Dispatcher } from 'undici';
import type { Recording, Session } from '../core/session.js';
import { type ReplayPlan, missResponse } from '../core/replay.js';
import { LlmReplayError } from '../core/errors.js';
import { type Sink, headerPairs, sinkFor } from './sink.js';

type Options = Dispatcher.DispatchOptions;
type Handler = Dispatcher.DispatchHandler;

export class LlmDispatcher extends Dispatcher {
  constructor(
    readonly upstream: Dispatcher,
    private readonly sessionFor: () => Session | undefined,
  ) {
    super();
  }

  override dispatch(opts: Options, handler: Handler): boolean {
    const session = this.sessionFor();
    const url = urlOf(opts);
    if (!session || !url || !session.intercepts(url)) return this.upstream.dispatch(opts, handler);
    const sink = sinkFor(handler);
    this.handle(session, url, opts, sink).catch((err: Error) => {
      if (!(err instanceof LlmReplayError)) err = new LlmReplayError(`playwright-llm-replay: ${err.message}`, { cause: err });
      session.fail(err);
      sink.error(err);
    });
    return true;
  }

  private async handle(session: Session, url: string, opts: Options, sink: Sink): Promise<void> {
    const body = await readBody(opts.body);
    const headers = headerRecord(opts.headers);
    const decision = session.decide({ method: opts.method, url, headers, body });
    switch (decision.kind) {
      case 'replay':
        return replay(decision.plan, sink);
      case 'miss':
        return replay(missResponse(decision.error), sink);
      case 'passthrough':
        return forward(this.upstream, { ...opts, body }, sink);
      case 'record':
        return forward(this.upstream, { ...opts, headers, body }, sink, decision.recording, session);
    }
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    // The upstream dispatcher belongs to whoever installed it; we never close it.
    if (callback) return void queueMicrotask(callback);
    return Promise.resolve();
  }

  override destroy(): Promise<void>;
  override destroy(err: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(a?: unknown, b?: unknown): Promise<void> | void {
    const callback = typeof a === 'function' ? a : typeof b === 'function' ? b : undefined;
    if (callback) return void queueMicrotask(callback as () => void);
    return Promise.resolve();
  }
}

/** Streams a plan to the caller: one data callback per recorded chunk, after its delay. */
export async function replay(plan: ReplayPlan, sink: Sink): Promise<void> {
  let aborted: Error | undefined;
  let wake: () => void = () => {};
  sink.start((reason) => {
    aborted = reason ?? new Error('The request was aborted');
    wake();
  });
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = ms > 0 ? setTimeout(resolve, ms) : undefined;
      wake = () => (clearTimeout(timer), resolve());
      if (!timer) setImmediate(resolve);
    });
  let resumed: () => void = () => {};
  const resume = () => resumed();
  let flowing = sink.headers(plan.status, Object.entries(plan.headers), plan.statusText, resume);
  for (const chunk of plan.chunks) {
    if (!flowing) await new Promise<void>((r) => ((resumed = r), (wake = r)));
    await pause(chunk.delay);
    if (aborted) return sink.error(aborted);
    flowing = sink.data(chunk.data);
  }
  if (aborted) return sink.error(aborted);
  sink.complete();
}

/**
 * Sends a request upstream and streams the answer to `sink`; with a recording, tees every chunk
 * into it as it passes (the caller first) and stores it when the body has ended well.
 */
export function forward(upstream: Dispatcher, opts: Options, sink: Sink, rec?: Recording, session?: Session): void {
  // Ask for an unencoded body so the recording's chunk times are those of readable events.
  const headers = rec ? { ...headerRecord(opts.headers), 'accept-encoding': 'identity' } : opts.headers;
  upstream.dispatch({ ...opts, headers }, teeHandler(sink, rec, session));
}

/**
 * A caller that gives up while a call is being recorded (a Stop button) gets its abort at once,
 * but the upstream answer is read to its end and stored: the recording is what the API sends,
 * and a test of stopping needs it to replay.
 */
function teeHandler(sink: Sink, rec?: Recording, session?: Session): Handler {
  let detached = false;
  let resumeUpstream = () => {};
  return {
    onConnect: (abort) =>
      sink.start((reason) => {
        if (!rec) return abort(reason);
        if (detached) return;
        detached = true;
        sink.error(reason ?? new DOMException('This operation was aborted', 'AbortError'));
        resumeUpstream();
      }),
    onHeaders: (status, raw, resume, statusText) => {
      resumeUpstream = resume;
      const pairs = headerPairs(raw);
      if (rec && status >= 200) {
        const h: Record<string, string[]> = {};
        for (const [k, v] of pairs) (h[k.toLowerCase()] ??= []).push(v);
        rec.response(status, Object.fromEntries(Object.entries(h).map(([k, v]) => [k, v.length === 1 ? v[0] : v])));
      }
      return detached || sink.headers(status, pairs, statusText, resume);
    },
    onData: (chunk) => {
      const more = detached || sink.data(chunk);
      rec?.chunk(chunk);
      return more;
    },
    onComplete: () => {
      try {
        rec?.end();
      } catch (err) {
        session?.fail(err as Error);
      }
      if (!detached) sink.complete();
    },
    onError: (err) => {
      rec?.fail(err);
      if (!detached) sink.error(err);
    },
  };
}

function urlOf(opts: Options): string | undefined {
  try {
    return new URL(opts.path, String(opts.origin)).toString();
  } catch {
    return undefined;
  }
}

export function headerRecord(headers: Options['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  const add = (k: string, v: unknown) => {
    if (v === undefined || v === null) return;
    const name = k.toLowerCase();
    const value = Array.isArray(v) ? v.join(', ') : String(v);
    out[name] = out[name] !== undefined ? `${out[name]}, ${value}` : value;
  };
  if (Array.isArray(headers)) {
    if (headers.length && Array.isArray(headers[0])) for (const [k, v] of headers as unknown as [string, string][]) add(k, v);
    else for (let i = 0; i + 1 < headers.length; i += 2) add(String(headers[i]), headers[i + 1]);
  } else if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [k, v] of headers as Iterable<[string, string]>) add(k, v);
  } else {
    for (const [k, v] of Object.entries(headers)) add(k, v);
  }
  return out;
}

async function readBody(body: Options['body']): Promise<Buffer> {
  if (body == null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (body instanceof Blob) return Buffer.from(await body.arrayBuffer());
  if (typeof FormData !== 'undefined' && (body as unknown) instanceof FormData) {
    throw new LlmReplayError('playwright-llm-replay: multipart (FormData) request bodies to LLM URLs are not supported yet; send JSON, or leave this URL out of llmHosts.');
  }
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function' || typeof (body as Iterable<unknown>)[Symbol.iterator] === 'function') {
    const parts: Buffer[] = [];
    for await (const part of body as AsyncIterable<Uint8Array | string>) parts.push(typeof part === 'string' ? Buffer.from(part) : Buffer.from(part));
    return Buffer.concat(parts);
  }
  throw new LlmReplayError(`playwright-llm-replay: cannot read a request body of type ${Object.prototype.toString.call(body)}.`);
}
