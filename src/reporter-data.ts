// What a test's `llm-calls.json` attachment holds: written by the fixture, read by the run summary
// reporter (also from merged shard reports, where the attachments are all there is).
import type { Mode } from './mode.js';
import type { ReportedCall } from './core/transcript.js';

export const CALLS_ATTACHMENT = 'llm-calls.json';

export interface CallsAttachment {
  version: 1;
  /** The recordings root (llmDir), absolute. */
  root: string;
  /** This test's recordings folder, absolute. */
  folder: string;
  mode: Mode;
  calls: ReportedCall[];
}
