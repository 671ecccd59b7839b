// The proxy's WebSockets: an upgrade to the proxy becomes a SocketRequest for the upstream (http →
// ws, https → wss, its path prefix, the path and the query) and a SocketTransport, and the core
// serves it (core/socket/exchange.ts): it replays, records or refuses; nothing is decided here.
// Loaded on the proxy's first upgrade, so only a proxy that carries sockets loads the `ws` library.
//
// The client's handshake is answered at the core's first use of the client's end: at once for a
// replay or a miss (with the subprotocol a provider would choose), and, when recording, once the
// upstream has answered the proxy's own handshake (connecting is the core's first call then), with
// the subprotocol the upstream chose.
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { TEST_HEADER } from './core/attribution.js';
import { PREFIX } from './core/errors.js';
import { HOP_BY_HOP, headerList, headerRecord } from './core/headers.js';
import type { Session } from './core/session.js';
import { type SocketPeer, type SocketRequest, type SocketTransport, type WireFrame, serveSocket } from './core/socket/exchange.js';
import { answeredProtocol } from './wire/realtime.js';

/** The handshake's own headers: the proxy answers the client's handshake and makes its own to the upstream. */
const HANDSHAKE: ReadonlySet<string> = new Set(['sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'sec-websocket-protocol', 'sec-websocket-accept']);
/** The close code of a connection that ended without a close frame: never sent in one. */
const ABNORMAL = 1006;
/** A subprotocol is an HTTP token (RFC 6455 §4.1). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export class ProxySockets {
  /** Every end open now, the clients' and the upstream's, so that closing the proxy ends them. */
  private readonly live = new Set<WsEnd>();

  /** `target`: the upstream's http(s) URL for a path the client asked the proxy for. */
  constructor(private readonly target: (path: string) => URL) {}

  /** Serves one upgrade to the proxy in `session`. Never throws. */
  serve(session: Session, req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const offered = handshake(req);
    if (typeof offered === 'string') {
      // As the proxy's HTTP answers its failures (proxy.ts).
      const body = JSON.stringify({ error: { message: `${PREFIX}the proxy cannot serve this upgrade: ${offered}.`, type: 'llm_replay_proxy_error' } });
      socket.end(`HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      return Promise.resolve();
    }
    const url = this.target(req.url ?? '/');
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const headers = headerList(req.headers).filter(([n]) => !HOP_BY_HOP.has(n) && !HANDSHAKE.has(n) && n !== TEST_HEADER);
    return serveSocket(session, { url: url.href, protocols: offered, headers }, new ClientEnd(this.live, req, socket, head, offered));
  }

  /** Closes every client's socket (1001: its conversation is stored as cut off), waits for `idle`, then cuts what is left. */
  async close(idle: () => Promise<unknown>): Promise<void> {
    for (const end of this.live) if (end instanceof ClientEnd) end.close(1001, 'the proxy is closing');
    await idle();
    for (const end of this.live) end.kill();
  }
}

/** The subprotocols a WebSocket handshake offers, or what is wrong with it. */
function handshake(req: http.IncomingMessage): string[] | string {
  if (req.method !== 'GET') return `a WebSocket handshake is a GET, not a ${req.method}`;
  if (String(req.headers.upgrade).toLowerCase() !== 'websocket') return `it asks for an upgrade to ${JSON.stringify(req.headers.upgrade)}, and the proxy upgrades to WebSockets only`;
  if (!/^[+/0-9A-Za-z]{22}==$/.test(req.headers['sec-websocket-key'] ?? '')) return 'its Sec-WebSocket-Key is missing or not 16 bytes in base64';
  if (req.headers['sec-websocket-version'] !== '13') return `its Sec-WebSocket-Version is ${JSON.stringify(req.headers['sec-websocket-version'])}, not 13`;
  const header = req.headers['sec-websocket-protocol'];
  if (header === undefined) return [];
  const offered = header.split(',').map((p) => p.trim());
  if (offered.some((p) => !TOKEN.test(p)) || new Set(offered).size !== offered.length) return `its Sec-WebSocket-Protocol ${JSON.stringify(header)} is not a list of distinct subprotocols`;
  return offered;
}

/** A `ws` socket as a SocketPeer: frames held until the first listener takes them; one close, whoever closed. */
class WsEnd implements SocketPeer {
  protected ws?: WebSocket;
  private readonly held: WireFrame[] = [];
  private readonly frameListeners: ((frame: WireFrame) => void)[] = [];
  private readonly closeListeners: ((code: number, reason: string) => void)[] = [];
  private ended?: { code: number; reason: string };

  constructor(protected readonly live: Set<WsEnd>) {
    live.add(this);
  }

  protected attach(ws: WebSocket): void {
    this.ws = ws;
    // A failure ends in 'close', which is what the core hears.
    ws.on('error', () => {});
    ws.on('message', (data, binary) => this.heard(binary ? { binary: data as Buffer } : { text: data.toString() }));
    ws.on('close', (code, reason) => this.end(code, reason.toString()));
  }

  /** This end is over: its close listeners hear it, once. */
  protected end(code: number, reason: string): void {
    if (this.ended) return;
    this.ended = { code, reason };
    this.live.delete(this);
    for (const l of this.closeListeners) l(code, reason);
  }

  private heard(frame: WireFrame): void {
    if (!this.frameListeners.length) return void this.held.push(frame);
    for (const l of this.frameListeners) l(frame);
  }

  send(frame: WireFrame): void {
    if (this.ws?.readyState !== WebSocket.OPEN) return;
    if ('text' in frame) this.ws.send(frame.text);
    else this.ws.send(frame.binary, { binary: true });
  }

  /** A relayed abnormal close (1006) cuts the connection; a code no close frame may carry sends none. */
  close(code: number, reason: string): void {
    if (!this.ws) return;
    if (code === ABNORMAL) this.ws.terminate();
    else if ((code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005) || (code >= 3000 && code <= 4999)) this.ws.close(code, reason);
    else this.ws.close();
  }

  onFrame(listener: (frame: WireFrame) => void): void {
    this.frameListeners.push(listener);
    if (this.frameListeners.length === 1) for (const f of this.held.splice(0)) listener(f);
  }

  onClose(listener: (code: number, reason: string) => void): void {
    const ended = this.ended;
    if (ended) queueMicrotask(() => listener(ended.code, ended.reason));
    else this.closeListeners.push(listener);
  }

  /** Cuts it now (the proxy is closing). */
  kill(): void {
    this.ws?.terminate();
  }
}

/** The client's end; its handshake is answered at the core's first use of it (see the top of this file). */
class ClientEnd extends WsEnd implements SocketTransport {
  readonly where = 'proxy' as const;
  private answered = false;

  constructor(
    live: Set<WsEnd>,
    private readonly req: http.IncomingMessage,
    private readonly socket: Duplex,
    private readonly head: Buffer,
    private readonly offered: string[],
  ) {
    super(live);
    // Gone before its handshake was answered (or the handshake refused).
    socket.once('close', () => {
      if (!this.ws) this.end(ABNORMAL, '');
    });
  }

  /** Answers the client's handshake, once, choosing `protocol`; then frames flow. */
  private answer(protocol = answeredProtocol(this.offered)): void {
    if (this.answered) return;
    this.answered = true;
    const server = new WebSocketServer({ noServer: true, clientTracking: false, handleProtocols: () => protocol ?? false });
    server.handleUpgrade(this.req, this.socket, this.head, (ws) => this.attach(ws));
  }

  async connect(request: SocketRequest): Promise<SocketPeer> {
    const upstream = await UpstreamEnd.open(request, this.live);
    this.answer(upstream.protocol);
    return upstream;
  }

  override send(frame: WireFrame): void {
    this.answer();
    super.send(frame);
  }

  override close(code: number, reason: string): void {
    this.answer();
    super.close(code, reason);
  }

  override onFrame(listener: (frame: WireFrame) => void): void {
    this.answer();
    super.onFrame(listener);
  }

  override kill(): void {
    super.kill();
    if (!this.ws) this.socket.destroy();
  }
}

/** The proxy's own socket to the upstream, offering what the client offered, with its headers. */
class UpstreamEnd extends WsEnd {
  /** Resolves once the upstream has answered the handshake; rejects with why it did not. */
  static open(request: SocketRequest, live: Set<WsEnd>): Promise<UpstreamEnd> {
    return new Promise((resolve, reject) => {
      const end = new UpstreamEnd(live);
      let ws: WebSocket;
      try {
        ws = new WebSocket(request.url, request.protocols, { headers: headerRecord(request.headers), followRedirects: false });
      } catch (err) {
        end.end(ABNORMAL, '');
        return reject(err as Error);
      }
      end.attach(ws);
      ws.once('open', () => resolve(end));
      ws.once('error', reject);
    });
  }

  /** The subprotocol the upstream chose. */
  get protocol(): string | undefined {
    return this.ws?.protocol || undefined;
  }
}
