// WebSockets in Node. undici's WebSocket (Node 22's global one is undici's too) makes its handshake
// through the global dispatcher: a dispatch with `upgrade: 'websocket'`. For an LLM URL the
// dispatcher answers it here, in this process: the client gets one end of an in-memory socket
// after a 101, a `ws` server speaks WebSocket on the other end, and that end is the client's side of
// the core's socket seam. The real server, when the core wants it (record, passthrough), is opened
// with undici's WebSocket on the dispatcher that was there before ours.
import { Duplex } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { type Dispatcher, WebSocket as UndiciWebSocket } from 'undici';
import type { RawData, WebSocket as WsSocket, WebSocketServer as WsServer } from 'ws';
import { type HeaderList, HOP_BY_HOP, headerRecord, headerValue } from '../core/headers.js';
import { InternalError, LlmReplayError } from '../core/errors.js';
import type { Session } from '../core/session.js';
import { type SocketPeer, type SocketRequest, type WireFrame, serveSocket } from '../core/socket/exchange.js';
import type { HandlerTransport } from './sink.js';

const EMPTY = Buffer.alloc(0);

/**
 * Answers a WebSocket handshake to `url` (ws: or wss:) that undici dispatched to us, and serves the
 * socket through the core. Failures before the socket is handed over fail the handshake and the test.
 */
export function answerUpgrade(session: Session, url: string, headers: HeaderList, path: string, t: HandlerTransport, upstream: Dispatcher): void {
  let aborted: Error | undefined;
  t.onAbort((reason) => (aborted ??= reason));
  wsServer()
    .then((server) => {
      // The client gave up while `ws` loaded (its WebSocket was closed while connecting).
      if (aborted) return t.fail(aborted);
      const [client, ours] = socketPair();
      let ws: WsSocket | undefined;
      // `ws` checks the handshake and writes its 101 (Sec-WebSocket-Accept from the key, the first
      // subprotocol offered) on our end; the client's end reads it before the socket is handed over.
      const req = { method: 'GET', url: path, headers: { ...headerRecord(headers), upgrade: 'websocket', connection: 'Upgrade' } };
      server.handleUpgrade(req as unknown as IncomingMessage, ours, EMPTY, (w) => (ws = w));
      const head = responseHead(client.read() as Buffer | null);
      if (!ws || head?.status !== 101) throw new InternalError(`the in-process WebSocket server did not accept the handshake for ${session.recordings.redactor.url(url)} (${head ? head.line : 'no answer'}).`);
      t.upgrade(101, head.headers, client);
      const peer = wsPeer(ws);
      const request: SocketRequest = { url, protocols: offeredProtocols(headers), headers };
      void serveSocket(session, request, { where: t.where, ...peer, connect: (r) => openUpstream(r, upstream) });
    })
    .catch((err: Error) => {
      const error = err instanceof LlmReplayError ? err : new InternalError(err.message, { cause: err });
      session.ledger.fail(error);
      t.fail(error);
    });
}

let server: Promise<WsServer> | undefined;

/** The `ws` server that speaks WebSocket to the clients, loaded when the first socket comes. */
function wsServer(): Promise<WsServer> {
  return (server ??= import('ws').then(
    ({ WebSocketServer }) => new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false }),
    (err: Error) => {
      server = undefined;
      throw new InternalError(`cannot answer a WebSocket to an LLM URL: the ws package did not load (${err.message}). Install it: npm install ws`, { cause: err });
    },
  ));
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
  if (!text.endsWith('\r\n\r\n')) return undefined;
  const [line, ...rest] = text.slice(0, -4).split('\r\n');
  const headers = rest.map((h): [string, string] => {
    const at = h.indexOf(':');
    return [h.slice(0, at).trim().toLowerCase(), h.slice(at + 1).trim()];
  });
  return { line, status: Number(line.split(' ')[1]), headers };
}

/**
 * Two ends of an in-memory socket: what one writes the other reads; ending one ends the other (as a
 * TCP socket does, not half open), destroying one destroys the other (a dropped connection).
 */
export function socketPair(): [Duplex, Duplex] {
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

/** The SocketPeer contract's bookkeeping: frames held until the first listener comes, the close told once. */
class PeerEvents {
  private readonly frameListeners: ((frame: WireFrame) => void)[] = [];
  private readonly held: WireFrame[] = [];
  private readonly closeListeners: ((code: number, reason: string) => void)[] = [];
  private closed?: { code: number; reason: string };

  frame(frame: WireFrame): void {
    if (!this.frameListeners.length) this.held.push(frame);
    for (const l of this.frameListeners) l(frame);
  }
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = { code, reason };
    for (const l of this.closeListeners.splice(0)) l(code, reason);
  }
  onFrame(listener: (frame: WireFrame) => void): void {
    this.frameListeners.push(listener);
    for (const f of this.held.splice(0)) listener(f);
  }
  onClose(listener: (code: number, reason: string) => void): void {
    if (this.closed) listener(this.closed.code, this.closed.reason);
    else this.closeListeners.push(listener);
  }
}

/** A `ws` socket (the server's side of a client's socket) as a SocketPeer. */
export function wsPeer(ws: WsSocket): SocketPeer {
  const events = new PeerEvents();
  ws.on('message', (data: RawData, isBinary: boolean) => events.frame(isBinary ? { binary: bufferOf(data) } : { text: bufferOf(data).toString('utf8') }));
  ws.on('close', (code: number, reason: Buffer) => events.close(code, reason.toString('utf8')));
  // A frame `ws` cannot take (bad UTF-8, too large) is an 'error' and then a close with its code: the close tells it.
  ws.on('error', () => {});
  return {
    send: (f) => {
      if (ws.readyState === ws.OPEN) ws.send('text' in f ? f.text : f.binary, { binary: 'binary' in f });
    },
    close: (code, reason) => {
      if (ws.readyState !== ws.OPEN) return;
      // Codes a close frame may carry are sent; 1005 (none given) is a close frame without one; 1006
      // (the connection dropped, as recorded) drops it.
      if (sendable(code, true)) ws.close(code, reason);
      else if (code === 1005) ws.close();
      else ws.terminate();
    },
    onFrame: (l) => events.onFrame(l),
    onClose: (l) => events.onClose(l),
  };
}

/** Whether a close frame may carry `code` (RFC 6455 7.4); a WebSocket API client (`byServer` false) may send only 1000 and 3000–4999. */
function sendable(code: number, byServer: boolean): boolean {
  if (code === 1000 || (code >= 3000 && code <= 4999)) return true;
  return byServer && code >= 1001 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006;
}

function bufferOf(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** Handshake headers of the client's that undici's WebSocket makes anew (or that belong to one connection). */
const HANDSHAKE = /^(sec-websocket-.*|content-length)$/;

/**
 * Opens the real server's end with undici's WebSocket on `dispatcher` (the one that was global
 * before ours), with the client's subprotocols and headers (its credentials among them).
 */
export function openUpstream(req: SocketRequest, dispatcher: Dispatcher): Promise<SocketPeer> {
  return new Promise((resolve, reject) => {
    const headers = req.headers.filter(([n]) => !HOP_BY_HOP.has(n) && !HANDSHAKE.test(n));
    const ws = new UndiciWebSocket(req.url, { protocols: req.protocols, headers, dispatcher });
    ws.binaryType = 'arraybuffer';
    const events = new PeerEvents();
    let open = false;
    let failure = '';
    ws.addEventListener('message', (e) => events.frame(typeof e.data === 'string' ? { text: e.data } : { binary: Buffer.from(e.data as ArrayBuffer) }));
    ws.addEventListener('error', (e) => (failure ||= (e as ErrorEvent).message || String((e as ErrorEvent).error?.message ?? '')));
    ws.addEventListener('open', () => {
      open = true;
      resolve(peer);
    });
    ws.addEventListener('close', (e) => {
      // undici tells no more (not the status of a refused handshake).
      if (!open) reject(new Error(`the server did not open the WebSocket (${failure || `closed ${e.code} before opening`})`));
      events.close(e.code, e.reason);
    });
    const peer: SocketPeer = {
      send: (f) => {
        if (ws.readyState === ws.OPEN) ws.send('text' in f ? f.text : f.binary);
      },
      // A client may send only 1000 and 3000–4999: another code (a client's 1001, a dropped 1006)
      // reaches the server as a close without one.
      close: (code, reason) => (sendable(code, false) ? ws.close(code, reason) : ws.close()),
      onFrame: (l) => events.onFrame(l),
      onClose: (l) => events.onClose(l),
    };
  });
}
