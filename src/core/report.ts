// How a session in another process (the app's server, the proxy) tells the test about its calls:
// each event, one JSON line, appended to the test's report file in the run's private folder. The
// test's fixture reads it: calls appear in `llm.calls` as soon as they start (pending), errors fail
// the test, and the test waits for pending ones before it ends.
import fs from 'node:fs';
import { ReplayMissError, LlmReplayError } from './errors.js';
import type { LlmCall, SessionEvent } from './session.js';

type Line = { type: 'call' | 'settled'; call: LlmCall } | { type: 'error'; name: string; message: string };

/** A session listener that appends its events to `file`. */
export function reportTo(file: string): (e: SessionEvent) => void {
  return (e) => {
    const line: Line = e.type === 'error' ? { type: 'error', name: e.error.name, message: e.error.message } : { type: e.type, call: e.call };
    fs.appendFileSync(file, JSON.stringify(line) + '\n', { mode: 0o600 });
  };
}

export interface Reported {
  /** Every call reported, in the order they started, in their latest state. */
  calls: LlmCall[];
  errors: Error[];
}

/** What the other processes reported for one test so far. */
export function readReport(file: string): Reported {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { calls: [], errors: [] };
  }
  const calls = new Map<string, LlmCall>();
  const errors: Error[] = [];
  for (const raw of text.split('\n')) {
    if (!raw) continue;
    let line: Line;
    try {
      line = JSON.parse(raw) as Line;
    } catch {
      continue; // a line still being written
    }
    if (line.type === 'error') {
      const error = line.name === 'ReplayMissError' ? new ReplayMissError(line.message) : new LlmReplayError(line.message);
      error.stack = line.message;
      errors.push(error);
    } else calls.set(line.call.id, line.call);
  }
  return { calls: [...calls.values()], errors };
}
