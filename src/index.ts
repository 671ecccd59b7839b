// `playwright-llm-replay`: a drop-in for `@playwright/test` whose `test` records and replays LLM calls.
export * from '@playwright/test';
export { test, type LlmFixture, type LlmClock } from './fixture.js';
// `expect` with web-first matchers on `llm` (toHaveCalled, toHaveNoPendingCalls, toHaveNoMisses); it shadows @playwright/test's.
export { expect, type LlmCallQuery } from './matchers.js';
export type { LlmOptions, IgnoreList } from './options.js';
export type { LlmMode, Mode } from './core/mode.js';
export type { LlmCall, Outcome, Where } from './core/call.js';
export type { RedactOptions } from './core/redact.js';
export type { Fault, FaultOptions } from './core/faults.js';
export type { Interaction } from './core/recording.js';
export type { Ignore, IgnoreFn } from './core/key.js';
export type { UrlPattern } from './core/urls.js';
export {
  LlmReplayError,
  LlmOptionError,
  RecordingFileError,
  ReplayMissError,
  AttributionError,
  RequestBodyError,
  StoreError,
  UnfinishedCallError,
  UnusedRecordingsError,
  OldRecordingsError,
  ChromiumError,
  CommandError,
  InternalError,
  CallStepError,
  VariantsError,
  ERROR_CODES,
  type LlmReplayErrorCode,
} from './core/errors.js';
export { llmServerEnv, type ServerEnvOptions } from './server-env.js';
export { TEST_HEADER, SECRET_ENV } from './core/attribution.js';
