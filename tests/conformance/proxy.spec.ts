// The conformance cases on the proxy (started in this process), called by Node's fetch with the
// test's signed attribution header, as a backend forwards it; its sockets by a `ws` client with the
// same header.
import WebSocket from 'ws';
import { startProxy } from '../../src/proxy.js';
import type { Adapter, SocketClient } from './adapter.js';
import { conformance } from './cases.js';
import { fetchReads } from './fetch-reads.js';
import { remoteSession } from './remote.js';

const proxy: Adapter = {
  name: 'proxy',
  http: true,
  caps: {
    sockets: true,
    // Found by this suite: see the report of issue 17.
    readsPerChunk:
      'the proxy cannot tell when a reader in another process took a chunk: it writes the next one a turn of its event loop later, so a reader in its own process (this suite starts it in process) gets the first two chunks in one read',
    exactClock: false,
    streamsWhileRecording: true,
  },
  async start(o) {
    const remote = remoteSession(o);
    const server = await startProxy({ port: 0, upstream: o.upstream.url, llmDir: o.llmDir, llmMode: o.mode });
    return {
      ...remote,
      call: (req) => fetchReads(server.url + req.path, req, remote.headers()),
      socket: (path, protocols = []) => wsClient(server.url.replace(/^http/, 'ws') + path, protocols, remote.headers()),
      stop: async () => {
        await remote.stop();
        await server.close();
      },
    };
  },
};

/** A `ws` client of the cases, once its handshake is answered. */
function wsClient(url: string, protocols: string[], headers: Record<string, string>): Promise<SocketClient> {
  const ws = new WebSocket(url, protocols, { headers });
  const received: SocketClient['received'] = [];
  ws.on('message', (data, binary) => received.push(binary ? { type: 'binary' } : JSON.parse(data.toString())));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => resolve({ send: (json) => ws.send(JSON.stringify(json)), close: (code, reason) => ws.close(code, reason), received, closed }));
  });
}

conformance(proxy);
