// `reporter: [['list'], ['playwright-llm-replay/reporter']]`: at the end of a run, how many LLM calls
// were replayed, recorded, missed or passed through, the recordings written (with their side files),
// and — after a complete run only — the recordings under llmDir that no test used (a side file is
// never one: it goes with its recording), and the tokens the replayed calls carried per model with
// what they would have cost live (src/prices.ts, over the `prices` option). It reads each test's `llm-calls.json`
// attachment, so it works on sharded runs merged with `merge-reports` too.
// `['playwright-llm-replay/reporter', { failOnUnused: true }]` fails such a run when any is unused:
// through onEnd's status in a test run; `merge-reports` ignores that status and exits 1 only when a
// reporter throws, so a merged run fails by a throw from onExit, after every reporter has ended.
// `{ maxAge: '90d' }` warns about the recordings a run replayed that were recorded longer ago than
// that (by their recorded_at, which each call's attachment carries), and lists apart those of
// unknown age; with `failOnOld: true` old ones fail the run as unused ones do.
// Answer variants (src/core/variants.ts): a recording of variant k is checked for use only when the
// run ran repetition k (--repeat-each above k); a plain run neither calls variants 1..n unused nor
// lets `prune` remove them. A run that repeats says which tests were served a variant again.
import fs from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { z } from 'zod';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import { CALLS_ATTACHMENT, type CallsAttachment } from './reporter-data.js';
import { type LlmReplayError, LlmOptionError, OldRecordingsError, PREFIX, UnusedRecordingsError } from './core/errors.js';
import { ageOf, formatAge, parseAge } from './core/age.js';
import { formatBytes, formatUsage } from './core/transcript.js';
import { type Price, PRICES, PRICES_AS_OF, checkPrices, costOf, formatDollars, formatTokens, priceOf } from './prices.js';
import { type Usage, addUsage } from './wire/usage.js';
import { variantOfPath } from './core/variants.js';

export interface LlmReporterOptions {
  /** Fail the run when a complete run leaves recordings unused (for CI). Default false. */
  failOnUnused?: boolean;
  /** Recordings roots to look for unused files in, beside those the tests report (default: each project's llmDir). */
  llmDir?: string | string[];
  /** Prices in US dollars per million tokens, by model id, over the package's table: `{ 'my-model': { input: 1, output: 2 } }`. */
  prices?: Record<string, Price>;
  /** Warn about the recordings the run replayed that were recorded longer ago than this: `90d`, `12h`, `2w`. */
  maxAge?: string;
  /** Fail the run when it replayed recordings older than maxAge. Default false. */
  failOnOld?: boolean;
}

const ReporterOptions = z.object({
  failOnUnused: z.boolean().optional(),
  llmDir: z.union([z.string(), z.array(z.string())]).optional(),
  maxAge: z.string().optional(),
  failOnOld: z.boolean().optional(),
  // Checked by checkPrices, which names a bad entry by its model.
  prices: z.unknown().optional(),
});

/** The reporter's options, checked: maxAge in ms when given. Throws an LlmOptionError naming each bad one. */
function checkOptions(options: unknown): { maxAge?: number } {
  const parsed = ReporterOptions.safeParse(options ?? {});
  const lines = parsed.success ? [] : parsed.error.issues.map((i) => `  - ${i.path.join('.') || 'options'}: ${i.message}`);
  let maxAge: number | undefined;
  if (parsed.success && parsed.data.maxAge !== undefined) {
    try {
      maxAge = parseAge(parsed.data.maxAge, 'maxAge');
    } catch (err) {
      lines.push(`  - ${(err as LlmReplayError).detail}`);
    }
  }
  if (parsed.success && parsed.data.failOnOld && parsed.data.maxAge === undefined) lines.push("  - failOnOld: it fails on recordings older than maxAge, which is not set: add maxAge (e.g. '90d').");
  if (lines.length) throw new LlmOptionError(`invalid option of the reporter playwright-llm-replay/reporter\n${lines.join('\n')}`);
  return { maxAge };
}

/** Where the last run's verdict is kept for `npx playwright-llm-replay prune`. */
export const LAST_RUN_FILE = '.llm-replay-last-run.json';

export interface LastRun {
  version: 1;
  at: string;
  /** Why the run does not say which recordings are unused; empty when it does. */
  incomplete: string[];
  roots: string[];
  unused: string[];
  written: string[];
}

// Options of `playwright test` that take a value, and those that narrow which tests run.
const WITH_VALUE = new Set(['-c', '--config', '-g', '--grep', '--grep-invert', '--project', '--shard', '-j', '--workers', '--reporter', '--output', '--timeout', '--retries', '--repeat-each', '--max-failures', '--global-timeout', '--trace', '--browser', '--tsconfig', '--test-list', '--test-list-invert', '--only-changed', '--update-source-method', '--tag']);
const NARROWING: Record<string, string> = { '-g': '--grep', '--grep': '--grep', '--grep-invert': '--grep-invert', '--project': '--project', '--shard': '--shard', '--last-failed': '--last-failed', '--only-changed': '--only-changed', '--test-list': '--test-list', '--test-list-invert': '--test-list-invert', '--tag': '--tag' };

/** What narrowed a `playwright test` command line to some of the tests. */
export function narrowing(argv: readonly string[]): string[] {
  const at = argv.indexOf('test');
  if (at < 0) return [];
  const found: string[] = [];
  for (let i = at + 1; i < argv.length; i++) {
    const arg = argv[i];
    const [flag] = arg.split('=');
    if (NARROWING[flag]) found.push(NARROWING[flag]);
    if (arg.startsWith('-')) {
      if (WITH_VALUE.has(flag) && !arg.includes('=')) i++;
      continue;
    }
    found.push(`the file filter ${arg}`);
  }
  return [...new Set(found)];
}

/** Projects whose tests attach no `llm-calls.json` (a merged report has no project options to tell). */
function unreported(config: FullConfig): string[] {
  const off = config.projects.filter((p) => (p.use as { llmReport?: boolean }).llmReport === false);
  if (!off.length) return [];
  const named = off.filter((p) => p.name).map((p) => `"${p.name}"`);
  return [`llmReport is off${named.length ? ` in project ${named.join(', ')}` : ''}, so those tests do not say which recordings they use`];
}

export default class LlmReplayReporter implements Reporter {
  private config?: FullConfig;
  private suite?: Suite;
  private readonly roots = new Set<string>();
  private readonly used = new Set<string>();
  /** The recordings replayed in the run: when each was recorded (undefined: unknown age). */
  private readonly replayedAt = new Map<string, string | undefined>();
  private readonly written = new Set<string>();
  /** The side file of a recording written, by the recording. */
  private readonly sideFiles = new Map<string, string>();
  private readonly counts = new Map<string, number>();
  /** Tests that did not record every call again in record mode (their earlier recordings were kept): why. */
  private readonly notRerecorded = new Map<string, string[]>();
  /** Tests that replayed another test's recording: whose. */
  private readonly borrowed = new Map<string, Set<string>>();
  /** The highest repetition of --repeat-each a test ran (repeatEachIndex; 0 in a plain run). */
  private repeated = 0;
  /** Tests served answer variants (a run with --repeat-each): how many variants each has, and whether a repetition was served one again. */
  private readonly variants = new Map<string, { of: number; cycled: boolean }>();
  private merged = false;
  private notComplete: string[] = [];
  /** Why the gate failed the run, when it did. */
  private failure?: LlmReplayError;
  private readonly maxAge?: number;

  /** Replayed calls by model: how many, their tokens, and how many of them had no recorded usage. */
  private readonly replayed = new Map<string, { calls: number; usage?: Usage; without: number }>();
  private readonly prices: Record<string, Price>;

  constructor(private readonly options: LlmReporterOptions = {}) {
    this.maxAge = checkOptions(options).maxAge;
    this.prices = checkPrices(options.prices);
  }

  printsToStdio(): boolean {
    return false;
  }

  onBegin(config: FullConfig, suite: Suite): void {
    this.config = config;
    this.suite = suite;
    const argv = ((config as { argv?: string[] }).argv ?? process.argv) as string[];
    // merge-reports gives its reporters no command line: a merged run is taken as complete. A test
    // run without one (from an editor, UI mode) may have run any part of the tests: it is not.
    this.merged = !argv.length && process.argv.slice(2).includes('merge-reports');
    if (!this.merged) this.notComplete = [...(argv.length ? narrowing(argv) : ['its command line is unknown: not a `playwright test` run']), ...unreported(config)];
    const base = config.configFile ? path.dirname(config.configFile) : config.rootDir;
    const given = this.options.llmDir === undefined ? [] : ([] as string[]).concat(this.options.llmDir);
    for (const dir of given) this.roots.add(path.resolve(base, dir));
    // A merged report has no project options: its roots come from the tests' attachments.
    if (!given.length && !this.merged) for (const p of config.projects) this.roots.add(path.resolve(base, (p.use as { llmDir?: string }).llmDir ?? 'fixtures/llm'));
  }

  onTestEnd(_test: TestCase, result: TestResult): void {
    // From the TestCase (a merged report has it too), not the attachment: a test without LLM calls attaches none.
    this.repeated = Math.max(this.repeated, _test.repeatEachIndex ?? 0);
    for (const a of result.attachments) {
      if (a.name !== CALLS_ATTACHMENT || !a.body) continue;
      let data: CallsAttachment;
      try {
        data = JSON.parse(a.body.toString('utf8')) as CallsAttachment;
      } catch {
        continue;
      }
      this.roots.add(data.root);
      const title = data.test ?? _test.title;
      // The latest attempt of a test (a retry) says how it stands.
      this.notRerecorded.delete(title);
      this.borrowed.delete(title);
      if (data.variant) {
        const seen = this.variants.get(title);
        this.variants.set(title, { of: Math.max(seen?.of ?? 0, data.variant.of), cycled: !!seen?.cycled || !!data.variant.cycled });
      }
      if (data.rerecord && !data.rerecord.complete && data.rerecord.kept.length) {
        this.notRerecorded.set(title, data.rerecord.notRecorded.length ? data.rerecord.notRecorded.map((c) => `${c.method} ${c.url}: ${c.reason}`) : ['the test did not pass']);
      }
      for (const call of data.calls) {
        if (call.owner !== undefined) this.borrowed.set(title, (this.borrowed.get(title) ?? new Set()).add(call.owner));
        this.counts.set(call.outcome, (this.counts.get(call.outcome) ?? 0) + 1);
        if (call.outcome === 'replayed') {
          const model = this.replayed.get(call.model ?? '') ?? { calls: 0, without: 0 };
          model.calls++;
          if (call.usage) model.usage = addUsage(model.usage, call.usage);
          else model.without++;
          this.replayed.set(call.model ?? '', model);
        }
        if (call.file) this.used.add(path.resolve(call.file));
        if (call.file && (call.outcome === 'replayed' || call.outcome === 'faulted')) this.replayedAt.set(path.resolve(call.file), call.recordedAt);
        if (call.file && call.outcome === 'recorded') {
          this.written.add(path.resolve(call.file));
          if (call.sideFile) this.sideFiles.set(path.resolve(call.file), path.resolve(call.sideFile));
        }
      }
    }
  }

  async onEnd(result: FullResult): Promise<{ status?: FullResult['status'] } | undefined> {
    const incomplete = [...this.notComplete];
    const tests = this.suite?.allTests() ?? [];
    const failed = tests.filter((t) => t.outcome() === 'unexpected').length;
    const skipped = tests.filter((t) => t.outcome() === 'skipped').length;
    if (failed) incomplete.push(`${failed} failed test${failed === 1 ? '' : 's'}`);
    if (skipped) incomplete.push(`${skipped} skipped test${skipped === 1 ? '' : 's'}`);
    if (result.status === 'interrupted') incomplete.push('the run was interrupted');
    const rel = (f: string) => path.relative(process.cwd(), f) || f;
    incomplete.push(...this.unseenRecordings(rel));
    const { unused, unchecked } = incomplete.length ? { unused: [], unchecked: [] } : this.unused();

    const total = [...this.counts.values()].reduce((a, b) => a + b, 0);
    const order = ['replayed', 'recorded', 'faulted', 'missed', 'passthrough', 'not-recorded', 'pending'];
    const shownIfAny = ['faulted', 'pending'];
    const lines = [`${PREFIX}${total} LLM call${total === 1 ? '' : 's'} — ${order.filter((o) => !shownIfAny.includes(o) || this.counts.get(o)).map((o) => `${this.counts.get(o) ?? 0} ${o}`).join(', ')}`];
    lines.push(...this.notSpent(), ...this.variantLines());
    if (this.notRerecorded.size) {
      const n = this.notRerecorded.size;
      lines.push(`  not re-recorded in full (${n} test${n === 1 ? '; its' : 's; their'} earlier recordings were kept):`, ...[...this.notRerecorded].flatMap(([t, why]) => why.map((w) => `    ${t}: ${w}`)));
    }
    if (this.borrowed.size) {
      const n = this.borrowed.size;
      lines.push(`  replayed another test's recording (${n} test${n === 1 ? '' : 's'}): re-recording that test can break it; give it its own with LLM_REPLAY_MODE=record-missing:`, ...[...this.borrowed].map(([t, owners]) => `    ${t} ← ${[...owners].join(', ')}`));
    }
    if (this.written.size) lines.push(`  written in this run (${this.written.size}):`, ...[...this.written].sort().map((f) => `    ${rel(f)}${this.sideNote(f)}`));
    if (incomplete.length) lines.push(`  unused recordings: not reported, this run was not complete (${incomplete.join('; ')})`);
    else if (!unused.length) lines.push(`  every recording under ${[...this.roots].map(rel).join(', ')} was used${this.merged ? ' (merged report: from the shards it holds)' : ''}`);
    else lines.push(`  unused recordings (${unused.length}), no test used them in this complete run:`, ...unused.map((f) => `    ${rel(f)}`), '  remove them: npx playwright-llm-replay prune --yes');
    if (unchecked.length) {
      const upTo = Math.max(...unchecked.map(variantOfPath)) + 1;
      lines.push(`  ${unchecked.length} recording${unchecked.length === 1 ? '' : 's'} of answer variants this run did not repeat to (--repeat-each=${upTo} runs them) ${unchecked.length === 1 ? 'was' : 'were'} not checked`);
    }
    const old = this.maxAge === undefined ? [] : this.ageLines(this.maxAge, rel, lines);
    console.log(`\n${lines.join('\n')}`);

    this.writeLastRun({ version: 1, at: new Date().toISOString(), incomplete, roots: [...this.roots], unused, written: [...this.written] });
    const failures: LlmReplayError[] = [];
    if (this.options.failOnUnused && unused.length) failures.push(new UnusedRecordingsError(`failing the run: ${unused.length} unused recording${unused.length === 1 ? '' : 's'} (failOnUnused).`));
    if (this.options.failOnOld && old.length) failures.push(new OldRecordingsError(`failing the run: ${old.length} recording${old.length === 1 ? '' : 's'} older than ${this.options.maxAge} replayed (failOnOld).`));
    for (const f of failures) console.log(f.message);
    this.failure = failures[0];
    return failures.length ? { status: 'failed' } : undefined;
  }

  async onExit(): Promise<void> {
    if (!this.failure || !this.merged) return;
    throw this.failure;
  }

  /** Adds to `lines` the replayed recordings older than `maxAge` (ms) and those of unknown age; returns the old ones. */
  private ageLines(maxAge: number, rel: (f: string) => string, lines: string[]): string[] {
    const now = Date.now();
    const old = [...this.replayedAt].filter(([, at]) => at !== undefined && ageOf(at, now) > maxAge).sort(([a], [b]) => a.localeCompare(b));
    const unknown = [...this.replayedAt].filter(([, at]) => at === undefined).map(([f]) => f).sort();
    if (old.length) {
      lines.push(
        `  old recordings (${old.length}) replayed in this run, recorded more than ${this.options.maxAge} ago (maxAge):`,
        ...old.map(([f, at]) => `    ${rel(f)}  recorded ${at}, ${formatAge(ageOf(at!, now))} ago`),
        '  record them again: LLM_REPLAY_MODE=record npx playwright test <their tests>',
      );
    } else lines.push(`  no recording replayed in this run is older than ${this.options.maxAge} (maxAge)`);
    if (unknown.length) lines.push(`  recordings of unknown age (${unknown.length}) replayed in this run (no recorded_at: recorded before it was kept, or imported):`, ...unknown.map((f) => `    ${rel(f)}`));
    return old.map(([f]) => f);
  }

  /**
   * The tokens the replayed calls carried, per model, and what they would have cost live: at the
   * reporter's prices over the package's. A model without a price, and a recording without usage,
   * each say so; only priced calls with usage count in the sum.
   */
  private notSpent(): string[] {
    if (!this.replayed.size) return [];
    const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
    let calls = 0;
    let tokens = 0;
    let dollars = 0;
    let yours = false;
    const unpriced: string[] = [];
    const perModel: string[] = [];
    for (const [model, m] of [...this.replayed].sort(([a], [b]) => a.localeCompare(b))) {
      calls += m.calls;
      const name = model || '(no model named)';
      const found = model ? (priceOf(model, this.prices) ?? priceOf(model, PRICES)) : undefined;
      const parts = [plural(m.calls, 'call')];
      if (m.usage) {
        tokens += m.usage.input + m.usage.output;
        parts.push(formatUsage(m.usage));
        if (found) {
          const cost = costOf(m.usage, found.price);
          dollars += cost;
          yours ||= priceOf(model, this.prices) !== undefined;
          parts.push(`≈ ${formatDollars(cost)}`);
        } else {
          unpriced.push(name);
          parts.push("no price for this model: add it with the reporter's prices option");
        }
      }
      if (m.without) parts.push(`${m.without === m.calls ? (m.calls === 1 ? 'its recording holds' : 'their recordings hold') : `${plural(m.without, 'recording')} of them ${m.without === 1 ? 'holds' : 'hold'}`} no usage, so no tokens are counted`);
      perModel.push(`    ${name}: ${parts.join(' · ')}`);
    }
    const priced = tokens && unpriced.length < [...this.replayed.values()].filter((m) => m.usage).length;
    const sum = !tokens
      ? 'no recorded usage, so no tokens or cost'
      : `${formatTokens(tokens)} token${tokens === 1 ? '' : 's'} · ${priced ? `≈ ${formatDollars(dollars)} not spent${unpriced.length ? ' on the models with a price' : ''} (prices of ${PRICES_AS_OF}${yours ? ' and the reporter option' : ''})` : 'no price for their models, so no cost'}`;
    return [`  ${plural(calls, 'call')} replayed · ${sum}:`, ...perModel];
  }

  /** What a written recording's side file is, to print after it. */
  private sideNote(file: string): string {
    const side = this.sideFiles.get(file);
    if (!side) return '';
    const size = fs.statSync(side, { throwIfNoEntry: false })?.size;
    return ` + side file ${path.basename(side)}${size === undefined ? '' : ` (${formatBytes(size)})`}`;
  }

  /** Why a merged run cannot tell which recordings are unused: it does not see the shards' recordings. */
  private unseenRecordings(rel: (f: string) => string): string[] {
    if (!this.merged) return [];
    if (!this.roots.size) return ["no test made an LLM call, so no recordings folder is known (name it with the reporter's llmDir option)"];
    const away = [...this.used].filter((f) => !fs.existsSync(f));
    if (!away.length) return [];
    return [`${away.length} recording${away.length === 1 ? '' : 's'} the shards used ${away.length === 1 ? 'is' : 'are'} not here (${rel(away[0])}${away.length > 1 ? ', …' : ''}): merge in a checkout at the shards' path, holding the recordings they used`];
  }

  /**
   * Every recording under the roots that no test of the run used, and apart (unchecked, paths
   * relative to their root) those of answer variants past the run's repetitions: no test could
   * have used them, so they are neither unused nor pruned.
   */
  private unused(): { unused: string[]; unchecked: string[] } {
    const unused: string[] = [];
    const unchecked: string[] = [];
    for (const root of this.roots) {
      if (!fs.existsSync(root)) continue;
      for (const file of fg.sync('**/*.json', { cwd: root, absolute: true, onlyFiles: true, followSymbolicLinks: false })) {
        if (this.used.has(path.resolve(file))) continue;
        const inRoot = path.relative(root, file);
        if (variantOfPath(inRoot) > this.repeated) unchecked.push(inRoot);
        else unused.push(file);
      }
    }
    return { unused: unused.sort(), unchecked };
  }

  /**
   * In a run with --repeat-each: which tests were served a variant of their own in each repetition,
   * and, by name, those served variants again (fewer recorded than repetitions), with how many they have.
   */
  private variantLines(): string[] {
    if (!this.variants.size) return [];
    const own = [...this.variants.values()].filter((v) => !v.cycled).length;
    const again = [...this.variants].filter(([, v]) => v.cycled).sort(([a], [b]) => a.localeCompare(b));
    const SHOWN = 5;
    const named = again.slice(0, SHOWN).map(([t, v]) => `${t} (${v.of ? `${v.of} variant${v.of === 1 ? '' : 's'}` : 'none recorded'})`);
    if (again.length > SHOWN) named.push(`and ${again.length - SHOWN} more (each test's report says it)`);
    const parts = [own && `${own} test${own === 1 ? '' : 's'}, each repetition its own variant`, again.length && `served again (fewer variants than repetitions): ${named.join(', ')}`].filter(Boolean);
    return [`  answer variants (--repeat-each=${this.repeated + 1}): ${parts.join('; ')}`];
  }

  private writeLastRun(run: LastRun): void {
    const dir = this.config?.projects[0]?.outputDir;
    if (!dir) return;
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, LAST_RUN_FILE), JSON.stringify(run, null, 2) + '\n');
    } catch {
      // Only `prune` needs it; it says so when it is missing.
    }
  }
}
