// The browser transport for WebSockets: the context's sockets to LLM URLs (the realtime APIs, and
// ws:/wss: URLs in llmUrls) are served by the core's socket exchange through context.routeWebSocket.
// What Playwright (1.48+) gives, and what this relies on:
// - The page's socket is CONNECTING while the handler runs. It opens when the handler has returned
//   (when not connected to the server), on the first frame sent to it, or when the real server's
//   socket opens (connected). So the page sends nothing before the handler has run; `onMessage`,
//   set in the handler before any await, sees every frame (a frame with no handler is dropped, or,
//   once connected, forwarded to the server unrecorded).
// - Frames come as a string (text) or a Buffer (binary), and go out the same way.
// - A close by the page (its `close()`, or its page or context going away, before `context.close()`
//   resolves) comes to `onClose` with its code and reason (none when it gave none). The page's
//   socket stays CLOSING until answered with `close()`, as a server answers a close frame. Closes
//   come more than once (the answer echoes back; a page going away reports both sides): the first counts.
// - The server's end: `connectToServer()` makes the page open a real WebSocket to the URL, with the
//   page's subprotocols, origin and cookies. Playwright says nothing when it opens; a handshake that
//   fails comes as a close 1006 before any frame. Its `close()` takes what a page's takes: 1000 or
//   3000-4999 (another code closes it without one).
// - Subprotocols: `protocols()` is what the page offered. A replayed socket opens with the first one
//   as its `protocol` (Playwright's choice); a recorded one with the server's.
import type { BrowserContext, WebSocketRoute } from '@playwright/test';
import type { Session } from '../core/session.js';
import { type SocketTransport, type WireFrame, serveSocket } from '../core/socket/exchange.js';
import { HeldPeer } from '../core/socket/peer.js';

/** The close code of a close that gave none. */
const NO_STATUS = 1005;
/** A close with no close frame: on a socket never heard from, its handshake failed. */
const ABNORMAL = 1006;

/** Serves the context's WebSockets to LLM URLs through `session`. Returns the undo (later sockets go to their server untouched). */
export async function installSocketRoute(context: BrowserContext, session: Session): Promise<() => void> {
  let active = true;
  const matches = (url: URL) => (url.protocol === 'ws:' || url.protocol === 'wss:') && session.recordings.intercepts(url.href);
  // Synchronous: the page end listens before the handler returns (see above).
  await context.routeWebSocket(matches, (ws) => {
    if (!active) return void ws.connectToServer();
    // protocols() came after routeWebSocket (1.48): without it, the recording names none (the server still gets them).
    void serveSocket(session, { url: ws.url(), protocols: ws.protocols?.() ?? [], headers: [] }, routeTransport(ws));
  });
  return () => void (active = false);
}

/** A routed WebSocket as the exchange's SocketTransport: the page's end, and the server's on `connect`. */
function routeTransport(ws: WebSocketRoute): SocketTransport {
  const page = new RoutedEnd(ws, 'page');
  return {
    where: 'page',
    send: (f) => page.send(f),
    close: (code, reason) => page.close(code, reason),
    onFrame: (l) => page.onFrame(l),
    onClose: (l) => page.onClose(l),
    connect: async () => {
      const server = new RoutedEnd(ws.connectToServer(), 'server');
      // The server's socket is open once a frame came either way: the page opens only when it is.
      await Promise.race([page.stirred, server.stirred]);
      if (server.closed?.code === ABNORMAL && !server.spoke && !page.spoke) throw new Error('the WebSocket did not open (its handshake failed: closed 1006)');
      return server;
    },
  };
}

/** One end of a routed WebSocket as a SocketPeer (HeldPeer: frames held until the first listener, one close). */
class RoutedEnd extends HeldPeer {
  /** Whether a frame came from it. */
  spoke = false;
  /** Resolves at its first frame or its close. */
  readonly stirred: Promise<void>;
  private stir!: () => void;

  constructor(
    private readonly route: WebSocketRoute,
    private readonly side: 'page' | 'server',
  ) {
    super();
    this.stirred = new Promise((resolve) => (this.stir = resolve));
    route.onMessage((m) => {
      if (this.ended) return;
      this.spoke = true;
      this.stir();
      this.heard(typeof m === 'string' ? { text: m } : { binary: m });
    });
    route.onClose((code, reason) => {
      if (this.ended) return;
      // The page's close is answered, so that its socket closes (with the code a browser's close event has).
      if (side === 'page') void route.close({ code: code ?? NO_STATUS, reason: reason ?? '' });
      this.over(code ?? NO_STATUS, reason ?? '');
    });
  }

  /** How it closed, once it has. */
  get closed(): { code: number; reason: string } | undefined {
    return this.ended;
  }

  send(frame: WireFrame): void {
    if (!this.ended) this.route.send('text' in frame ? frame.text : frame.binary);
  }

  close(code: number, reason: string): void {
    if (this.ended) return;
    const allowed = this.side === 'page' || code === 1000 || (code >= 3000 && code <= 4999);
    void this.route.close(allowed ? { code, reason } : {});
    this.over(code, reason);
  }

  private over(code: number, reason: string): void {
    this.end(code, reason);
    this.stir();
  }
}
