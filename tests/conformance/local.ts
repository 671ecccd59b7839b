// A test's session in this process, set up as the fixture sets one up (src/fixture.ts): options,
// faults, and at pace 'clock' the test's clock. The memory, worker and page adapters share it; it is
// the one file of the suite that knows how a session is wired.
import { createSession, resolveOptions } from '../../src/options.js';
import { checkFault } from '../../src/core/faults.js';
import { TestClock } from '../../src/core/clock.js';
import type { Session } from '../../src/core/session.js';
import type { Running, StartOptions } from './adapter.js';

export interface Local extends Omit<Running, 'call' | 'stop' | 'clock'> {
  session: Session;
  clock: TestClock;
  stop(): Promise<void>;
}

export function localSession(o: StartOptions): Local {
  const resolved = resolveOptions({ llmDir: o.llmDir, llmMode: o.mode, llmPace: o.pace ?? 0, llmUrls: [`${o.upstream.url}/v1/**`, `${o.upstream.url.replace(/^http/, 'ws')}/v1/**`] }, { baseDir: process.cwd() });
  const clock = new TestClock();
  const session = createSession(resolved, { folder: 'conformance/case', title: 'conformance > case', location: 'tests/conformance' }, clock);
  return {
    session,
    clock,
    calls: () => [...session.ledger.calls],
    errors: () => session.ledger.errors.map((e) => e.message),
    fault: async (url, fault, options) => session.faults.add(checkFault(url, fault, options)),
    settled: async () => void (await session.ledger.idle(30_000)),
    stop: async () => {
      clock.release();
      await session.ledger.idle(30_000);
    },
  };
}
