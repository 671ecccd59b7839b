// A step per LLM call in the HTML report, the trace viewer and UI mode. It opens when the call is
// made (or, for the app's server and the proxy, when the test hears of it), under the test step
// running then, and closes when the answer has been given: failed, with its message, for a miss,
// an upstream failure or a fault that could not act. A call being recorded shows as running.
//
// Playwright has no public API for a step that starts on an event (`test.step` runs a body, and a
// route handler runs in the zone of the fixture that set the route, so its steps would land under
// that fixture). This uses TestInfo's `_addStep`, as Playwright's own API calls and expects do, with
// the parent chosen here. A Playwright without it gets no steps; the attachments stay.
import type { TestInfo } from '@playwright/test';
import type { LlmCall } from './core/call.js';
import { CallStepError, detailOf } from './core/errors.js';

interface Location {
  file: string;
  line: number;
  column: number;
}

/** What this uses of a step of Playwright's (TestStepInternal). */
interface PwStep {
  category: string;
  group?: string;
  endWallTime?: number;
  steps: PwStep[];
  stack?: Location[];
  complete(result: { error?: Error }): void;
}

interface Internals {
  _addStep(data: { category: string; title: string; stack: Location[]; location?: Location }, parent?: PwStep): PwStep;
  _steps: PwStep[];
}

export class CallSteps {
  /** The latest state of each call seen, by id. */
  private readonly calls = new Map<string, LlmCall>();
  private readonly open = new Map<string, PwStep>();
  private readonly closed = new Set<string>();
  private readonly errors = new Map<string, Error>();
  private readonly ours = new WeakSet<PwStep>();
  private finished = false;

  private constructor(
    private readonly info: TestInfo & Internals,
    private readonly title: (call: LlmCall) => string,
  ) {}

  /** Steps for the test's calls, titled by `title`; undefined where Playwright cannot take them. */
  static for(testInfo: TestInfo, title: (call: LlmCall) => string): CallSteps | undefined {
    const info = testInfo as TestInfo & Partial<Internals>;
    if (typeof info._addStep !== 'function' || !Array.isArray(info._steps)) return undefined;
    return new CallSteps(info as TestInfo & Internals, title);
  }

  /** An error about a call: its step fails with the first one. */
  error(id: string, error: Error): void {
    if (!this.errors.has(id)) this.errors.set(id, error);
  }

  /** A call as it stands now: its step opens when first seen, and closes once it has been `answered`. */
  saw(call: LlmCall, answered = false): void {
    if (this.finished || this.closed.has(call.id)) return;
    this.calls.set(call.id, call);
    if (!this.open.has(call.id)) this.open.set(call.id, this.add(this.title(call), true));
    if (answered) this.close(call.id);
  }

  /** A failed step of no call (a fault no call got). */
  failed(title: string, error: Error): void {
    this.add(title).complete({ error: stepError(error) });
  }

  /** At the test's end: every step still open closes; `stuck` holds the errors of calls that never ended. */
  finish(stuck: ReadonlyMap<string, Error> = new Map()): void {
    for (const [id, error] of stuck) this.error(id, error);
    for (const id of [...this.open.keys()]) this.close(id);
    this.finished = true;
  }

  private close(id: string): void {
    const step = this.open.get(id);
    const call = this.calls.get(id);
    if (!step || !call) return;
    this.open.delete(id);
    this.closed.add(id);
    const error = this.errors.get(id);
    const why = error ?? (call.outcome === 'not-recorded' ? `not recorded: ${call.reason ?? 'the upstream failed'}` : call.outcome === 'passthrough' && call.reason ? call.reason : undefined);
    step.complete(why ? { error: stepError(why) } : {});
  }

  private add(title: string, inHooks = false): PwStep {
    const parent = this.parent(inHooks);
    const at = parent?.stack?.[0] ?? { file: this.info.file, line: this.info.line, column: this.info.column };
    const data = { category: 'test.step', title, stack: [at], location: at };
    const step = parent ? this.info._addStep(data, parent) : this.atTop(data);
    this.ours.add(step);
    return step;
  }

  /**
   * The step a call belongs under: the innermost `test.step` running now (a user's step, or one in
   * a hook), none of ours; `inHooks`, else the hook or fixture running now (a call made in
   * beforeEach). Steps of Playwright's own (an expect, a click) are leaves the JSON report leaves
   * out with their children; a boxed fixture's steps are not reported at all.
   */
  private parent(inHooks: boolean): PwStep | undefined {
    const visit = (list: readonly PwStep[]): PwStep | undefined => {
      for (let i = list.length - 1; i >= 0; i--) {
        const s = list[i];
        if (s.endWallTime !== undefined || s.group || this.ours.has(s)) continue;
        const inner = visit(s.steps);
        if (inner) return inner;
        if (s.category === 'test.step' || (inHooks && (s.category === 'hook' || s.category === 'fixture'))) return s;
      }
      return undefined;
    };
    return visit(this.info._steps);
  }

  /** A step at the test's top level: `_addStep` without a parent asks the caller's zone, which is the route's fixture for a page call. */
  private atTop(data: Parameters<Internals['_addStep']>[0]): PwStep {
    const info = this.info as unknown as Record<string, unknown>;
    const own = Object.prototype.hasOwnProperty.call(info, '_parentStep');
    const before = info._parentStep;
    info._parentStep = () => undefined;
    try {
      return this.info._addStep(data);
    } finally {
      if (own) info._parentStep = before;
      else delete info._parentStep;
    }
  }
}

/** The step shows what went wrong, not the plugin's stack; the test's own error stays its own (Playwright marks an error with its step). */
function stepError(error: Error | string): CallStepError {
  return typeof error === 'string' ? new CallStepError(error) : new CallStepError(detailOf(error), error.name);
}
