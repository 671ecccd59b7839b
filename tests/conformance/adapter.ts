// What a transport gives the conformance suite (tests/conformance/cases.ts). Adding a transport means
// writing one of these and a spec file that passes it to `conformance()`.
import type { LlmCall } from '../../src/node/index.js';
import type { Fault, FaultOptions } from '../../src/core/faults.js';
import type { ScriptedUpstream } from './upstream.js';

export type Mode = 'record' | 'record-missing' | 'replay' | 'passthrough';

export interface StartOptions {
  mode: Mode;
  /** Default 0. */
  pace?: number | 'clock';
  llmDir: string;
  /** Already listening when the adapter is not the memory one. */
  upstream: ScriptedUpstream;
}

/** A multipart/form-data body: text fields, then one file (its bytes as base64, so a page can take it too). */
export interface FormRequest {
  fields: Record<string, string>;
  file: { field: string; name: string; type: string; base64: string };
}

export interface CallRequest {
  path: string;
  /** Sent as JSON, unless `form` or `raw` is given. */
  body: object;
  /** Sent as a FormData the caller builds (so every call has a new boundary). */
  form?: FormRequest;
  /** Sent as it is, with this content type (bad input). */
  raw?: { contentType: string; text: string };
  /** The caller stops reading and aborts after this many reads. */
  abortAfterChunks?: number;
  /** Called with each read as the caller makes it (in Node, when it happens). */
  onRead?: (text: string, i: number) => void;
}

export interface CallResult {
  status: number;
  /** One entry per read the caller made of the body (as text). */
  chunks: string[];
  /** The size in bytes of each read. */
  sizes: number[];
  /** The body's bytes, base64. */
  bytes: string;
  /** Set when the body (or the request) failed; the caller's own message. */
  error?: string;
  /** The delay the core gave the transport with each chunk (transports that can tell: memory). */
  delays?: number[];
}

/** A WebSocket client of the cases (JSON text frames). */
export interface SocketClient {
  send(json: object): void;
  close(code: number, reason: string): void;
  /** The frames received so far, parsed. */
  readonly received: { type?: string; delta?: string }[];
  /** Resolves when the socket has closed, with the code and reason it closed with. */
  readonly closed: Promise<{ code: number; reason: string }>;
}

export interface Running {
  call(req: CallRequest): Promise<CallResult>;
  /** What `llm.calls` shows. */
  calls(): LlmCall[];
  /** The messages of the errors the test would fail with at its end. */
  errors(): string[];
  fault(url: string | RegExp, fault: Fault, options?: FaultOptions): Promise<void>;
  /** The test's clock (at pace 'clock'): installed paused at 0 where the adapter can (memory). */
  clock: { install(): Promise<void>; runFor(ms: number): Promise<void> };
  /** Opens a WebSocket to the upstream's `path` (ws:), offering `protocols`. Only with `caps.sockets === true`. */
  socket?(path: string, protocols?: string[]): Promise<SocketClient>;
  /** Resolves when every call has been stored or has failed. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

/** What a transport can do; a case that needs what it cannot is skipped with the reason given. */
export interface Capabilities {
  /** Passes a recorded answer on as it arrives (true), or why not. */
  streamsWhileRecording: true | string;
  /**
   * Each chunk reaches the caller as a read of its own (true), or why the suite cannot count on it
   * (then cases compare the text the reads add up to).
   */
  readsPerChunk: true | string;
  /** Carries WebSockets to LLM URLs (true), or why not. */
  sockets: true | string;
  /** Its clock is a test clock that moves only when told: timing cases check exact waits (else order only). */
  exactClock: boolean;
}

export interface Adapter {
  name: string;
  caps: Capabilities;
  /**
   * Cases this transport fails today, by case id, with the bug: they run as expected failures
   * (`test.fail`), so fixing the bug turns them red until the entry goes.
   */
  knownBugs?: Record<string, string>;
  /** Whether the upstream must listen on HTTP (every transport but memory). */
  http: boolean;
  start(options: StartOptions): Promise<Running>;
}
