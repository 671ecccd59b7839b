// Every failure the plugin reports is one of these, and each message says what to do.

export class LlmReplayError extends Error {
  override name = 'LlmReplayError';
}

/** An option or environment variable with a value the plugin cannot use. */
export class LlmOptionError extends LlmReplayError {
  override name = 'LlmOptionError';
}

/** A recording file that cannot be read, parsed, validated or replayed. */
export class RecordingFileError extends LlmReplayError {
  override name = 'RecordingFileError';
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`playwright-llm-replay: recording ${file} ${problem}`);
  }
}

/** A request with no recording in replay mode. The message is the one the failed test shows. */
export class ReplayMissError extends LlmReplayError {
  override name = 'ReplayMissError';
  /** Where the call was made (the page, the worker, the app server, the proxy), once known. */
  where?: 'page' | 'worker' | 'server' | 'proxy';
}
