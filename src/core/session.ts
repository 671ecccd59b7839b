// One test as the exchange sees it: the ledger of what it saw, its shelf of the recordings, the
// faults it injects, and its clock. One handle for the transports and the fixture; the work is
// in ledger.ts and recordings/.
import type { Mode } from './mode.js';
import type { UrlPattern } from './urls.js';
import type { Ignore } from './key.js';
import type { RedactOptions } from './redact.js';
import { LlmOptionError } from './errors.js';
import { Faults } from './faults.js';
import type { Sleeper } from './clock.js';
import type { LlmCall } from './call.js';
import { Ledger } from './ledger.js';
import { Recordings } from './recordings/recordings.js';
import { Shelf, type TestRef } from './recordings/shelf.js';

export type Pace = number | 'clock';

/** Checked settings: what every entry point resolves its options into (see options.ts). */
export interface Settings {
  /** The recordings root (`llmDir`), absolute. */
  root: string;
  mode: Mode;
  /** 0: no delays; n: the recorded timing n times as fast; 'clock': the recorded timing on the test's clock. */
  pace: Pace;
  urls: readonly UrlPattern[];
  ignore: Ignore;
  redact: RedactOptions;
}

export interface SessionOptions extends Settings {
  /** The test the calls belong to; without one, calls go to the shared `_shared` folder. */
  test?: TestRef;
  /** At `pace: 'clock'`: the test's clock, that replays wait on (the test's own, or the one it shares with the app's server). */
  clock?: Sleeper;
}

export class Session {
  /** What the test saw: its calls, the work pending, the errors that fail it. */
  readonly ledger: Ledger;
  /** The recordings under the root, by this test's rules. */
  readonly recordings: Recordings;
  /** This test's folder, mode and occurrence counts among the recordings. */
  readonly shelf: Shelf;
  /** The faults the test injects (`llm.fault`). */
  readonly faults = new Faults();
  /** At `pace: 'clock'`: the test's clock, that replays wait on. */
  readonly clock?: Sleeper;
  private clockMissing = false;

  constructor(readonly options: SessionOptions) {
    this.clock = options.pace === 'clock' ? options.clock : undefined;
    this.ledger = new Ledger(options.test?.variant);
    this.recordings = new Recordings(options);
    this.shelf = new Shelf(this.recordings, options.mode, options.test);
  }

  /**
   * At `pace: 'clock'`: whether a replay can wait on the test's clock. When the test has not
   * installed one, the test fails (once) and the replay runs at the recorded timing in real time.
   */
  clockReady(call: LlmCall): boolean {
    if (this.clock?.installed) return true;
    if (!this.clockMissing) {
      this.clockMissing = true;
      const by = { page: 'the page', worker: 'the test worker', server: 'the app server', proxy: 'the proxy' }[call.where];
      this.ledger.fail(
        new LlmOptionError(
          `llmPace is 'clock', but the test has not installed a clock: ${call.method} ${call.url}${call.model ? ` (model ${call.model})` : ''}, made by ${by}, was replayed at the recorded timing in real time. Call page.clock.install() before the call (llm.clock.install() in a test without a page), or set llmPace to a number.`,
        ),
        call,
      );
    }
    return false;
  }
}
