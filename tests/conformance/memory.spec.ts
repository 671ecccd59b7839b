// The conformance cases on a transport that lives in memory: its caller reads chunk by chunk from a
// queue, its upstream is the scripted one called directly, and at pace 'clock' it waits on a test
// clock the case moves, so its timing cases take no real time and check exact waits.
import { serve, type ResponseHead, type Transport } from '../../src/core/exchange.js';
import { headerList } from '../../src/core/headers.js';
import type { Adapter, CallRequest, CallResult } from './adapter.js';
import { conformance } from './cases.js';
import { localSession } from './local.js';
import { requestInit } from './fetch-reads.js';
import { socketPair } from './socket-pair.js';
import { serveSocket, type SocketTransport } from '../../src/core/socket/exchange.js';
import type { SocketClient } from './adapter.js';

/** The memory transport and its caller: what the transport writes, the caller reads — all that is queued at once, as a socket reader would. */
class MemoryTransport implements Transport {
  readonly where = 'worker' as const;
  readonly streams = true;
  readonly delays: number[] = [];
  private head?: ResponseHead;
  private queue: Buffer[] = [];
  private ended = false;
  private error?: Error;
  private aborts: ((reason: Error) => void)[] = [];
  /** Wakes the caller: something to read. */
  private wakeReader = () => {};
  /** Wakes the core: the caller read (taken / received). */
  private pulled: (() => void)[] = [];

  constructor(readonly upstream: Transport['upstream']) {}

  respond(head: ResponseHead): boolean {
    this.head = head;
    this.wakeReader();
    return true;
  }
  write(chunk: Buffer, delay: number): boolean {
    this.queue.push(chunk);
    this.delays.push(delay);
    this.wakeReader();
    return true;
  }
  drain(): Promise<void> {
    return Promise.resolve();
  }
  /** The caller's next read, or the next turn of the event loop (the contract's latest). */
  taken(): Promise<void> {
    return new Promise((resolve) => {
      this.pulled.push(resolve);
      setImmediate(resolve);
    });
  }
  received(): Promise<void> {
    return this.queue.length ? new Promise((resolve) => this.pulled.push(resolve)) : Promise.resolve();
  }
  end(): void {
    this.ended = true;
    this.wakeReader();
  }
  fail(error: Error): void {
    this.error = error;
    this.wakeReader();
  }
  onAbort(listener: (reason: Error) => void): void {
    this.aborts.push(listener);
  }
  /** The caller: waits for the head (or a failure before it). */
  async response(): Promise<ResponseHead> {
    while (!this.head && !this.error) await new Promise<void>((r) => (this.wakeReader = r));
    if (!this.head) throw this.error;
    return this.head;
  }
  /** One read: everything queued, or the end (undefined), or the failure. */
  async read(): Promise<Buffer | undefined> {
    for (;;) {
      if (this.queue.length) {
        const bytes = Buffer.concat(this.queue);
        this.queue = [];
        return bytes;
      }
      if (this.error) throw this.error;
      if (this.ended) return undefined;
      const pulled = this.pulled;
      this.pulled = [];
      for (const p of pulled) p();
      await new Promise<void>((r) => (this.wakeReader = r));
    }
  }
  abort(): void {
    const reason = new DOMException('This operation was aborted', 'AbortError') as Error;
    for (const l of this.aborts) l(reason);
    for (const p of this.pulled) p();
  }
}

/** The cases' client on an in-memory socket end. */
function socketClient(end: ReturnType<typeof socketPair>[0]): SocketClient {
  const received: SocketClient['received'] = [];
  end.onFrame((f) => received.push('text' in f ? JSON.parse(f.text) : { type: 'binary' }));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => end.onClose((code, reason) => resolve({ code, reason })));
  return { send: (json) => end.send({ text: JSON.stringify(json) }), close: (code, reason) => end.close(code, reason), received, closed };
}

const memory: Adapter = {
  name: 'memory',
  http: false,
  caps: { readsPerChunk: true, exactClock: true, streamsWhileRecording: true, sockets: true },
  async start(o) {
    const local = localSession(o);
    return {
      ...local,
      clock: {
        install: async () => {
          await local.clock.install({ time: 0 });
          await local.clock.pauseAt(0);
        },
        runFor: (ms) => local.clock.runFor(ms),
      },
      async socket(path, protocols = []) {
        const [client, mine] = socketPair();
        const transport: SocketTransport = {
          where: 'worker',
          send: mine.send,
          close: mine.close,
          onFrame: mine.onFrame,
          onClose: mine.onClose,
          connect: async () => {
            const [ours, theirs] = socketPair();
            o.upstream.socket(theirs);
            return ours;
          },
        };
        void serveSocket(local.session, { url: o.upstream.url.replace(/^http/, 'ws') + path, protocols, headers: [] }, transport);
        return socketClient(client);
      },
      async call(req: CallRequest): Promise<CallResult> {
        const t = new MemoryTransport(async (r) => {
          const a = o.upstream.answer(r.body);
          return { status: a.status, statusText: '', headers: headerList(Object.fromEntries(a.headers)), body: a.body };
        });
        const url = o.upstream.url + req.path;
        // The bytes and content type a fetch would send (a FormData's encoding names a new boundary).
        const encoded = new Request(url, { method: 'POST', ...requestInit(req) });
        const body = Buffer.from(await encoded.arrayBuffer());
        void serve(local.session, { method: 'POST', url, headers: [['content-type', encoded.headers.get('content-type')!]], body }, t);
        const chunks: string[] = [];
        const reads: Buffer[] = [];
        let status = 0;
        const result = () => ({ status, chunks, sizes: reads.map((r) => r.length), bytes: Buffer.concat(reads).toString('base64'), delays: t.delays });
        try {
          status = (await t.response()).status;
          for (;;) {
            if (req.abortAfterChunks !== undefined && chunks.length >= req.abortAfterChunks) {
              t.abort();
              return { ...result(), error: 'aborted' };
            }
            const bytes = await t.read();
            if (bytes === undefined) break;
            reads.push(bytes);
            const text = bytes.toString();
            req.onRead?.(text, chunks.length);
            chunks.push(text);
          }
        } catch (err) {
          return { ...result(), error: (err as Error).message };
        }
        return result();
      },
    };
  },
};

conformance(memory);
