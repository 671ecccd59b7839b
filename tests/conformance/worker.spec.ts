// The conformance cases on the worker transport: the undici dispatcher set as the global one, and
// Node's own fetch as the caller (undici's WebSocket for sockets).
import { installDispatcher } from '../../src/node/index.js';
import type { Adapter } from './adapter.js';
import { fetchReads } from './fetch-reads.js';
import { conformance } from './cases.js';
import { localSession } from './local.js';
import { undiciSocket } from './undici-socket.js';

const worker: Adapter = {
  name: 'worker',
  http: true,
  caps: { sockets: true, readsPerChunk: true, exactClock: false, streamsWhileRecording: true },
  knownBugs: {
    firstChunkDelay:
      'at pace "clock" with a firstChunkDelay, the first chunk (released when the test moves the clock) and the second (due at once after it) reach fetch as one read; at pace 0 (a real timer) they stay apart',
  },
  async start(o) {
    const local = localSession(o);
    const uninstall = installDispatcher(() => local.session);
    return {
      ...local,
      clock: { install: () => local.clock.install(), runFor: (ms) => local.clock.runFor(ms) },
      call: (req) => fetchReads(o.upstream.url + req.path, req),
      socket: (path, protocols = []) => undiciSocket(o.upstream.url.replace(/^http/, 'ws') + path, protocols),
      stop: async () => {
        uninstall();
        await local.stop();
      },
    };
  },
};

conformance(worker);
