// The conformance cases on the proxy (started in this process), called by Node's fetch with the
// test's signed attribution header, as a backend forwards it.
import { startProxy } from '../../src/proxy.js';
import type { Adapter } from './adapter.js';
import { conformance } from './cases.js';
import { fetchReads } from './fetch-reads.js';
import { remoteSession } from './remote.js';

const proxy: Adapter = {
  name: 'proxy',
  http: true,
  caps: {
    sockets: 'not yet: issue 19 adds WebSockets transport by transport',
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
      stop: async () => {
        await remote.stop();
        await server.close();
      },
    };
  },
};

conformance(proxy);
