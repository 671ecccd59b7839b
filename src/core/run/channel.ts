// The run's cross-process state, owned in one place. A test's calls can be made by several
// processes — its worker, the app's server (through the preload), the proxy — and they talk through
// files in the run's private folder: owner-only, derived from the run's secret, never named by a
// request. Each test has one set, named by its hex id (which the signed header carries; see
// attribution.ts): the report the other processes append their calls, errors and fault counts to;
// the test's faults; the test's clock; the folder where identical requests are counted together.
// This module names those files, and is the only one that reads or writes them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AttributionError, PREFIX, StoreError, detailOf } from '../errors.js';
import { type Counts, type FaultRule, type Faults, type FaultsLink, checkFault } from '../faults.js';
import type { ClockState } from '../clock.js';
import type { LedgerEvent } from '../ledger.js';
import { fromPattern, toPattern, Pattern } from '../attribution.js';
import { type Reported, readReport, reportCounts, reportTo } from './report.js';

/**
 * The private folder of a run's cross-process state. It is derived from the secret, created
 * owner-only, and never taken from a request.
 */
export function runDir(secret: string): string {
  return path.join(os.tmpdir(), `playwright-llm-replay-${createHash('sha256').update(secret).digest('hex').slice(0, 16)}`);
}

/** Creates the run's folder (owner-only), or checks that the one there is a real folder of ours. */
export function ensureRunDir(secret: string): string {
  const dir = runDir(secret);
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const stat = fs.lstatSync(dir);
  const mine = typeof process.getuid !== 'function' || stat.uid === process.getuid();
  if (!stat.isDirectory() || stat.isSymbolicLink() || !mine) throw new StoreError(`${dir} is not a folder this user owns; refusing to write reports there.`);
  return dir;
}

/** True the first time it is asked for `name` in this run, in any process (a warning said once per run). */
export function firstInRun(secret: string, name: string): boolean {
  try {
    fs.closeSync(fs.openSync(path.join(ensureRunDir(secret), `${name}.once`), 'wx'));
    return true;
  } catch {
    return false;
  }
}

const ID = /^[0-9a-f]{16,64}$/;

/** One test's files in the run's folder, as the test and the processes that serve it see them. */
export class TestChannel {
  /** What the other processes reported (calls, errors, fault counts). */
  readonly reportFile: string;
  readonly faultsFile: string;
  readonly clockFile: string;
  /** Where the test's processes count identical requests together (see Occurrences). */
  readonly occurrencesDir: string;

  /** The test's own channel, under a fresh id. */
  static create(secret: string): TestChannel {
    const channel = new TestChannel(secret, randomBytes(16).toString('hex'));
    // The report exists while the test runs: the others append to it, and never make it again once it is gone.
    ensureRunDir(secret);
    fs.writeFileSync(channel.reportFile, '', { mode: 0o600, flag: 'wx' });
    return channel;
  }

  /** The channel of the test a checked header names: the id must be hex, so it names no path. */
  static open(secret: string, id: string): TestChannel {
    return new TestChannel(secret, id);
  }

  private constructor(
    private readonly secret: string,
    readonly id: string,
  ) {
    if (!ID.test(id)) throw new AttributionError('its id is not hex');
    const base = path.join(runDir(secret), id);
    this.reportFile = `${base}.jsonl`;
    this.faultsFile = `${base}.faults.json`;
    this.clockFile = `${base}.clock.json`;
    this.occurrencesDir = `${base}.seen`;
  }

  // The report.

  /** A session listener (in the app's server, the proxy) that appends its events to the test's report. */
  reporter(): (e: LedgerEvent) => void {
    ensureRunDir(this.secret);
    return reportTo(this.reportFile);
  }

  /** What the other processes reported so far. */
  report(): Reported {
    return readReport(this.reportFile);
  }

  /** The report's size: it grew when another process reported something. */
  reportSize(): number {
    return fs.statSync(this.reportFile, { throwIfNoEntry: false })?.size ?? 0;
  }

  // The clock (llmPace 'clock'): the test writes it, the app's server follows it.

  shareClock(state: ClockState): void {
    this.write(this.clockFile, JSON.stringify(state));
  }

  /** The state the test wrote; anything else (no file, half a file, another shape) is no clock. */
  clock(): ClockState | undefined {
    let s: Partial<ClockState>;
    try {
      s = JSON.parse(fs.readFileSync(this.clockFile, 'utf8')) as Partial<ClockState>;
    } catch {
      return undefined;
    }
    return s && Number.isFinite(s.t) && Number.isFinite(s.since) && typeof s.running === 'boolean' ? (s as ClockState) : undefined;
  }

  // The faults: the test writes its rules with its counts; the others report theirs.

  /** How the test's own Faults share: its rules go to the file, the others' counts come from the report. */
  testFaults(): FaultsLink {
    return { others: () => this.report().counts(), pushed: (faults) => this.write(this.faultsFile, encodeFaults(faults.rules)) };
  }

  /**
   * How a serving process's Faults follow the test: the rules read again from the file whenever it
   * changed (before each call that may get one), what this process counts appended to the report.
   */
  followFaults(faults: Faults, log: (line: string) => void, title?: string): FaultsLink {
    const me = `${process.pid}-${++followers}`;
    let seen: string | undefined = '';
    let theirs: ReadonlyMap<string, Counts> = new Map();
    let warned = false;
    return {
      pull: () => {
        // Read whole each time (it is small): a count that changed within one timestamp tick is seen too.
        let text: string | undefined;
        try {
          text = fs.readFileSync(this.faultsFile, 'utf8');
        } catch {
          text = undefined; // none yet, or the test has ended: no faults
        }
        if (text === seen) return undefined;
        seen = text;
        if (text === undefined) return [];
        try {
          const { rules, counts } = decodeFaults(text);
          theirs = counts;
          return rules;
        } catch (err) {
          if (!warned) log(`${PREFIX}ignored the faults of the test "${title}": ${detailOf(err)}.`);
          warned = true;
          return undefined;
        }
      },
      // The test's counts, and those of every other process that reported (another server, the proxy).
      others: () => {
        const reported = this.report().counts(me);
        if (!reported.size) return theirs;
        const all = new Map(theirs);
        for (const [id, c] of reported) {
          const t = all.get(id);
          all.set(id, t ? { matched: t.matched + c.matched, applied: t.applied + c.applied } : c);
        }
        return all;
      },
      pushed: () => {
        ensureRunDir(this.secret);
        reportCounts(this.reportFile, me, faults.counts());
      },
    };
  }

  /** At the test's end: what the others reported, and every file of the test gone. */
  close(): Reported {
    const reported = this.report();
    for (const file of [this.reportFile, this.faultsFile, this.clockFile]) fs.rmSync(file, { force: true });
    fs.rmSync(this.occurrencesDir, { recursive: true, force: true });
    return reported;
  }

  /** Writes a file another process reads whole: written aside, then renamed. */
  private write(file: string, text: string): void {
    ensureRunDir(this.secret);
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text, { mode: 0o600 });
    fs.renameSync(tmp, file);
  }
}

let followers = 0;

/**
 * The test's faults, as the test writes them for the app's server and the proxy, with what the
 * test's own process counted for each. Not in the header: every request to the app carries that.
 */
const FaultsWire = z.object({
  v: z.literal(1),
  rules: z
    .array(z.object({ id: z.string().max(100), url: Pattern, fault: z.record(z.string(), z.unknown()), times: z.number().int().positive().optional(), model: Pattern.optional(), nth: z.number().int().positive().optional(), matched: z.number().int().nonnegative(), applied: z.number().int().nonnegative() }))
    .max(10_000),
});

/** The test's faults file: what `decodeFaults` reads. */
export function encodeFaults(rules: readonly FaultRule[]): string {
  const wire: z.infer<typeof FaultsWire> = {
    v: 1,
    rules: rules.map((f) => ({ id: f.id, url: toPattern(f.url), fault: f.fault as Record<string, unknown>, times: f.times, model: f.model === undefined ? undefined : toPattern(f.model), nth: f.nth, matched: f.matched, applied: f.applied })),
  };
  return JSON.stringify(wire);
}

/**
 * The test's faults, and what the test's process counted for each. Each is checked as `llm.fault`
 * checks it; a file that is not one the test wrote gives no faults (and says why).
 */
export function decodeFaults(text: string): { rules: FaultRule[]; counts: Map<string, Counts> } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AttributionError('the faults file is not JSON');
  }
  const parsed = FaultsWire.safeParse(json);
  if (!parsed.success) throw new AttributionError('the faults file has the wrong shape: are the test runner and this server on the same version of playwright-llm-replay?');
  const rules = parsed.data.rules.map((f) => ({ ...checkFault(fromPattern(f.url), f.fault, { times: f.times, model: f.model === undefined ? undefined : fromPattern(f.model), nth: f.nth }), id: f.id }));
  return { rules, counts: new Map(parsed.data.rules.map((f) => [f.id, { matched: f.matched, applied: f.applied }])) };
}
