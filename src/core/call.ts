// The types every part of the core shares: the request a transport hands in, and the call the
// ledger keeps of it (what `llm.calls` shows).
import type { HeaderList } from './headers.js';

export type Where = 'page' | 'worker' | 'server' | 'proxy';

/** A request as every transport hands it to the core. */
export interface LlmRequest {
  method: string;
  url: string;
  headers: HeaderList;
  body: Buffer;
}

export type Outcome = 'pending' | 'replayed' | 'recorded' | 'passthrough' | 'missed' | 'not-recorded' | 'faulted';

export interface LlmCall {
  /** Unique among the test's calls (the process that made it, and a number). */
  id: string;
  method: string;
  url: string;
  model?: string;
  /** `pending` until the answer has been replayed, stored, passed on, or has failed. */
  outcome: Outcome;
  /** The recording replayed or written. */
  file?: string;
  /** Why a recording call was not stored (upstream status or connection error). */
  reason?: string;
  /** Where the call was made: the page, the test worker, the app's server, or the proxy. */
  where: Where;
  /** Replay mode: the test whose recording (in its folder, not this test's) was replayed. Re-recording that test may break this one. */
  owner?: string;
  /** The recording of another test this test took its own copy of (the copy is `file`). */
  copiedFrom?: string;
  /** The fault the test injected into this call (`llm.fault`), as written. */
  fault?: string;
  faultId?: string;
  /** In a run with --repeat-each: the answer variant the test's repetition was served (see llm.variant). */
  variant?: number;
}
