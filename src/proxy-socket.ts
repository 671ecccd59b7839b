// The proxy's WebSockets: an upgrade to the proxy becomes a SocketRequest for the upstream (http →
// ws, https → wss, its path prefix, the path and the query) and a SocketTransport, and the core
// serves it (core/socket/exchange.ts): it replays, records or refuses; nothing is decided here.
// Loaded on the proxy's first upgrade, so only a proxy that carries sockets loads the `ws` library.
// The client's handshake is answered as ws-ends.ts says: with the subprotocol the upstream chose
// when recording, once the upstream has answered the proxy's own handshake.
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import { TEST_HEADER } from './core/attribution.js';
import { PREFIX } from './core/errors.js';
import { HOP_BY_HOP, WEBSOCKET_HANDSHAKE, headerList, headerRecord } from './core/headers.js';
import type { Session } from './core/session.js';
import { type SocketRequest, serveSocket } from './core/socket/exchange.js';
import { ABNORMAL, ClientEnd, WsEnd } from './ws-ends.js';

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
    const headers = headerList(req.headers).filter(([n]) => !HOP_BY_HOP.has(n) && !WEBSOCKET_HANDSHAKE.has(n) && n !== TEST_HEADER);
    const client = new ClientEnd('proxy', this.live, { req, socket, head, offered }, (request) => UpstreamEnd.open(request, this.live));
    return serveSocket(session, { url: url.href, protocols: offered, headers }, client);
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
