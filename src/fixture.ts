// Playwright fixtures: the options (worker-scoped, so calls made in beforeAll see them too), the
// worker's Node transport, and the automatic test-scoped session that every LLM call of a test goes
// through — from the page, the worker, the app's server and the proxy. A test does not end until
// every call it started has been stored or has failed.
import fs from 'node:fs';
import path from 'node:path';
import { test as base, expect as baseExpect, type BrowserContext, type Clock, type TestInfo } from '@playwright/test';
import type { Session } from './core/session.js';
import type { LlmCall } from './core/call.js';
import type { TestRef } from './core/recordings/shelf.js';
import { createHash } from 'node:crypto';
import { LlmOptionError, ReplayMissError, LlmReplayError, PREFIX, UnfinishedCallError, VariantsError, detailOf } from './core/errors.js';
import { chooseVariant, recordedVariants, variantFolder } from './core/variants.js';
import { testFolderPath } from './core/confine.js';
import { DEFAULTS, type LlmOptions, type Resolved, createSession, resolveOptions, withTestOptions } from './options.js';
import type { Mode } from './core/mode.js';
import { installDispatcher, upstreamDispatcher } from './node/index.js';
import { installBrowserTransport } from './browser/route.js';
import { addAppHeader, appUrls } from './browser/app-header.js';
import { encodeAttribution, ignorePaths, runSecret } from './core/attribution.js';
import { TestChannel, firstInRun } from './core/run/channel.js';
import { type Fault, type FaultOptions, checkFault } from './core/faults.js';
import { TestClock } from './core/clock.js';
import { testFolder } from './core/naming.js';
import { describeCall, stepTitle, transcript } from './core/transcript.js';
import type { Reported } from './core/run/report.js';
import { CallSteps } from './steps.js';
import { CALLS_ATTACHMENT, type CallsAttachment, type Rerecord } from './reporter-data.js';

/** What a test sees of its LLM calls. */
export interface LlmFixture {
  /** Every LLM call the test made so far (page, worker, app server, proxy): url, model, outcome (`pending` while being recorded). */
  readonly calls: readonly LlmCall[];
  /** The mode this test runs in, after `LLM_REPLAY_MODE`, `llmMode`, `--update-snapshots` and `CI`. */
  readonly mode: Mode;
  /** The folder this test's recordings are written to. */
  readonly dir: string;
  /**
   * The answer variant this test is served: repetition k of `--repeat-each` replays (or records)
   * variant k, kept in the test's folder under `@variant-k`; a plain run, variant 0 (the folder itself).
   */
  readonly variant: number;
  /**
   * Injects a fault into this test's LLM calls whose URL matches `url` (a glob as in page.route, or
   * a RegExp) — from the page, the worker and the app's server: an error answer (`{ status }`), a
   * broken connection (`{ dropAfter }`), a pause (`{ stallAfter, ms }`), the provider's own error
   * event (`{ errorEvent, after }`), a slow first chunk (`{ firstChunkDelay }`). `times` limits how
   * many calls get it; `model` and `nth` pick which. Never written into recordings. A fault no call
   * got fails the test at its end.
   */
  fault(url: string | RegExp, fault: Fault, options?: FaultOptions): Promise<void>;
  /**
   * The clock replays wait on at `llmPace: 'clock'` in Node (the test worker, the app's server).
   * It follows `page.clock` (install, runFor, fastForward, pauseAt, resume); in a test without a
   * page, move it yourself: `await llm.clock.install(); … await llm.clock.runFor(2000)`.
   */
  readonly clock: LlmClock;
}

/** The test's clock for replays in Node, shaped like Playwright's `page.clock`. */
export interface LlmClock {
  install(options?: { time?: number | string | Date }): Promise<void>;
  runFor(ticks: number | string): Promise<void>;
  fastForward(ticks: number | string): Promise<void>;
  pauseAt(time: number | string | Date): Promise<void>;
  resume(): Promise<void>;
  setFixedTime(time: number | string | Date): Promise<void>;
  setSystemTime(time: number | string | Date): Promise<void>;
  /** The clock's time, ms. */
  now(): number;
}

/** How long a finished test waits for calls still being recorded before it fails. */
const SETTLE_TIMEOUT_MS = 30_000;

// Playwright runs one test at a time in a worker; the Node transport asks for the running one.
let current: Session | undefined;

interface TestSession {
  session: Session;
  /** The test's browser contexts: a miss closes them, so a pending `expect` fails at once. */
  contexts: Set<BrowserContext>;
  /** The signed attribution header for the app's server and the proxy (with the test's faults as they stand). */
  header: () => string;
  /** The test's files in the run's private folder: what those processes report, the faults and clock they follow. */
  channel: TestChannel;
  clock: TestClock;
  /** A step per call, unless llmSteps is off. */
  steps?: CallSteps;
  /** The answer variant this repetition is served. */
  variant: Variant;
}

type TestOptions = Pick<LlmOptions, 'llmMode' | 'llmPace' | 'llmReport' | 'llmSteps' | 'llmVariants'>;
type WorkerOptions = Omit<LlmOptions, keyof TestOptions>;
type TestFixtures = TestOptions & { llm: LlmFixture; _llmSession: TestSession };
type WorkerFixtures = WorkerOptions & { _llmOptions: Resolved; _llmNodeTransport: void };

export const test = base.extend<TestFixtures, WorkerFixtures>({
  llmDir: [DEFAULTS.llmDir, { option: true, scope: 'worker' }],
  llmMode: [DEFAULTS.llmMode, { option: true }],
  llmPace: [DEFAULTS.llmPace, { option: true }],
  llmReport: [DEFAULTS.llmReport, { option: true }],
  llmSteps: [DEFAULTS.llmSteps, { option: true }],
  llmVariants: [DEFAULTS.llmVariants, { option: true }],
  llmUrls: [DEFAULTS.llmUrls, { option: true, scope: 'worker' }],
  llmIgnore: [DEFAULTS.llmIgnore, { option: true, scope: 'worker' }],
  llmRedact: [DEFAULTS.llmRedact, { option: true, scope: 'worker' }],

  _llmOptions: [
    async ({ llmDir, llmUrls, llmIgnore, llmRedact }, use, workerInfo) => {
      const { llmMode, llmPace, llmHosts } = workerInfo.project.use as Partial<TestOptions> & { llmHosts?: unknown };
      if (llmHosts !== undefined) throw new LlmOptionError('the option llmHosts is now called llmUrls (it takes URL globs and RegExps, not host names). Rename it in your config.');
      await use(resolveOptions({ llmDir, llmUrls, llmIgnore, llmRedact, llmMode, llmPace }, { baseDir: configDir(workerInfo), updateSnapshots: workerInfo.config.updateSnapshots }));
    },
    { scope: 'worker', title: 'llm replay options', box: true },
  ],

  _llmNodeTransport: [
    async ({ _llmOptions }, use) => {
      // Calls made outside a test (beforeAll, worker fixtures) use the shared folder.
      let shared: Session | undefined;
      const uninstall = installDispatcher(() => current ?? (shared ??= createSession(_llmOptions)));
      await use();
      if (shared) await shared.ledger.idle(SETTLE_TIMEOUT_MS);
      uninstall();
    },
    { scope: 'worker', auto: true, title: 'llm replay (node)', box: true },
  ],

  _llmSession: [
    async ({ _llmOptions: worker, llmMode, llmPace, llmReport, llmSteps, llmVariants }, use, testInfo) => {
      if (typeof llmSteps !== 'boolean') throw new LlmOptionError(`llmSteps must be true (a step per LLM call in the report and trace) or false (none; the attachments stay), not ${JSON.stringify(llmSteps)}.`);
      if (llmVariants !== 'cycle' && llmVariants !== 'exact') {
        throw new LlmOptionError(`llmVariants must be 'cycle' (a test with fewer answer variants than --repeat-each serves them again) or 'exact' (it fails), not ${JSON.stringify(llmVariants)}.`);
      }
      const options = withTestOptions(worker, { llmMode, llmPace }, testInfo.config.updateSnapshots);
      const started = Date.now();
      const secret = runSecret();
      const { ref, variant } = variantRef(testInfo, options, llmVariants, secret);
      const channel = TestChannel.create(secret);
      const id = channel.id;
      // At pace 'clock', replays wait on the test's clock; the app's server follows it through the channel.
      const clock = new TestClock();
      if (options.pace === 'clock') clock.onChange((state) => channel.shareClock(state));
      const session = createSession(options, ref, clock);
      // The faults go to the app's server and the proxy with what this process counted for each;
      // what they count comes back in the report.
      session.faults.link(channel.testFaults());
      const header = () => {
        // From the first request the app's server may take part: identical requests are counted together.
        if (!session.shelf.occurrences.shared) session.shelf.occurrences.share(channel.occurrencesDir);
        return encodeAttribution(
          {
            id,
            test: ref,
            mode: options.mode,
            pace: options.pace,
            urls: options.urls,
            ignore: ignorePaths(options.ignore),
            redact: options.redact,
          },
          secret,
        );
      };
      const contexts = new Set<BrowserContext>();
      const steps = llmSteps ? callSteps(testInfo, session) : undefined;
      const listening = speakFirst(session, channel, contexts, steps);
      current = session;
      try {
        await use({ session, header, channel, clock, contexts, steps, variant });
      } finally {
        current = undefined;
        // A miss from here on fails the test at its end; the steps hear calls until they have settled.
        listening.quiet();
      }
      // Replays still waiting on the test's clock go on: no one moves it any more.
      clock.release();
      // Within the test's own time: a wait cut short by Playwright's timeout would leave steps open and say nothing of why.
      const waitMs = testInfo.timeout > 0 ? Math.max(0, Math.min(SETTLE_TIMEOUT_MS, testInfo.timeout - (Date.now() - started) - 1000)) : SETTLE_TIMEOUT_MS;
      const stuck = await settled(session, channel, waitMs);
      const stuckError = (c: LlmCall) => unfinished(c, waitMs);
      listening.stop();
      const reported = channel.close();
      session.faults.link({ others: () => reported.counts(), pushed: () => {} }); // the report is gone from here on
      const calls = [...session.ledger.calls, ...reported.calls];
      const unused = options.mode === 'passthrough' ? [] : session.faults.unused();
      if (steps) {
        hear(steps, reported);
        steps.finish(new Map(stuck.map((c) => [c.id, stuckError(c)])));
        for (const e of unused) steps.failed('LLM fault not used', e);
      }
      const errors = [...session.ledger.errors, ...reported.errors, ...stuck.map(stuckError), ...unused];
      // Re-recording replaces the test's folder, but only when every call was recorded again.
      const rerecord = options.mode === 'record' ? rerecorded(session, calls, testInfo, testInfo.status === 'passed' && !errors.length) : undefined;
      if (options.mode !== 'passthrough') warnTracing(testInfo, calls, secret);
      if (calls.length && llmReport) await attachCalls(testInfo, session, calls, rerecord, variant);
      // An error the test already failed with (a worker's SDK raises the miss answer's message) is not said twice.
      const said = (e: Error) => testInfo.errors.some((t) => t.message?.includes(e.message.split('\n')[0]));
      const unsaid = errors.filter((e) => !said(e));
      if (unsaid.length) throw combine(unsaid);
    },
    { auto: true, title: 'llm replay', box: true },
  ],

  llm: async ({ _llmSession: { session, channel, clock, steps, variant } }, use) => {
    await use({
      variant: variant.served,
      get calls() {
        const reported = channel.report();
        // What the test reads of the server's calls, its steps have heard of too (under the step reading it).
        if (steps) hear(steps, reported);
        return [...session.ledger.calls, ...reported.calls];
      },
      mode: session.options.mode,
      dir: session.shelf.folder,
      fault: async (url, fault, options) => session.faults.add(checkFault(url, fault, options)),
      clock,
    });
  },

  // For tests that use a page: the context's LLM calls go through the session, and its requests
  // to the app's own server carry the test's signed identity for the server's preload.
  context: async ({ context, _llmSession, baseURL }, use, testInfo) => {
    _llmSession.contexts.add(context);
    const undoRoutes = await installBrowserTransport(context, _llmSession.session, upstreamDispatcher);
    const undoHeader = await addAppHeader(context, appUrls(baseURL, (testInfo.config as { webServer?: unknown }).webServer), _llmSession.header);
    if (_llmSession.session.options.pace === 'clock') followClock(context.clock, _llmSession.clock);
    await use(context);
    _llmSession.contexts.delete(context);
    await undoHeader();
    await undoRoutes();
  },
});

/**
 * The test's calls in the report: a transcript to read at a glance, and the same as JSON for
 * tools (the run summary reporter reads it, so it works across shards and merged reports).
 */
async function attachCalls(testInfo: TestInfo, session: Session, calls: LlmCall[], rerecord?: Rerecord, variant?: Variant): Promise<void> {
  const described = calls.map((c) => {
    let x;
    try {
      x = c.file ? session.recordings.store.read(c.file) : undefined;
    } catch {
      x = undefined; // a file gone or damaged since: the call is shown without what it held
    }
    return describeCall(c, x);
  });
  const head = rerecord?.kept.length ? `${rerecordNote(rerecord, session.options.root)}\n\n` : '';
  await testInfo.attach('llm-calls.txt', { body: head + transcript(described), contentType: 'text/plain' });
  const data: CallsAttachment = {
    version: 1,
    root: session.options.root,
    folder: session.shelf.folder,
    test: session.options.test?.title,
    mode: session.options.mode,
    calls: described,
    ...(variant?.repeated && { variant: { served: variant.served, of: variant.of, repetition: variant.repetition, ...(variant.cycled && { cycled: true }) } }),
    ...(rerecord && { rerecord }),
  };
  await testInfo.attach(CALLS_ATTACHMENT, { body: JSON.stringify(data, null, 2), contentType: 'application/json' });
}

/**
 * After a test ran in record mode: a test that recorded every call it made replaces its folder
 * (the recordings it no longer uses go). One that did not — a call the upstream failed, one still
 * being recorded when the test ended, an error — keeps every earlier recording, and says so: the
 * next replay must not miss because a re-record went wrong.
 */
function rerecorded(session: Session, calls: readonly LlmCall[], testInfo: TestInfo, clean: boolean): Rerecord {
  const notRecorded = calls.filter((c) => c.outcome === 'not-recorded' || c.outcome === 'pending').map((c) => ({ method: c.method, url: c.url, model: c.model, where: c.where, reason: c.reason ?? 'it was still being recorded when the test ended' }));
  const written = new Set(calls.map((c) => c.file).filter((f): f is string => !!f));
  if (clean && !notRecorded.length) return { complete: true, removed: session.recordings.store.keepOnly(session.shelf.folder, [...written]), kept: [], notRecorded };
  const kept = session.recordings.store.filesIn(session.shelf.folder).filter((f) => !written.has(f));
  const rerecord: Rerecord = { complete: false, removed: [], kept, notRecorded };
  if (kept.length) testInfo.annotations.push({ type: 'llm-replay', description: rerecordNote(rerecord, session.options.root) });
  return rerecord;
}

function rerecordNote(r: Rerecord, root: string): string {
  const why = r.notRecorded.length
    ? `${r.notRecorded.length} call${r.notRecorded.length === 1 ? ' was' : 's were'} not recorded (${r.notRecorded.map((c) => `${c.method} ${c.url}: ${c.reason}`).join('; ')})`
    : 'the test did not pass';
  const files = r.kept.map((f) => path.relative(root, f)).join(', ');
  return `Not re-recorded in full: ${why}. The test's ${r.kept.length} earlier recording${r.kept.length === 1 ? ' was' : 's were'} kept as ${r.kept.length === 1 ? 'it was' : 'they were'}: ${files}. Record the test again when the upstream answers.`;
}

/** Tracing records the page's own request headers (a key the page sends) in trace.zip; the plugin cannot redact it. */
function warnTracing(testInfo: TestInfo, calls: readonly LlmCall[], secret: string): void {
  if (!calls.some((c) => c.where === 'page' && c.outcome === 'recorded')) return;
  const trace = (testInfo.project.use as { trace?: string | { mode?: string } }).trace;
  const mode = typeof trace === 'string' ? trace : trace?.mode;
  if (!mode || mode === 'off') return;
  if (!firstInRun(secret, 'trace-warned')) return; // once per run, across workers
  console.warn(
    `${PREFIX}this run recorded LLM calls made by the page with Playwright tracing on (trace: '${mode}'). A trace holds the page's own request headers, so a key the page sends (authorization, x-api-key) is in its trace.zip: the plugin keeps secrets out of recordings, but cannot rewrite Playwright's traces. Record with --trace off, or keep the traces of record runs out of CI artifacts and your repository. (Said once per run.)`,
  );
}

/**
 * What the test hears of its calls as they happen: a miss fails it at once, with its message as its
 * first error (a page's pending `expect` does not wait out its timeout first); each call gets its
 * step. The app's server and the proxy report theirs in the test's report file.
 */
function speakFirst(session: Session, channel: TestChannel, contexts: ReadonlySet<BrowserContext>, steps?: CallSteps): { quiet(): void; stop(): void } {
  let speaking = true;
  const speak = (error: Error) => {
    if (!speaking) return;
    // In the worker, the SDK that made the call raises the miss answer's message in the test itself.
    if (!(error instanceof ReplayMissError) || error.where === 'worker') return;
    try {
      missExpect.soft({ misses: [error] }).toHaveNoMisses();
    } catch {
      // Outside a running test (it has just ended): the fixture fails it at its end.
    }
    const call = /no recording for (\S+ \S+)/.exec(error.message)?.[1] ?? 'an LLM call';
    const reason = `playwright-llm-replay closed the browser context: ${call} has no recording in replay mode (the test's first error says which, and how to record it)`;
    for (const context of contexts) void context.close({ reason }).catch(() => {});
  };
  const off = session.ledger.on((e) => {
    if (e.type === 'error') {
      if (e.call) steps?.error(e.call.id, e.error);
      return speak(e.error);
    }
    steps?.saw(e.call, e.type === 'answered');
  });
  let size = 0;
  let seen = 0;
  const check = () => {
    const now = channel.reportSize();
    if (now === size) return;
    size = now;
    const reported = channel.report();
    for (const error of reported.errors.slice(seen)) speak(error);
    seen = reported.errors.length;
    if (steps) hear(steps, reported);
  };
  // Heard when the report changes (a server's call gets its step as it is made), and every 200 ms
  // in case the file system does not tell.
  let watcher: fs.FSWatcher | undefined;
  try {
    watcher = fs.watch(channel.reportFile, { persistent: false }, check);
    watcher.on('error', () => watcher?.close());
  } catch {
    watcher = undefined;
  }
  const timer = setInterval(check, 200);
  timer.unref();
  return {
    quiet: () => void (speaking = false),
    stop: () => {
      off();
      clearInterval(timer);
      watcher?.close();
    },
  };
}

/** The calls the app's server and the proxy reported, to their steps. */
function hear(steps: CallSteps, reported: Reported): void {
  for (const [id, error] of reported.callErrors) steps.error(id, error);
  for (const call of reported.calls) steps.saw(call, reported.answered.has(call.id));
}

/** The test's steps, titled as the calls stand, with what their recordings hold (chunks, frames). */
function callSteps(testInfo: TestInfo, session: Session): CallSteps | undefined {
  const { root, mode } = session.options;
  return CallSteps.for(testInfo, (call) => {
    let x;
    try {
      x = call.file ? session.recordings.store.read(call.file) : undefined;
    } catch {
      x = undefined; // a damaged file: the miss or the replay's error says so
    }
    return stepTitle(describeCall(call, x), { passthrough: mode === 'passthrough', root });
  });
}

/** The miss as the test's first error, at once (synchronous, unlike the public toHaveNoMisses that waits on `llm`). */
const missExpect = baseExpect.extend({
  toHaveNoMisses(received: { misses: readonly Error[] }) {
    const misses = received.misses;
    return { pass: !misses.length, name: 'toHaveNoMisses', message: () => misses.map((m) => m.message).join('\n\n') };
  },
});

/**
 * At pace 'clock': the test's Node clock does what the test does to Playwright's (`page.clock` is
 * the context's), so replays in the worker and the app's server step with the page.
 */
function followClock(playwright: Clock, ours: TestClock): void {
  const methods = ['install', 'runFor', 'fastForward', 'pauseAt', 'resume', 'setFixedTime', 'setSystemTime'] as const;
  for (const name of methods) {
    const original = (playwright[name] as (...a: unknown[]) => Promise<void>).bind(playwright);
    (playwright as unknown as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      await original(...args);
      await (ours[name] as (...a: unknown[]) => Promise<void>)(...args);
    };
  }
}

/** Waits until every call of the test (in this process, and reported by the app server or the proxy) has settled. */
async function settled(session: Session, channel: TestChannel, timeoutMs: number): Promise<LlmCall[]> {
  const deadline = Date.now() + timeoutMs;
  const own = await session.ledger.idle(timeoutMs);
  for (;;) {
    const pending = channel.report().calls.filter((c) => c.outcome === 'pending');
    if (!pending.length || Date.now() >= deadline) return [...own, ...pending];
    await new Promise((r) => setTimeout(r, 50));
  }
}

function unfinished(call: LlmCall, waitedMs: number): UnfinishedCallError {
  const by = { page: 'the page', worker: 'the test worker', server: 'the app server', proxy: 'the proxy' }[call.where];
  const when = waitedMs >= SETTLE_TIMEOUT_MS ? `${SETTLE_TIMEOUT_MS / 1000} s after the test ended` : `when the test's time ran out (${(waitedMs / 1000).toFixed(1)} s after it ended; the test timeout bounds the wait)`;
  return new UnfinishedCallError(
    `${call.method} ${call.url}${call.model ? ` (model ${call.model})` : ''}, made by ${by}, was still being recorded ${when}; it was not stored. Is the upstream still streaming? Record it again when it answers in time.`,
  );
}

function configDir(info: { config: { configFile?: string; rootDir: string } }): string {
  return info.config.configFile ? path.dirname(info.config.configFile) : info.config.rootDir;
}

/** The answer variant a test's repetition is served, as the report shows it. */
interface Variant {
  served: number;
  of: number;
  repetition: number;
  /** The run repeats tests (--repeat-each): calls, steps and attachments say the variant. */
  repeated: boolean;
  /** It was served a variant again (the test has fewer than the run's repetitions). */
  cycled: boolean;
}

/**
 * The test's identity for this repetition: in a run with --repeat-each, repetition k is served
 * answer variant k (variants.ts), in its own folder; one it cannot be served fails the test before
 * it runs; one served a variant again says so in the report, and once in the run's output.
 */
function variantRef(testInfo: TestInfo, options: Resolved, policy: LlmOptions['llmVariants'], secret: string): { ref: TestRef; variant: Variant } {
  const base = testRef(testInfo);
  const repetition = testInfo.repeatEachIndex;
  const repeatEach = repeatEachOf(testInfo);
  if (repeatEach <= 1 && repetition === 0) return { ref: base, variant: { served: 0, of: 1, repetition, repeated: false, cycled: false } };
  const dir = testFolderPath(options.root, base.folder);
  const choice = chooseVariant({ repetition, repeatEach, recorded: recordedVariants(dir), mode: options.mode, policy, title: base.title, location: base.location, folder: path.relative(process.cwd(), dir) || '.' });
  if (choice.problem) throw new VariantsError(choice.problem);
  if (choice.cycled) {
    testInfo.annotations.push({ type: 'llm-replay', description: `answer variant ${choice.variant}, served again to repetition ${repetition}: ${choice.cycled}` });
    if (firstInRun(secret, `variants-${createHash('sha256').update(base.folder).digest('hex').slice(0, 16)}`)) console.warn(`${PREFIX}${choice.cycled} (Said once per test.)`);
  }
  const ref = { ...base, folder: variantFolder(base.folder, choice.variant), location: `${base.location} --repeat-each=${repeatEach}`, variant: choice.variant };
  return { ref, variant: { served: choice.variant, of: choice.of, repetition, repeated: true, cycled: !!choice.cycled } };
}

/**
 * The run's --repeat-each. Playwright applies the command line's in the runner only: a worker's
 * project shows the config's, so the command line's is read where the worker keeps it (internal;
 * without it, repetition 0 of a repeated run is served variant 0 as in a plain run, unmarked).
 */
function repeatEachOf(testInfo: TestInfo): number {
  const cli = (testInfo as unknown as { _configInternal?: { configCLIOverrides?: { repeatEach?: unknown } } })._configInternal?.configCLIOverrides?.repeatEach;
  return Math.max(typeof cli === 'number' ? cli : testInfo.project.repeatEach, testInfo.repeatEachIndex + 1);
}

/** A test's identity: its recordings folder is `<spec path>/<title path>` under llmDir. */
function testRef(info: TestInfo): TestRef {
  const specFile = path.relative(info.project.testDir, info.file).split(path.sep).join('/');
  const titles = info.titlePath.slice(1);
  return { folder: testFolder(specFile, titles), title: [specFile, ...titles].join(' > '), location: commandArgs(info) };
}

/** What to pass to `npx playwright test`, from the current folder, to run just this test. */
function commandArgs(info: TestInfo): string {
  const rel = (p: string) => path.relative(process.cwd(), p).split(path.sep).join('/');
  const config = info.config.configFile;
  const defaultConfig = config && /^playwright\.config\.[cm]?[jt]s$/.test(path.basename(config)) && path.dirname(config) === process.cwd();
  return `${config && !defaultConfig ? `-c ${rel(config)} ` : ''}${rel(info.file)}:${info.line}`;
}

function combine(errors: Error[]): Error {
  const unique = [...new Map(errors.map((e) => [e.message, e])).values()];
  if (unique.length === 1) return unique[0];
  const Kind = unique.every((e) => e instanceof ReplayMissError) ? ReplayMissError : LlmReplayError;
  const [first, ...rest] = unique;
  return new Kind([detailOf(first), ...rest.map((e) => e.message)].join('\n\n'));
}


