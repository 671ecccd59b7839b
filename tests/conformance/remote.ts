// A test's side of a transport in another process or server (the proxy, the app server): what the
// fixture does for them (src/fixture.ts): a signed attribution header naming the test, its faults
// and clock shared in files beside its report, and its calls and errors read back from the report.
// The one file of the suite that knows that channel.
import fs from 'node:fs';
import { TEST_HEADER, clockFile, encodeAttribution, encodeFaults, ensureReportDir, faultsFile, newAttributionId, occurrencesDir, reportFile, runSecret } from '../../src/core/attribution.js';
import { readReport } from '../../src/core/report.js';
import { Faults, checkFault } from '../../src/core/faults.js';
import { TestClock } from '../../src/core/clock.js';
import type { Running, StartOptions } from './adapter.js';

export interface Remote extends Omit<Running, 'call'> {
  /** The headers a request for this test carries. */
  headers(): Record<string, string>;
}

export function remoteSession(o: StartOptions): Remote {
  const secret = runSecret();
  const id = newAttributionId();
  const report = reportFile(secret, id);
  const share = (file: string, text: string) => {
    ensureReportDir(secret);
    fs.writeFileSync(`${file}.tmp`, text, { mode: 0o600 });
    fs.renameSync(`${file}.tmp`, file);
  };
  const pace = o.pace ?? 0;
  const faults = new Faults();
  faults.onCount = () => share(faultsFile(report), encodeFaults(faults.rules));
  faults.others = () => readReport(report).counts();
  const clock = new TestClock();
  if (pace === 'clock') clock.onChange((state) => share(clockFile(report), JSON.stringify(state)));
  const header = encodeAttribution(
    { id, test: { folder: 'conformance/case', title: 'conformance > case', location: 'tests/conformance' }, mode: o.mode, pace, urls: [`${o.upstream.url}/v1/**`], ignore: [], redact: {} },
    secret,
  );
  const settled = async () => {
    while (readReport(report).calls.some((c) => c.outcome === 'pending')) await new Promise((r) => setTimeout(r, 20));
  };
  return {
    headers: () => ({ [TEST_HEADER]: header }),
    calls: () => readReport(report).calls,
    errors: () => readReport(report).errors.map((e) => e.message),
    fault: async (url, fault, options) => faults.add(checkFault(url, fault, options)),
    clock: { install: () => clock.install(), runFor: (ms) => clock.runFor(ms) },
    settled,
    stop: async () => {
      clock.release();
      fs.rmSync(clockFile(report), { force: true });
      await settled();
      for (const f of [report, faultsFile(report)]) fs.rmSync(f, { force: true });
      fs.rmSync(occurrencesDir(report), { recursive: true, force: true });
    },
  };
}
