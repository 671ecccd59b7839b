// Playwright fixtures: the options (worker-scoped, so calls made in beforeAll see them too), the
// worker's Node transport, and the automatic test-scoped session that every LLM call of a test goes
// through — from the page, the worker, the app's server and the proxy. A test does not end until
// every call it started has been stored or has failed.
import fs from 'node:fs';
import path from 'node:path';
import { test as base, type TestInfo } from '@playwright/test';
import type { LlmCall, Session, TestRef } from './core/session.js';
import { LlmOptionError, ReplayMissError, LlmReplayError } from './core/errors.js';
import { DEFAULTS, type LlmOptions, type Resolved, createSession, resolveOptions, withTestOptions } from './options.js';
import type { Mode } from './mode.js';
import { installDispatcher, upstreamDispatcher } from './node/index.js';
import { installBrowserTransport } from './browser/route.js';
import { addAppHeader, appUrls } from './browser/app-header.js';
import { encodeAttribution, ignorePaths, newAttributionId, reportFile, runSecret } from './core/attribution.js';
import { readReport } from './core/report.js';
import { testFolder } from './core/naming.js';

/** What a test sees of its LLM calls. */
export interface LlmFixture {
  /** Every LLM call the test made so far (page, worker, app server, proxy): url, model, outcome (`pending` while being recorded). */
  readonly calls: readonly LlmCall[];
  /** The mode this test runs in, after `LLM_REPLAY_MODE`, `llmMode`, `--update-snapshots` and `CI`. */
  readonly mode: Mode;
  /** The folder this test's recordings are written to. */
  readonly dir: string;
}

/** How long a finished test waits for calls still being recorded before it fails. */
const SETTLE_TIMEOUT_MS = 30_000;

// Playwright runs one test at a time in a worker; the Node transport asks for the running one.
let current: Session | undefined;

interface TestSession {
  session: Session;
  /** The signed attribution header for the app's server and the proxy. */
  header: string;
  /** Where those processes report this test's calls. */
  report: string;
}

type TestOptions = Pick<LlmOptions, 'llmMode' | 'llmPace'>;
type WorkerOptions = Omit<LlmOptions, keyof TestOptions>;
type TestFixtures = TestOptions & { llm: LlmFixture; _llmSession: TestSession };
type WorkerFixtures = WorkerOptions & { _llmOptions: Resolved; _llmNodeTransport: void };

export const test = base.extend<TestFixtures, WorkerFixtures>({
  llmDir: [DEFAULTS.llmDir, { option: true, scope: 'worker' }],
  llmMode: [DEFAULTS.llmMode, { option: true }],
  llmPace: [DEFAULTS.llmPace, { option: true }],
  llmUrls: [DEFAULTS.llmUrls, { option: true, scope: 'worker' }],
  llmIgnore: [DEFAULTS.llmIgnore, { option: true, scope: 'worker' }],
  llmRedact: [DEFAULTS.llmRedact, { option: true, scope: 'worker' }],

  _llmOptions: [
    async ({ llmDir, llmUrls, llmIgnore, llmRedact }, use, workerInfo) => {
      const { llmMode, llmPace, llmHosts } = workerInfo.project.use as Partial<TestOptions> & { llmHosts?: unknown };
      if (llmHosts !== undefined) throw new LlmOptionError('playwright-llm-replay: the option llmHosts is now called llmUrls (it takes URL globs and RegExps, not host names). Rename it in your config.');
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
      if (shared) await shared.idle(SETTLE_TIMEOUT_MS);
      uninstall();
    },
    { scope: 'worker', auto: true, title: 'llm replay (node)', box: true },
  ],

  _llmSession: [
    async ({ _llmOptions: worker, llmMode, llmPace }, use, testInfo) => {
      const options = withTestOptions(worker, { llmMode, llmPace }, testInfo.config.updateSnapshots);
      const ref = testRef(testInfo);
      const session = createSession(options, ref);
      const secret = runSecret();
      const id = newAttributionId();
      const report = reportFile(secret, id);
      const header = encodeAttribution({ id, test: ref, mode: options.mode, pace: options.pace, urls: options.urls, ignore: ignorePaths(options.ignore), redact: options.redact }, secret);
      current = session;
      try {
        await use({ session, header, report });
      } finally {
        current = undefined;
      }
      const stuck = await settled(session, report);
      const reported = readReport(report);
      fs.rmSync(report, { force: true });
      const calls = [...session.calls, ...reported.calls];
      const errors = [...session.errors, ...reported.errors, ...stuck.map(stuckError)];
      if (calls.length && (errors.length || testInfo.status !== testInfo.expectedStatus)) {
        await testInfo.attach('llm-calls.json', { body: JSON.stringify(calls, null, 2), contentType: 'application/json' });
      }
      if (errors.length) throw combine(errors);
    },
    { auto: true, title: 'llm replay', box: true },
  ],

  llm: async ({ _llmSession: { session, report } }, use) => {
    await use({
      get calls() {
        return [...session.calls, ...readReport(report).calls];
      },
      mode: session.options.mode,
      dir: session.folder,
    });
  },

  // For tests that use a page: the context's LLM calls go through the session, and its requests
  // to the app's own server carry the test's signed identity for the server's preload.
  context: async ({ context, _llmSession, baseURL }, use, testInfo) => {
    const undoRoutes = await installBrowserTransport(context, _llmSession.session, upstreamDispatcher);
    const undoHeader = await addAppHeader(context, appUrls(baseURL, (testInfo.config as { webServer?: unknown }).webServer), _llmSession.header);
    await use(context);
    await undoHeader();
    await undoRoutes();
  },
});

/** Waits until every call of the test (in this process, and reported by the app server or the proxy) has settled. */
async function settled(session: Session, report: string): Promise<LlmCall[]> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  const own = await session.idle(SETTLE_TIMEOUT_MS);
  for (;;) {
    const pending = readReport(report).calls.filter((c) => c.outcome === 'pending');
    if (!pending.length || Date.now() >= deadline) return [...own, ...pending];
    await new Promise((r) => setTimeout(r, 50));
  }
}

function stuckError(call: LlmCall): LlmReplayError {
  const by = { page: 'the page', worker: 'the test worker', server: 'the app server', proxy: 'the proxy' }[call.where];
  return new LlmReplayError(
    `playwright-llm-replay: ${call.method} ${call.url}${call.model ? ` (model ${call.model})` : ''}, made by ${by}, was still being recorded ${SETTLE_TIMEOUT_MS / 1000} s after the test ended; it was not stored. Is the upstream still streaming? Record it again when it answers in time.`,
  );
}

function configDir(info: { config: { configFile?: string; rootDir: string } }): string {
  return info.config.configFile ? path.dirname(info.config.configFile) : info.config.rootDir;
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
  return new Kind(unique.map((e) => e.message).join('\n\n'));
}


