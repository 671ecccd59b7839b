// The seam between the core and the transports: what a transport knows how to do (answer its
// caller, reach the upstream), and the shapes of what crosses it.
import type { HeaderList } from './headers.js';
import type { Where } from './call.js';

export interface ResponseHead {
  status: number;
  statusText: string;
  headers: HeaderList;
}

export interface UpstreamRequest {
  method: string;
  url: string;
  headers: HeaderList;
  body: Buffer;
}

export interface UpstreamResponse extends ResponseHead {
  /** The body as it arrives; reading it slowly slows the upstream (back-pressure). */
  body: AsyncIterable<Buffer>;
}

/** What a transport knows how to do: answer its caller, and reach the upstream. */
export interface Transport {
  readonly where: Where;
  /**
   * True when it passes chunks on as they come (Node, the proxy). False when it can only send a
   * whole answer (a page's route): then it gets each chunk's delay, and a recorded call's answer
   * once it is stored — unless `live()` says it can pass this one on as it comes.
   */
  readonly streams: boolean;
  /**
   * For a transport that does not stream: whether it can pass this call's answer from the upstream
   * on as it comes (the page, over a live channel, for a call its page script made). Asked at most
   * once, just before `respond`, when the exchange would (recording without a fault, passthrough);
   * true commits it: the answer's chunks, end or failure then reach the caller as they come.
   */
  live?(): boolean;
  /** Sends the status and headers; false when the caller wants no body until `drain()` resolves. */
  respond(head: ResponseHead): boolean;
  /** Passes one chunk on; false when the caller wants no more until `drain()` resolves. */
  write(chunk: Buffer, delay: number): boolean;
  drain(): Promise<void>;
  /**
   * Resolves when the caller has taken the last chunk and wants the next (at the latest on the next
   * turn of the event loop), so a replay at pace 0 still reaches it one read per chunk.
   */
  taken(): Promise<void>;
  /**
   * Resolves once the reader has read what was written, or soon if that cannot be known — so a
   * connection broken on purpose (a fault) breaks after the chunks before it were read.
   */
  received?(): Promise<void>;
  /** A transport that does not stream (the page): a wait before the end, after the last chunk. */
  stallEnd?(delay: number): void;
  /** At pace 'clock', for a transport that does not stream: the delays it passes on are on the test's clock. */
  onClock?(): void;
  end(): void;
  /** The answer failed: before `respond` (no answer at all) or after some chunks (a broken stream). */
  fail(error: Error): void;
  /** `listener` is called once if the caller gives up. */
  onAbort(listener: (reason: Error) => void): void;
  upstream(request: UpstreamRequest, signal: AbortSignal): Promise<UpstreamResponse>;
}
