// The seam for WebSocket traffic, as transport.ts is for HTTP: what a transport gives the core for
// one socket (the client's end, and a way to open the real server's end), and a frame as it
// crosses. The page (context.routeWebSocket), the proxy and Node's WebSocket each implement it.
import type { HeaderList } from '../headers.js';
import type { Where } from '../call.js';

/** One frame on the wire: text, or binary. */
export type WireFrame = { text: string } | { binary: Buffer };

/** One end of a socket as the core drives it. */
export interface SocketPeer {
  send(frame: WireFrame): void;
  /** Closes this end with a code and a reason (at most 123 bytes). */
  close(code: number, reason: string): void;
  /** Each frame from the other side, in order. */
  onFrame(listener: (frame: WireFrame) => void): void;
  /** Once, when this end closed (by the other side, or by `close`). */
  onClose(listener: (code: number, reason: string) => void): void;
}

/** What a socket asked for: its URL, the subprotocols it offered, and its handshake headers. */
export interface SocketRequest {
  url: string;
  protocols: string[];
  headers: HeaderList;
}

/** The client's end of one socket, and the way to the real server. */
export interface SocketTransport extends SocketPeer {
  readonly where: Where;
  /** Opens the real server's end (record and passthrough modes). Rejects when it cannot. */
  connect(request: SocketRequest): Promise<SocketPeer>;
}
