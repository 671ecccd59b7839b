// Every failure the plugin reports is one of these, and each message says what to do. As in
// undici's errors: one class per kind, each with a stable `code` to check instead of the wording.
// The only errors the plugin makes that are not these are the ones that must look like the
// network's to a client (a broken connection, an abort): see tests/unit/errors.spec.ts.

/** What every message of the plugin starts with. */
export const PREFIX = 'playwright-llm-replay: ';

export class LlmReplayError extends Error {
  override name = 'LlmReplayError';
  /** Several failures of different kinds at once (the test's end lists them all). */
  readonly code: string = 'LLM_REPLAY_ERROR';
  /** The message without the plugin's prefix, for where it is shown inside another message. */
  readonly detail: string;
  constructor(detail: string, options?: ErrorOptions) {
    super(PREFIX + detail, options);
    this.detail = detail;
  }
}

/** An option or environment variable with a value the plugin cannot use, or a fault or clock used wrongly. */
export class LlmOptionError extends LlmReplayError {
  override name = 'LlmOptionError';
  override readonly code = 'LLM_REPLAY_OPTION';
}

/** A recording file that cannot be read, parsed, validated or replayed. */
export class RecordingFileError extends LlmReplayError {
  override name = 'RecordingFileError';
  override readonly code = 'LLM_REPLAY_RECORDING';
  constructor(
    readonly file: string,
    /** What is wrong with the file, without its name. */
    readonly problem: string,
  ) {
    super(`recording ${file} ${problem}`);
  }
}

/** A request with no recording in replay mode. The message is the one the failed test shows. */
export class ReplayMissError extends LlmReplayError {
  override name = 'ReplayMissError';
  override readonly code = 'LLM_REPLAY_MISS';
  /** Where the call was made (the page, the worker, the app server, the proxy), once known. */
  where?: 'page' | 'worker' | 'server' | 'proxy';
}

/** An x-llm-replay-test header (or the faults file beside a test's report) that cannot be used; `detail` says why. */
export class AttributionError extends LlmReplayError {
  override name = 'AttributionError';
  override readonly code = 'LLM_REPLAY_ATTRIBUTION';
}

/** A request body the plugin cannot read or does not support (a FormData body). */
export class RequestBodyError extends LlmReplayError {
  override name = 'RequestBodyError';
  override readonly code = 'LLM_REPLAY_REQUEST_BODY';
}

/** A recording or report that cannot be written where it would go; nothing was written. */
export class StoreError extends LlmReplayError {
  override name = 'StoreError';
  override readonly code = 'LLM_REPLAY_STORE';
}

/** A call still being recorded when the test or the app server ended: it was not stored. */
export class UnfinishedCallError extends LlmReplayError {
  override name = 'UnfinishedCallError';
  override readonly code = 'LLM_REPLAY_UNFINISHED';
}

/**
 * An error whose message says everything: its stack is that message alone (a stack and a code frame
 * of this file would only bury it, and other reporters print what a reporter throws).
 */
abstract class StacklessError extends LlmReplayError {
  constructor(detail: string) {
    super(detail);
    // Read when asked: the subclass's name is set after this constructor has run.
    Object.defineProperty(this, 'stack', { get: () => `${this.name}: ${this.message}`, configurable: true, enumerable: false });
  }
}

/** A test's answer variants cannot serve this repetition of --repeat-each (variants with a gap, or too few with llmVariants 'exact'). Nothing is replayed or written. */
export class VariantsError extends LlmReplayError {
  override name = 'VariantsError';
  override readonly code = 'LLM_REPLAY_VARIANTS';
}

/** A call's failed step in the report: what went wrong with the call, under the name of its error (ReplayMissError…). */
export class CallStepError extends StacklessError {
  override readonly code = 'LLM_REPLAY_CALL_STEP';
  constructor(detail: string, name = 'CallStepError') {
    super(detail);
    this.name = name;
  }
}

/** The reporter's `failOnUnused`: the run left recordings unused. */
export class UnusedRecordingsError extends StacklessError {
  override name = 'UnusedRecordingsError';
  override readonly code = 'LLM_REPLAY_UNUSED';
}

/** The reporter's `failOnOld`: the run used recordings older than its `maxAge`. */
export class OldRecordingsError extends StacklessError {
  override name = 'OldRecordingsError';
  override readonly code = 'LLM_REPLAY_OLD';
}

/** No Chromium for the browser tests, and no way to get one. */
export class ChromiumError extends StacklessError {
  override name = 'ChromiumError';
  override readonly code = 'LLM_REPLAY_CHROMIUM';
}

/** A problem a command of `npx playwright-llm-replay` found (exit code 1). */
export class CommandError extends LlmReplayError {
  override name = 'CommandError';
  override readonly code = 'LLM_REPLAY_COMMAND';
}

/** A failure the plugin did not foresee; `cause` is the original error. */
export class InternalError extends LlmReplayError {
  override name = 'InternalError';
  override readonly code = 'LLM_REPLAY_INTERNAL';
}

/** Every code, by class name. */
export const ERROR_CODES = {
  LlmReplayError: 'LLM_REPLAY_ERROR',
  LlmOptionError: 'LLM_REPLAY_OPTION',
  RecordingFileError: 'LLM_REPLAY_RECORDING',
  ReplayMissError: 'LLM_REPLAY_MISS',
  AttributionError: 'LLM_REPLAY_ATTRIBUTION',
  RequestBodyError: 'LLM_REPLAY_REQUEST_BODY',
  StoreError: 'LLM_REPLAY_STORE',
  UnfinishedCallError: 'LLM_REPLAY_UNFINISHED',
  UnusedRecordingsError: 'LLM_REPLAY_UNUSED',
  OldRecordingsError: 'LLM_REPLAY_OLD',
  ChromiumError: 'LLM_REPLAY_CHROMIUM',
  CommandError: 'LLM_REPLAY_COMMAND',
  InternalError: 'LLM_REPLAY_INTERNAL',
  CallStepError: 'LLM_REPLAY_CALL_STEP',
  VariantsError: 'LLM_REPLAY_VARIANTS',
} as const;

export type LlmReplayErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** The message of any error without the plugin's prefix: the `detail` of the plugin's own. */
export function detailOf(error: unknown): string {
  return error instanceof LlmReplayError ? error.detail : String((error as Error)?.message ?? error);
}

/** What another process reports of an error (a line of a test's report), and the error again from it. */
export interface ErrorLine {
  name: string;
  code?: string;
  detail?: string;
  file?: string;
  problem?: string;
  message: string;
}

export function errorToLine(error: Error): ErrorLine {
  if (!(error instanceof LlmReplayError)) return { name: error.name, message: error.message };
  const file = error instanceof RecordingFileError ? { file: error.file, problem: error.problem } : {};
  return { name: error.name, code: error.code, detail: error.detail, message: error.message, ...file };
}

const SIMPLE = { LlmReplayError, LlmOptionError, ReplayMissError, AttributionError, RequestBodyError, StoreError, UnfinishedCallError, UnusedRecordingsError, ChromiumError, CommandError, InternalError };

export function errorFromLine(line: ErrorLine): LlmReplayError {
  if (line.file !== undefined && line.problem !== undefined) return new RecordingFileError(line.file, line.problem);
  const Kind = Object.values(SIMPLE).find((k) => k.name === line.name) ?? InternalError;
  return new Kind(line.detail ?? line.message);
}
