// The sessions of a process that serves tests from afar (the app server's preload, the proxy):
// one per signed attribution header, in this process's own llmDir, reporting to the test's file
// in the run's private report folder. A header that fails its checks is not used (the call goes
// to the shared session) and is logged once.
import fs from 'node:fs';
import { AttributionError, SECRET_ENV, clockFile, occurrencesDir, decodeAttribution, decodeFaults, ensureReportDir, faultsFile, reportFile } from './attribution.js';
import type { Counts } from './faults.js';
import { SharedClock } from './clock.js';
import { readReport, reportCounts, reportTo } from './report.js';
import { Session } from './session.js';
import type { Resolved } from '../options.js';

/** Marks a server that does its own attribution (the proxy), so the preload leaves its requests alone. */
export const OWN_ATTRIBUTION = Symbol.for('playwright-llm-replay.own-attribution');

export interface AttributedSessions {
  /** The session for a request's header value, or undefined when it has none or a bad one. */
  forHeader(value: string | string[] | undefined): Session | undefined;
  /** Every session made so far (the newest 500). */
  all(): Session[];
}

export function attributedSessions(base: Pick<Resolved, 'root'>, log: (line: string) => void = (l) => console.error(l)): AttributedSessions {
  const sessions = new Map<string, Session>();
  const refused = new Set<string>();
  const refuse = (reason: string) => {
    const why = reason.replace(/\.+$/, '');
    if (refused.has(why)) return undefined;
    refused.add(why);
    log(`playwright-llm-replay: ignored an x-llm-replay-test header: ${why}. Such requests are not attributed to a test (their calls use the shared folder). This is logged once per reason.`);
    return undefined;
  };
  return {
    forHeader(value) {
      if (value === undefined) return undefined;
      if (Array.isArray(value)) return refuse('it was sent more than once');
      const secret = process.env[SECRET_ENV];
      let session: Session | undefined;
      try {
        const a = decodeAttribution(value, secret);
        // One session per test run (its id), so occurrence counters carry across its requests; its
        // faults are the ones its latest request carries.
        session = sessions.get(a.id);
        if (!session) {
          session = new Session({ root: base.root, mode: a.mode, pace: a.pace, urls: a.urls, ignore: a.ignore, redact: a.redact, test: a.test });
          ensureReportDir(secret!);
          session.ledger.on(reportTo(reportFile(secret!, a.id)));
          // Identical requests are counted with the test's other processes: one `.2.json`, not two `.json`.
          session.shelf.occurrences.share(occurrencesDir(reportFile(secret!, a.id)));
          if (a.pace === 'clock') session.clock = new SharedClock(clockFile(reportFile(secret!, a.id)));
          followFaults(session, reportFile(secret!, a.id), log);
          sessions.set(a.id, session);
          if (sessions.size > 500) sessions.delete(sessions.keys().next().value!);
        }

      } catch (err) {
        return refuse(err instanceof AttributionError ? err.message : (err as Error).message.replace(/^playwright-llm-replay: /, ''));
      }
      return session;
    },
    all: () => [...sessions.values()],
  };
}

/**
 * The test's faults in this process: read from the file the test keeps beside its report, again
 * whenever it changed (before each call that may get one); what this process counts goes to the
 * report, so the test and the other processes count every call.
 */
function followFaults(session: Session, report: string, log: (line: string) => void): void {
  const file = faultsFile(report);
  const me = `${process.pid}-${++followers}`;
  let seen: string | undefined = '';
  let theirs: ReadonlyMap<string, Counts> = new Map();
  let warned = false;
  session.faults.sync = () => {
    // Read whole each time (it is small): a count that changed within one timestamp tick is seen too.
    let text: string | undefined;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      text = undefined; // none yet, or the test has ended: no faults
    }
    if (text === seen) return;
    seen = text;
    if (text === undefined) return session.faults.replace([]);
    try {
      const { rules, counts } = decodeFaults(text);
      session.faults.replace(rules);
      theirs = counts;
    } catch (err) {
      if (!warned) log(`playwright-llm-replay: ignored the faults of the test "${session.options.test?.title}": ${(err as Error).message}.`);
      warned = true;
    }
  };
  // The test's counts, and those of every other process that reported (another server, the proxy).
  session.faults.others = () => {
    const reported = readReport(report).counts(me);
    if (!reported.size) return theirs;
    const all = new Map(theirs);
    for (const [id, c] of reported) {
      const t = all.get(id);
      all.set(id, t ? { matched: t.matched + c.matched, applied: t.applied + c.applied } : c);
    }
    return all;
  };
  session.faults.onCount = () => reportCounts(report, me, session.faults.counts());
}

let followers = 0;
