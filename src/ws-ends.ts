// The `ws` library's sockets as the core's SocketPeers, for the transports that speak WebSocket
// themselves: the proxy (a client's socket to it, and its own to the upstream) and Node (the client's
// end of a socket the dispatcher answers in-process, node/socket.ts). Both load this module on their
// first socket, so only a process that carries sockets loads `ws`.
//
// A client's handshake is answered at the core's first use of the client's end: at once for a replay
// or a miss (with the subprotocol a provider would choose), and, when recording, once the upstream
// has answered the transport's own handshake (connecting is the core's first call then), with the
// subprotocol the upstream chose.
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import type { Where } from './core/call.js';
import { HeldPeer } from './core/socket/peer.js';
import type { SocketPeer, SocketRequest, SocketTransport, WireFrame } from './core/socket/transport.js';
import { answeredProtocol } from './wire/realtime.js';

/** The close code of a connection that ended without a close frame: never sent in one. */
export const ABNORMAL = 1006;

/** A `ws` socket as a SocketPeer. `live`: a set it is in while open (so that its owner can end every one). */
export class WsEnd extends HeldPeer {
  protected ws?: WebSocket;

  constructor(protected readonly live?: Set<WsEnd>) {
    super();
    live?.add(this);
  }

  protected attach(ws: WebSocket): void {
    this.ws = ws;
    // A failure (a frame `ws` cannot take: bad UTF-8, too large) ends in 'close', which is what the core hears.
    ws.on('error', () => {});
    ws.on('message', (data, binary) => this.heard(binary ? { binary: bufferOf(data) } : { text: bufferOf(data).toString('utf8') }));
    ws.on('close', (code, reason) => this.end(code, reason.toString()));
  }

  protected override end(code: number, reason: string): void {
    this.live?.delete(this);
    super.end(code, reason);
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

  /** Cuts it now (its owner is closing). */
  kill(): void {
    this.ws?.terminate();
  }
}

/** The server's end as a client's end needs it: a peer, and the subprotocol the server chose. */
export interface OpenedPeer extends SocketPeer {
  readonly protocol?: string;
}

/** A client's WebSocket handshake: the HTTP upgrade on `socket`, and the subprotocols it offers. */
export interface Handshake {
  req: http.IncomingMessage;
  socket: Duplex;
  head: Buffer;
  offered: string[];
  /** Called once the `101` (or a refusal) has been written to `socket`. */
  answered?: () => void;
}

/** The client's end, answered by a `ws` server at the core's first use (see the top of this file). */
export class ClientEnd extends WsEnd implements SocketTransport {
  private answered = false;

  constructor(
    readonly where: Where,
    live: Set<WsEnd> | undefined,
    private readonly handshake: Handshake,
    /** Opens the server's end (record, passthrough); rejects with why it could not. */
    private readonly open: (request: SocketRequest) => Promise<OpenedPeer>,
  ) {
    super(live);
    // Gone before its handshake was answered (or the handshake refused).
    handshake.socket.once('close', () => {
      if (!this.ws) this.end(ABNORMAL, '');
    });
  }

  /** Answers the client's handshake, once, choosing `protocol`; then frames flow. */
  private answer(protocol = answeredProtocol(this.handshake.offered)): void {
    if (this.answered) return;
    this.answered = true;
    const { req, socket, head } = this.handshake;
    const server = new WebSocketServer({ noServer: true, clientTracking: false, handleProtocols: () => protocol ?? false });
    server.handleUpgrade(req, socket, head, (ws) => this.attach(ws));
    this.handshake.answered?.();
  }

  async connect(request: SocketRequest): Promise<SocketPeer> {
    const upstream = await this.open(request);
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
    if (!this.ws) this.handshake.socket.destroy();
  }
}

function bufferOf(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
