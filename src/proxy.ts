// The proxy, for backends that are not Node: a local HTTP server that a backend in any language
// points its base URL at. Same sessions, store and modes as the transports; streams both ways.
// A request carrying a test's attribution header (forwarded by the backend) belongs to that test;
// anything else goes to the shared folder.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { TEST_HEADER, sessionCache } from './core/attribution.js';
import { missResponse } from './core/replay.js';
import type { LlmMode } from './mode.js';
import { createSession } from './options.js';
import { forward, headerRecord, replay } from './node/dispatcher.js';
import type { Sink } from './node/sink.js';

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

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'host', TEST_HEADER]);

export async function startProxy(options: ProxyOptions): Promise<Proxy> {
  let upstream: URL;
  try {
    upstream = new URL(options.upstream);
    if (!/^https?:$/.test(upstream.protocol)) throw new Error();
  } catch {
    throw new Error(`playwright-llm-replay proxy: --upstream ${JSON.stringify(options.upstream)} is not an http(s) URL, e.g. https://api.openai.com`);
  }
  const shared = createSession({ llmDir: options.llmDir, llmMode: options.llmMode, llmPace: options.llmPace }, { baseDir: process.cwd(), updateSnapshots: process.env.LLM_REPLAY_UPDATE });
  const forTest = sessionCache();
  const agent = new Agent();
  const prefix = upstream.pathname.replace(/\/$/, '');

  const server = http.createServer(async (req, res) => {
    const sink = responseSink(res);
    try {
      const header = req.headers[TEST_HEADER];
      const session = typeof header === 'string' ? forTest(header) : shared;
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks);
      const target = new URL(prefix + (req.url ?? '/'), upstream.origin);
      const headers = Object.fromEntries(Object.entries(headerRecord(req.headers as Record<string, string>)).filter(([k]) => !HOP_BY_HOP.has(k)));
      const decision = session.decide({ method: req.method ?? 'GET', url: target.href, headers, body });
      const opts = { origin: target.origin, path: target.pathname + target.search, method: (req.method ?? 'GET') as 'GET', headers, body };
      switch (decision.kind) {
        case 'replay':
          return await replay(decision.plan, sink);
        case 'miss':
          return await replay(missResponse(decision.error), sink);
        case 'passthrough':
          return forward(agent, opts, sink);
        case 'record':
          return forward(agent, opts, sink, decision.recording, session);
      }
    } catch (err) {
      sink.error(err as Error);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await agent.close();
    },
  };
}

/** The caller's side of the proxy: an HTTP response written as the answer streams. */
function responseSink(res: http.ServerResponse): Sink {
  let resume = () => {};
  return {
    start: (abort) => res.on('close', () => !res.writableFinished && abort(new Error('The client closed the connection'))),
    headers: (status, pairs, statusText, resumeFn) => {
      if (status < 200) return true;
      resume = resumeFn;
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of pairs) {
        const name = k.toLowerCase();
        if (HOP_BY_HOP.has(name)) continue;
        const prev = headers[name];
        headers[name] = prev === undefined ? v : ([] as string[]).concat(prev, v);
      }
      res.writeHead(status, statusText || undefined, headers);
      res.flushHeaders();
      return true;
    },
    data: (chunk) => {
      const more = res.write(chunk);
      if (!more) res.once('drain', () => resume());
      return more;
    },
    complete: () => res.end(),
    error: (err) => {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: err.message, type: 'llm_replay_proxy_error' } }));
      } else res.destroy(err);
    },
  };
}
