// A test's side of a transport in another process or server (the proxy, the app server): what the
// fixture does for them (src/fixture.ts): a signed attribution header naming the test, and the
// test's channel (src/core/run/channel.ts) for its faults and clock, and its calls and errors read
// back from the report. The one file of the suite that knows that channel.
import { TEST_HEADER, encodeAttribution, runSecret } from '../../src/core/attribution.js';
import { TestChannel } from '../../src/core/run/channel.js';
import { Faults, checkFault } from '../../src/core/faults.js';
import { TestClock } from '../../src/core/clock.js';
import type { Running, StartOptions } from './adapter.js';

export interface Remote extends Omit<Running, 'call'> {
  /** The headers a request for this test carries. */
  headers(): Record<string, string>;
}

export function remoteSession(o: StartOptions): Remote {
  const secret = runSecret();
  const channel = TestChannel.create(secret);
  const pace = o.pace ?? 0;
  const faults = new Faults();
  faults.link(channel.testFaults());
  const clock = new TestClock();
  if (pace === 'clock') clock.onChange((state) => channel.shareClock(state));
  const header = encodeAttribution(
    { id: channel.id, test: { folder: 'conformance/case', title: 'conformance > case', location: 'tests/conformance' }, mode: o.mode, pace, urls: [`${o.upstream.url}/v1/**`, `${o.upstream.url.replace(/^http/, 'ws')}/v1/**`], ignore: [], redact: {} },
    secret,
  );
  const settled = async () => {
    while (channel.report().calls.some((c) => c.outcome === 'pending')) await new Promise((r) => setTimeout(r, 20));
  };
  return {
    headers: () => ({ [TEST_HEADER]: header }),
    calls: () => channel.report().calls,
    errors: () => channel.report().errors.map((e) => e.message),
    fault: async (url, fault, options) => faults.add(checkFault(url, fault, options)),
    clock: { install: () => clock.install(), runFor: (ms) => clock.runFor(ms) },
    settled,
    stop: async () => {
      clock.release();
      await settled();
      channel.close();
    },
  };
}
