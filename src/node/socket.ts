// WebSockets in Node. undici's WebSocket (Node 22's global one is undici's too) makes its handshake
// through the global dispatcher: a dispatch with `upgrade: 'websocket'`. For an LLM URL the
// dispatcher answers it here, in this process: the handshake goes to a `ws` server on one end of an
// in-memory socket pair, the 101 it writes is read off the other end, and that other end is handed
// to undici as the upgraded connection. The `ws` end is the client's end of the core's socket seam
// (ws-ends.ts: answered at the core's first use, with the subprotocol the upstream chose when
// recording). The real server, when the core wants it (record, passthrough), is opened with undici's
// WebSocket on the dispatcher that was there before ours.
import { Duplex } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { type Dispatcher, WebSocket as UndiciWebSocket } from 'undici';
import { type HeaderList, HOP_BY_HOP, WEBSOCKET_HANDSHAKE, headerRecord, headerValue } from '../core/headers.js';
import { InternalError } from '../core/errors.js';
import type { Session } from '../core/session.js';
import { HeldPeer } from '../core/socket/peer.js';
import { type SocketRequest, type WireFrame, serveSocket } from '../core/socket/exchange.js';
import type { OpenedPeer } from '../ws-ends.js';
import type { HandlerTransport } from './sink.js';

const EMPTY = Buffer.alloc(0);

/** Answers a WebSocket handshake to `url` (ws: or wss:) that undici dispatched to us, and serves the socket through the core. */
export function answerUpgrade(session: Session, url: string, headers: HeaderList, path: string, t: HandlerTransport, upstream: Dispatcher): void {
  const [client, ours] = socketPair();
  let aborted: Error | undefined;
  // The client gave up before its handshake was answered (its WebSocket closed while connecting): a dropped connection.
  t.onAbort((reason) => {
    aborted ??= reason;
    ours.destroy();
  });
  const offered = offeredProtocols(headers);
  const req = { method: 'GET', url: path, headers: { ...headerRecord(headers), upgrade: 'websocket', connection: 'Upgrade' } } as unknown as IncomingMessage;
  const answered = () => {
    const head = responseHead(client.read() as Buffer | null);
    if (head?.status === 101) return t.upgrade(101, head.headers, client);
    if (aborted) return t.fail(aborted);
    const error = new InternalError(`the in-process WebSocket server did not accept the handshake for ${session.recordings.redactor.url(url)} (${head ? head.line : 'no answer'}).`);
    session.ledger.fail(error);
    t.fail(error);
  };
  const request: SocketRequest = { url, protocols: offered, headers: headers.filter(([n]) => !HOP_BY_HOP.has(n) && !WEBSOCKET_HANDSHAKE.has(n)) };
  import('../ws-ends.js').then(
    ({ ClientEnd }) => serveSocket(session, request, new ClientEnd(t.where, undefined, { req, socket: ours, head: EMPTY, offered, answered }, (r) => UndiciEnd.open(r, upstream))),
    (err: Error) => {
      const error = new InternalError(`cannot answer a WebSocket to an LLM URL: the ws package did not load (${err.message}). Install it: npm install ws`, { cause: err });
      session.ledger.fail(error);
      t.fail(error);
    },
  );
}

/** The subprotocols a handshake offers, in order. */
function offeredProtocols(headers: HeaderList): string[] {
  return (headerValue(headers, 'sec-websocket-protocol') ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

/** An HTTP response head as `ws` wrote it: the status, and the headers. */
function responseHead(bytes: Buffer | null): { line: string; status: number; headers: [string, string][] } | undefined {
  const text = bytes?.toString('latin1') ?? '';
  const at = text.indexOf('\r\n\r\n');
  if (at < 0) return undefined;
  const [line, ...rest] = text.slice(0, at).split('\r\n');
  const headers = rest.map((h): [string, string] => {
    const colon = h.indexOf(':');
    return [h.slice(0, colon).trim().toLowerCase(), h.slice(colon + 1).trim()];
  });
  return { line, status: Number(line.split(' ')[1]), headers };
}

/**
 * Two ends of an in-memory socket: what one writes the other reads; ending one ends the other (as a
 * TCP socket does, not half open), destroying one destroys the other (a dropped connection).
 */
function socketPair(): [Duplex, Duplex] {
  class End extends Duplex {
    other!: End;
    /** A write waiting for the other end to read (back-pressure). */
    waiting?: () => void;
    constructor() {
      super({ allowHalfOpen: false });
    }
    override _read(): void {
      const next = this.other.waiting;
      this.other.waiting = undefined;
      next?.();
    }
    override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
      if (this.other.push(chunk)) callback();
      else this.waiting = callback;
    }
    override _final(callback: (error?: Error | null) => void): void {
      this.other.push(null);
      callback();
    }
    override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
      if (!this.other.destroyed) this.other.destroy();
      callback(error);
    }
  }
  const a = new End();
  const b = new End();
  a.other = b;
  b.other = a;
  return [a, b];
}

/** The real server's end: undici's WebSocket on the dispatcher that was there before ours, with the client's subprotocols and headers (its credentials among them). */
class UndiciEnd extends HeldPeer implements OpenedPeer {
  /** Resolves once the server has answered the handshake; rejects when it did not. */
  static open(request: SocketRequest, dispatcher: Dispatcher): Promise<UndiciEnd> {
    return new Promise((resolve, reject) => {
      const ws = new UndiciWebSocket(request.url, { protocols: request.protocols, headers: request.headers, dispatcher });
      const end = new UndiciEnd(ws);
      ws.addEventListener('open', () => resolve(end));
      // Before it opened (after, this does nothing). undici tells no more: not the status of a refused handshake.
      ws.addEventListener('close', (e) => reject(new Error(`the server did not open the WebSocket (closed ${e.code} before opening)`)));
    });
  }

  private constructor(private readonly ws: UndiciWebSocket) {
    super();
    ws.binaryType = 'arraybuffer';
    ws.addEventListener('message', (e) => this.heard(typeof e.data === 'string' ? { text: e.data } : { binary: Buffer.from(e.data as ArrayBuffer) }));
    ws.addEventListener('close', (e) => this.end(e.code, e.reason));
  }

  /** The subprotocol the server chose. */
  get protocol(): string | undefined {
    return this.ws.protocol || undefined;
  }

  send(frame: WireFrame): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send('text' in frame ? frame.text : frame.binary);
  }

  /** A client may send only 1000 and 3000–4999: another code (a client's 1001, a dropped 1006) reaches the server as a close without one. */
  close(code: number, reason: string): void {
    if (code === 1000 || (code >= 3000 && code <= 4999)) this.ws.close(code, reason);
    else this.ws.close();
  }
}
