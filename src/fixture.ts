// Playwright fixtures: the options, the worker-scoped Node transport, and the automatic
// test-scoped session that every LLM call of a test goes through.
import fs from 'node:fs';
import path from 'node:path';
import { test as base, type TestInfo, type WorkerInfo } from '@playwright/test';
import type { LlmCall, Session, TestRef } from './core/session.js';
import { ReplayMissError, LlmReplayError } from './core/errors.js';
import { DEFAULTS, type LlmOptions, createSession } from './options.js';
import type { Mode } from './mode.js';
import { installDispatcher, upstreamDispatcher } from './node/index.js';
import { installBrowserTransport } from './browser/route.js';
import { addAppHeader, appUrls } from './browser/app-header.js';
import { encodeAttribution } from './core/attribution.js';

/** What a test sees of its LLM calls. */
export interface LlmFixture {
  /** Every LLM call the test made so far: url, model, and whether it was replayed, recorded or passed through. */
  readonly calls: readonly LlmCall[];
  /** The mode this test runs in, after `LLM_REPLAY_MODE`, `llmMode`, `--update-snapshots` and `CI`. */
  readonly mode: Mode;
  /** The folder this test's recordings are written to. */
  readonly dir: string;
}

// Playwright runs one test at a time in a worker; the Node transport asks for the running one.
let current: Session | undefined;

type TestSession = Session & { appHeader: string; serverReport: ServerReport };
type TestFixtures = LlmOptions & { llm: LlmFixture; _llmSession: TestSession };
type WorkerFixtures = { _llmNodeTransport: void };


export const test = base.extend<TestFixtures, WorkerFixtures>({
  llmDir: [DEFAULTS.llmDir, { option: true }],
  llmMode: [DEFAULTS.llmMode, { option: true }],
  llmPace: [DEFAULTS.llmPace, { option: true }],
  llmHosts: [DEFAULTS.llmHosts, { option: true }],
  llmIgnore: [DEFAULTS.llmIgnore, { option: true }],

  _llmNodeTransport: [
    async ({}, use, workerInfo) => {
      // Calls made outside a test (beforeAll, worker fixtures) use the config's options and the shared folder.
      let shared: Session | undefined;
      const outsideTests = () => (shared ??= sharedSession(workerInfo));
      const uninstall = installDispatcher(() => current ?? outsideTests());
      await use();
      uninstall();
    },
    { scope: 'worker', auto: true, title: 'llm replay (node)', box: true },
  ],

  _llmSession: [
    async ({ llmDir, llmMode, llmPace, llmHosts, llmIgnore }, use, testInfo) => {
      const session = createSession(
        { llmDir, llmMode, llmPace, llmHosts, llmIgnore },
        { baseDir: configDir(testInfo), updateSnapshots: testInfo.config.updateSnapshots, test: testRef(testInfo) },
      );
      const report = serverReport(testInfo.outputPath('llm-server-calls.jsonl'));
      current = session;
      try {
        await use(Object.assign(session, { appHeader: encodeAttribution({ ...session.options, report: report.file }), serverReport: report }));
      } finally {
        current = undefined;
      }
      const { calls: serverCalls, errors: serverErrors } = report.read();
      const errors = [...session.errors, ...serverErrors];
      const calls = [...session.calls, ...serverCalls];
      if (calls.length && (errors.length || testInfo.status !== testInfo.expectedStatus)) {
        await testInfo.attach('llm-calls.json', { body: JSON.stringify(calls, null, 2), contentType: 'application/json' });
      }
      if (errors.length) throw combine(errors);
    },
    { auto: true, title: 'llm replay', box: true },
  ],

  llm: async ({ _llmSession: session }, use) => {
    await use({
      get calls() {
        return [...session.calls, ...session.serverReport.read().calls];
      },
      mode: session.options.mode,
      dir: session.store.folder,
    });
  },

  // For tests that use a page: the context's LLM calls go through the session, and its requests
  // to the app's own server carry the test's identity for the server's preload.
  context: async ({ context, _llmSession, baseURL }, use, testInfo) => {
    const undoRoutes = await installBrowserTransport(context, _llmSession, upstreamDispatcher);
    const undoHeader = await addAppHeader(context, appUrls(baseURL, (testInfo.config as { webServer?: unknown }).webServer), _llmSession.appHeader);
    await use(context);
    await undoHeader();
    await undoRoutes();
  },
});

interface ServerReport {
  file: string;
  read(): { calls: LlmCall[]; errors: Error[] };
}

/** What the app's server and the proxy reported about this test's calls (a JSON-lines file). */
function serverReport(file: string): ServerReport {
  return {
    file,
    read() {
      let text = '';
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch {
        return { calls: [], errors: [] };
      }
      const calls: LlmCall[] = [];
      const errors: Error[] = [];
      for (const line of text.split('\n').filter(Boolean)) {
        const entry = JSON.parse(line) as { call?: LlmCall; error?: string; name?: string };
        if (entry.call) calls.push({ ...entry.call, where: 'server' });
        if (entry.error) errors.push(Object.assign(entry.name === 'ReplayMissError' ? new ReplayMissError(entry.error) : new LlmReplayError(entry.error), { stack: entry.error }));
      }
      return { calls, errors };
    },
  };
}

function configDir(info: { config: { configFile?: string; rootDir: string } }): string {
  return info.config.configFile ? path.dirname(info.config.configFile) : info.config.rootDir;
}

/** A test's identity: its recordings folder is `<spec path>/<title path>` under llmDir. */
function testRef(info: TestInfo): TestRef {
  const specFile = path.relative(info.project.testDir, info.file).split(path.sep).join('/');
  const titles = info.titlePath.slice(1);
  return {
    folder: path.join(specFile, titles.map(slug).join('/')),
    title: [specFile, ...titles].join(' > '),
    location: commandArgs(info),
  };
}

/** What to pass to `npx playwright test`, from the current folder, to run just this test. */
function commandArgs(info: TestInfo): string {
  const rel = (p: string) => path.relative(process.cwd(), p).split(path.sep).join('/');
  const config = info.config.configFile;
  const defaultConfig = config && /^playwright\.config\.[cm]?[jt]s$/.test(path.basename(config)) && path.dirname(config) === process.cwd();
  return `${config && !defaultConfig ? `-c ${rel(config)} ` : ''}${rel(info.file)}:${info.line}`;
}

/**
 * A folder name for a title: lower-case words joined by `-`. When more than case and spacing was
 * lost (punctuation, other scripts, a cut), a short hash of the title keeps it apart from others.
 */
function slug(title: string): string {
  const s = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  const lossless = /^[A-Za-z0-9 -]*$/.test(title) && s.length > 0 && s.length <= 60;
  if (lossless) return s;
  let h = 0;
  for (const c of title) h = (Math.imul(h, 31) + c.codePointAt(0)!) >>> 0;
  return `${s.slice(0, 60) || 'untitled'}-${h.toString(16).padStart(8, '0').slice(0, 6)}`;
}

function sharedSession(info: WorkerInfo): Session {
  return createSession(info.project.use as Partial<LlmOptions>, { baseDir: configDir(info), updateSnapshots: info.config.updateSnapshots });
}

function combine(errors: Error[]): Error {
  const unique = [...new Map(errors.map((e) => [e.message, e])).values()];
  if (unique.length === 1) return unique[0];
  const Kind = unique.every((e) => e instanceof ReplayMissError) ? ReplayMissError : LlmReplayError;
  return new Kind(unique.map((e) => e.message).join('\n\n'));
}
