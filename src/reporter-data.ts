// What a test's `llm-calls.json` attachment holds: written by the fixture, read by the run summary
// reporter (also from merged shard reports, where the attachments are all there is).
import type { Mode } from './core/mode.js';
import type { ReportedCall } from './core/transcript.js';

export const CALLS_ATTACHMENT = 'llm-calls.json';

export interface CallsAttachment {
  version: 1;
  /** The recordings root (llmDir), absolute. */
  root: string;
  /** This test's recordings folder, absolute. */
  folder: string;
  /** The test, as its recordings name it (`spec.ts > describe > title`). */
  test?: string;
  mode: Mode;
  calls: ReportedCall[];
  /** A run with --repeat-each: the answer variant this repetition was served, of how many the test has recorded, and whether it was served again (fewer variants than repetitions). */
  variant?: { served: number; of: number; repetition: number; cycled?: boolean };
  /** Record mode: whether the test recorded all its calls again (its folder replaced), or kept its earlier recordings. */
  rerecord?: Rerecord;
}

export interface Rerecord {
  /** Every call was recorded again: the recordings the test no longer uses were removed. */
  complete: boolean;
  removed: string[];
  /** The earlier recordings kept because the test did not record every call again (absolute). */
  kept: string[];
  /** The calls that were not recorded, and why. */
  notRecorded: { method: string; url: string; model?: string; where: string; reason: string }[];
}
