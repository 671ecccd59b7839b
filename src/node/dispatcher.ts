// The Node transport: an undici Dispatcher set as the process's global dispatcher, so global
// fetch, undici and the SDKs built on them go through it. Non-LLM requests go straight to the
// dispatcher that was there before; LLM requests are served by the core's exchange, and WebSocket
// handshakes to LLM URLs by its socket exchange (socket.ts).
import { Dispatcher } from 'undici';
import { type Transport, serve } from '../core/exchange.js';
import { type HeaderList, headerList } from '../core/headers.js';
import type { Session } from '../core/session.js';
import type { Where } from '../core/call.js';
import { LlmReplayError, RequestBodyError } from '../core/errors.js';
import { HandlerTransport } from './sink.js';
import { answerUpgrade } from './socket.js';
import { upstreamVia } from '../upstream.js';

type Options = Dispatcher.DispatchOptions;
const EMPTY = Buffer.alloc(0);
type Handler = Dispatcher.DispatchHandler;

export class LlmDispatcher extends Dispatcher {
  private readonly reach: Transport['upstream'];

  constructor(
    readonly upstream: Dispatcher,
    private readonly sessionFor: () => Session | undefined,
    private readonly where: Where,
  ) {
    super();
    this.reach = upstreamVia(() => upstream);
  }

  /**
   * What undici's fetch asks a mock: told yes, it hands over the request body as the caller gave it
   * (a string, bytes) rather than as a stream, so a replay reads it at once. Requests that pass by
   * get a body the upstream dispatcher takes as fetch would have sent it.
   *
   * A speed-up only, on an internal of undici's fetch: no public way gets the body as given, and
   * reading the stream fetch hands any other dispatcher cost a quarter of the replay rate (bench/ab.mjs).
   * Every body is read right without it (a fetch that stops asking, or a dispatcher wrapping this one,
   * hands the stream). Node's own fetch reads it, as npm's undici 5.28 to 8.10 does;
   * tests/node/review-bugs.spec.ts fails if that changes.
   */
  get isMockActive(): boolean {
    return true;
  }

  override dispatch(opts: Options, handler: Handler): boolean {
    const session = this.sessionFor();
    const url = urlOf(opts);
    if (opts.upgrade) {
      // A WebSocket's handshake (undici's WebSocket, Node's global one): its URL is the ws: one.
      const socketUrl = url && String(opts.upgrade).toLowerCase() === 'websocket' ? url.replace(/^http/, 'ws') : undefined;
      if (!session || !socketUrl || !session.recordings.intercepts(socketUrl)) return this.upstream.dispatch(opts, handler);
      answerUpgrade(session, socketUrl, headerList(opts.headers as never), opts.path, new HandlerTransport(handler, this.where, this.reach), this.upstream);
      return true;
    }
    if (!session || !url || !session.recordings.intercepts(url)) return this.upstream.dispatch(asFetchSends(opts), handler);
    const transport = new HandlerTransport(handler, this.where, this.reach);
    const headers = headerList(opts.headers as never);
    const body = opts.body;
    if (body == null || typeof body === 'string' || body instanceof Uint8Array) {
      const bytes = body == null ? EMPTY : typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      void serve(session, { method: opts.method, url, headers, body: bytes }, transport);
      return true;
    }
    // Any other body (a stream, a FormData as fetch handed it) is read whole first.
    readBody(body, headers).then(
      ({ bytes, headers }) => serve(session, { method: opts.method, url, headers, body: bytes }, transport),
      (err: Error) => {
        const error = err instanceof LlmReplayError ? err : new RequestBodyError(err.message, { cause: err });
        session.ledger.fail(error);
        transport.fail(error);
      },
    );
    return true;
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

/**
 * fetch gives a FormData body to a mock as the FormData itself; the network gets it as fetch would
 * have encoded it (multipart, with the boundary in content-type).
 */
function asFetchSends(opts: Options): Options {
  if (!isFormData(opts.body)) return opts;
  const encoded = encodeForm(opts.body, headerList(opts.headers as never));
  return { ...opts, headers: encoded.headers.flat(), body: encoded.body as unknown as Options['body'] };
}

function isFormData(body: unknown): body is FormData {
  return typeof FormData !== 'undefined' && body instanceof FormData;
}

/** A FormData as fetch sends it: its multipart encoding, and the content type that names the boundary. */
function encodeForm(form: FormData, headers: HeaderList): { headers: HeaderList; body: ReadableStream<Uint8Array> } {
  const encoded = new Request('http://localhost/', { method: 'POST', body: form });
  const rest = headers.filter(([n]) => n !== 'content-type' && n !== 'content-length');
  return { headers: [...rest, ['content-type', encoded.headers.get('content-type')!]], body: encoded.body! };
}

function urlOf(opts: Options): string | undefined {
  // undici's paths start with `/`, and its origins have no path: the URL is the two side by side.
  const origin = String(opts.origin ?? '');
  if (typeof opts.path === 'string' && opts.path.startsWith('/') && /^https?:\/\/[^/]+$/.test(origin)) return origin + opts.path;
  try {
    return new URL(opts.path, origin).toString();
  } catch {
    return undefined;
  }
}

/** A body read whole, with the headers it goes with (a FormData's encoding names its boundary). */
async function readBody(body: Options['body'], headers: HeaderList): Promise<{ bytes: Buffer; headers: HeaderList }> {
  if (isFormData(body)) {
    const encoded = encodeForm(body, headers);
    return { bytes: await readStream(encoded.body as unknown as Options['body']), headers: encoded.headers };
  }
  return { bytes: await readStream(body), headers };
}

async function readStream(body: Options['body']): Promise<Buffer> {
  if (body == null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (body instanceof Blob) return Buffer.from(await body.arrayBuffer());
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function' || typeof (body as Iterable<unknown>)[Symbol.iterator] === 'function') {
    const parts: Buffer[] = [];
    for await (const part of body as AsyncIterable<Uint8Array | string>) parts.push(typeof part === 'string' ? Buffer.from(part) : Buffer.from(part));
    return Buffer.concat(parts);
  }
  throw new RequestBodyError(`cannot read a request body of type ${Object.prototype.toString.call(body)}.`);
}
