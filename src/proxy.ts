// The proxy, for backends that are not Node: a local HTTP server that a backend in any language
// points its base URL at. Same sessions, store and modes as the transports; streams both ways.
// A request carrying a test's signed attribution header (forwarded by the backend) belongs to that
// test; anything else goes to the shared folder. WebSocket upgrades are served the same way
// (proxy-socket.ts, loaded on the first one).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { Agent } from 'undici';
import { TEST_HEADER } from './core/attribution.js';
import { OWN_ATTRIBUTION, attributedSessions } from './core/attributed.js';
import { type Transport, serve } from './core/exchange.js';
import { HOP_BY_HOP, headerList } from './core/headers.js';
import type { LlmMode } from './core/mode.js';
import { createSession } from './options.js';
import { serverOptions } from './server-env.js';
import { upstreamVia } from './upstream.js';
import { LlmOptionError } from './core/errors.js';
import type { ProxySockets } from './proxy-socket.js';

export interface ProxyOptions {
  /** Port to listen on; 0 picks a free one. */
  port: number;
  host?: string;
  /** Where requests go: `https://api.openai.com` (a path prefix is kept: `https://host/openai`). */
  upstream: string;
  llmDir?: string;
  llmMode?: LlmMode;
  llmPace?: number;
}

export interface Proxy {
  url: string;
  close(): Promise<void>;
}

export async function startProxy(options: ProxyOptions): Promise<Proxy> {
  const upstream = URL.canParse(options.upstream) ? new URL(options.upstream) : undefined;
  if (!upstream || !/^https?:$/.test(upstream.protocol)) {
    throw new LlmOptionError(`--upstream ${JSON.stringify(options.upstream)} is not an http(s) URL, e.g. https://api.openai.com`);
  }
  const resolved = serverOptions(process.env, { llmDir: options.llmDir ?? process.env.LLM_REPLAY_DIR ?? 'fixtures/llm', llmMode: options.llmMode, llmPace: options.llmPace });
  const shared = createSession(resolved);
  const tests = attributedSessions(resolved);
  const agent = new Agent();
  const prefix = upstream.pathname.replace(/\/$/, '');
  const target = (path: string) => new URL(prefix + path, upstream.origin);

  const server = http.createServer(async (req, res) => {
    const transport = responseTransport(res, agent);
    try {
      const session = tests.forHeader(req.headers[TEST_HEADER]) ?? shared;
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const headers = headerList(req.headers).filter(([n]) => !HOP_BY_HOP.has(n) && n !== TEST_HEADER);
      await serve(session, { method: req.method ?? 'GET', url: target(req.url ?? '/').href, headers, body: Buffer.concat(chunks) }, transport);
    } catch (err) {
      transport.fail(err as Error);
    }
  });
  let sockets: Promise<ProxySockets> | undefined;
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    // A client gone mid-handshake ends in 'close', which the socket's end hears.
    socket.on('error', () => {});
    const session = tests.forHeader(req.headers[TEST_HEADER]) ?? shared;
    sockets ??= import('./proxy-socket.js').then((m) => new m.ProxySockets(target));
    sockets.then((s) => s.serve(session, req, socket, head)).catch(() => socket.destroy());
  });
  (server as unknown as Record<symbol, unknown>)[OWN_ATTRIBUTION] = true;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    close: async () => {
      const idle = () => Promise.all([...tests.all(), shared].map((s) => s.ledger.idle(10_000)));
      await (sockets ? (await sockets).close(idle) : idle());
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await agent.close();
    },
  };
}

/** The caller's side of the proxy: an HTTP response written as the answer streams. */
function responseTransport(res: http.ServerResponse, agent: Agent): Transport {
  const aborts: ((reason: Error) => void)[] = [];
  res.on('close', () => {
    if (!res.writableFinished) for (const l of aborts) l(new Error('The client closed the connection'));
  });
  let written = Promise.resolve();
  return {
    where: 'proxy',
    streams: true,
    respond: (head) => {
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of head.headers) {
        if (HOP_BY_HOP.has(name)) continue;
        const prev = headers[name];
        headers[name] = prev === undefined ? value : ([] as string[]).concat(prev, value);
      }
      res.writeHead(head.status, head.statusText || undefined, headers);
      res.flushHeaders();
      return true;
    },
    write: (chunk) => {
      let ok = true;
      written = new Promise<void>((r) => (ok = res.write(chunk, () => r())));
      return ok;
    },
    received: () => written,
    drain: () => new Promise<void>((r) => res.once('drain', r)),
    // Each write goes out as it is made; a turn of the event loop keeps chunks in their own packets.
    taken: () => new Promise<void>((r) => setImmediate(r)),
    end: () => res.end(),
    fail: (err) => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: err.message, type: 'llm_replay_proxy_error' } }));
      } else res.destroy(err);
    },
    onAbort: (l) => void aborts.push(l),
    upstream: upstreamVia(() => agent),
  };
}
