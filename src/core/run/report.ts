// How a session in another process (the app's server, the proxy) tells the test about its calls:
// each event, one JSON line, appended to the test's report file in the run's private folder. The
// test's fixture reads it: calls appear in `llm.calls` as soon as they start (pending), errors fail
// the test, and the test waits for pending ones before it ends.
import fs from 'node:fs';
import { type ErrorLine, errorFromLine, errorToLine } from '../errors.js';
import type { LlmCall } from '../call.js';
import type { LedgerEvent } from '../ledger.js';
import type { Counts } from '../faults.js';

type Line =
  | { type: 'call' | 'settled' | 'answered'; call: LlmCall }
  /** `call`: the id of the call the error is about. */
  | ({ type: 'error'; call?: string } & ErrorLine)
  /** What a process counted for the test's faults so far (the latest line of each process counts). */
  | { type: 'faults'; by: string; counts: Record<string, Counts> };

/** A ledger listener that appends its events to `file`. */
export function reportTo(file: string): (e: LedgerEvent) => void {
  return (e) => {
    const line: Line = e.type === 'error' ? { type: 'error', ...errorToLine(e.error), ...(e.call && { call: e.call.id }) } : { type: e.type, call: e.call };
    append(file, line);
  };
}

/**
 * Appends a line to a test's report, which the test made when it began. Once the test has ended its
 * report is gone, and what comes after (an answer still streaming) is not heard: the file is not
 * made again, so nothing is left behind in the run's folder.
 */
function append(file: string, line: Line): void {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    fs.writeSync(fd, JSON.stringify(line) + '\n');
  } finally {
    fs.closeSync(fd);
  }
}

/** Appends what one session of this process (`by`) counted for the test's faults. */
export function reportCounts(file: string, by: string, counts: Record<string, Counts>): void {
  append(file, { type: 'faults', by, counts });
}

export interface Reported {
  /** Every call reported, in the order they started, in their latest state. */
  calls: LlmCall[];
  errors: Error[];
  /** The ids of the calls whose answer has been given (or failed). */
  answered: Set<string>;
  /** The first error about each call, by the call's id. */
  callErrors: Map<string, Error>;
  /** What the reporting sessions counted for each fault, added up (leaving out the session `except`). */
  counts(except?: string): Map<string, Counts>;
}

/** What the other processes reported for one test so far. */
export function readReport(file: string): Reported {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { calls: [], errors: [], answered: new Set(), callErrors: new Map(), counts: () => new Map() };
  }
  const bySession = new Map<string, Record<string, Counts>>();
  const calls = new Map<string, LlmCall>();
  const errors: Error[] = [];
  const answered = new Set<string>();
  const callErrors = new Map<string, Error>();
  for (const raw of text.split('\n')) {
    if (!raw) continue;
    let line: Line;
    try {
      line = JSON.parse(raw) as Line;
    } catch {
      continue; // a line still being written
    }
    if (line.type === 'faults') bySession.set(line.by, line.counts);
    else if (line.type === 'error') {
      const error = errorFromLine(line);
      error.stack = line.message;
      errors.push(error);
      if (typeof line.call === 'string' && !callErrors.has(line.call)) callErrors.set(line.call, error);
    } else {
      calls.set(line.call.id, line.call);
      if (line.type === 'answered') answered.add(line.call.id);
    }
  }
  const counts = (except?: string) => {
    const sums = new Map<string, Counts>();
    for (const [by, byId] of bySession) {
      if (by === except) continue;
      for (const [id, c] of Object.entries(byId)) {
        const sum = sums.get(id) ?? { matched: 0, applied: 0 };
        sums.set(id, { matched: sum.matched + c.matched, applied: sum.applied + c.applied });
      }
    }
    return sums;
  };
  return { calls: [...calls.values()], errors, answered, callErrors, counts };
}
