// Web-first matchers on the `llm` fixture, like `toHaveText`: they retry until the test's calls
// (the app server's included, which arrive a moment after the page's request) satisfy them, up to
// the expect timeout (`timeout` option), and `.not` waits for the opposite. A failure lists the
// calls seen so far, as the `llm-calls.txt` attachment does.
import { expect as baseExpect, type ExpectMatcherState } from '@playwright/test';
import type { LlmCall, Outcome, Where } from './core/call.js';
import { describeCall, transcript } from './core/transcript.js';
import { type UrlPattern, urlMatcher } from './core/urls.js';

/** Which calls `toHaveCalled` looks for: every field given must match. */
export interface LlmCallQuery {
  /** A glob (as in page.route) or a RegExp. */
  url?: UrlPattern;
  /** A model name, or a RegExp. */
  model?: string | RegExp;
  where?: Where;
  outcome?: Outcome;
  /** Exactly this many such calls (default: at least one). */
  times?: number;
}

/** What the matchers read: the `llm` fixture (or anything with its calls). */
interface HasCalls {
  readonly calls: readonly LlmCall[];
}

const INTERVALS = [50, 100, 250, 500, 1000];

/** Retries `done` until it holds, or `timeout` ms have passed: web-first, as Playwright's own matchers wait. */
async function waitUntil(timeout: number, done: () => boolean): Promise<void> {
  const deadline = Date.now() + timeout;
  for (let i = 0; !done() && Date.now() < deadline; i++) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(INTERVALS[Math.min(i, INTERVALS.length - 1)], Math.max(0, deadline - Date.now()))));
  }
}

/** Retries `check` until it passes (with `.not`: until it fails), or the timeout; its last answer. */
async function settle(state: ExpectMatcherState, timeout: number | undefined, check: () => boolean): Promise<boolean> {
  await waitUntil(timeout ?? state.timeout, () => check() !== state.isNot);
  return check();
}

function seen(calls: readonly LlmCall[]): string {
  return calls.length ? transcript(calls.map((c) => describeCall(c, undefined))) : 'no LLM call was made';
}

function describeQuery(q: LlmCallQuery): string {
  const parts = Object.entries(q).map(([k, v]) => `${k}: ${v instanceof RegExp ? String(v) : JSON.stringify(v)}`);
  return parts.length ? `{ ${parts.join(', ')} }` : 'any call';
}

function matcherOf(q: LlmCallQuery): (c: LlmCall) => boolean {
  const url = q.url !== undefined ? urlMatcher([q.url], false) : undefined;
  return (c) =>
    (!url || url(c.url)) &&
    (q.model === undefined || (typeof q.model === 'string' ? c.model === q.model : c.model !== undefined && new RegExp(q.model.source, q.model.flags.replace(/[gy]/g, '')).test(c.model))) &&
    (q.where === undefined || c.where === q.where) &&
    (q.outcome === undefined || c.outcome === q.outcome);
}

export const llmMatchers = {
  /** Waits until the test has made a call like `query` (`times`: exactly that many). */
  async toHaveCalled(this: ExpectMatcherState, llm: HasCalls, query: LlmCallQuery = {}, options: { timeout?: number } = {}) {
    const matches = matcherOf(query);
    const count = () => llm.calls.filter(matches).length;
    const pass = await settle(this, options.timeout, () => (query.times === undefined ? count() > 0 : count() === query.times));
    const expected = query.times === undefined ? `a call like ${describeQuery(query)}` : `${query.times} call${query.times === 1 ? '' : 's'} like ${describeQuery({ ...query, times: undefined })}`;
    return {
      pass,
      name: 'toHaveCalled',
      expected: describeQuery(query),
      message: () => `${this.utils.matcherHint('toHaveCalled', 'llm', describeQuery(query), { isNot: this.isNot })}\n\nExpected ${this.isNot ? 'no longer ' : ''}${expected}; ${count()} matched.\nCalls seen:\n${seen(llm.calls)}`,
    };
  },

  /** Waits until no call of the test is still being recorded or replayed. */
  async toHaveNoPendingCalls(this: ExpectMatcherState, llm: HasCalls, options: { timeout?: number } = {}) {
    const pending = () => llm.calls.filter((c) => c.outcome === 'pending');
    const pass = await settle(this, options.timeout, () => pending().length === 0);
    return {
      pass,
      name: 'toHaveNoPendingCalls',
      message: () => `${this.utils.matcherHint('toHaveNoPendingCalls', 'llm', '', { isNot: this.isNot })}\n\n${this.isNot ? 'Expected a pending call' : `${pending().length} call${pending().length === 1 ? ' is' : 's are'} still pending`}.\nCalls seen:\n${seen(llm.calls)}`,
    };
  },

  /** Once the test's calls have settled (up to the timeout), none of them missed its recording. */
  async toHaveNoMisses(this: ExpectMatcherState, received: HasCalls, options: { timeout?: number } = {}) {
    const missed = () => received.calls.filter((c) => c.outcome === 'missed');
    // Whether a call misses is known once it has settled: wait for the pending ones (with .not, for a miss).
    await waitUntil(options.timeout ?? this.timeout, () => (this.isNot ? missed().length > 0 : !received.calls.some((c) => c.outcome === 'pending')));
    return {
      pass: missed().length === 0,
      name: 'toHaveNoMisses',
      message: () => `${this.utils.matcherHint('toHaveNoMisses', 'llm', '', { isNot: this.isNot })}\n\n${missed().length ? `${missed().length} call${missed().length === 1 ? '' : 's'} missed their recording` : 'No call missed its recording'}.\nCalls seen:\n${seen(received.calls)}`,
    };
  },
};

/** `expect` with the matchers on `llm`. */
export const expect = baseExpect.extend(llmMatchers);
