// Fidelity in Node: for every official SDK, call and wire case of the table (clients.ts), what the
// SDK parses from a recording's replay equals what it parsed from the live answer, which equals
// what it parses without the plugin at all. A stream that breaks mid-answer is not stored, and
// reaches the SDK through the plugin exactly as it would without it.
import { test as base, expect } from '@playwright/test';
import { install } from '../../src/node/index.js';
import { upstreamFixture, type Upstream } from '../support/upstream.js';
import { cells, run } from './clients.js';

const test = base.extend<object, { upstream: Upstream }>({
  upstream: [upstreamFixture({ tokenDelay: 1, deterministic: true }), { scope: 'worker' }],
});

for (const { client, scenario, kase } of cells()) {
  test(`${client} · ${scenario} · ${kase}`, async ({ upstream }, testInfo) => {
    // The plugin catches 127.0.0.1 only: through localhost the same upstream is reached without it.
    const direct = await run(client, scenario, { origin: upstream.url.replace('127.0.0.1', 'localhost'), kase });
    const installed = install({ llmDir: testInfo.outputPath('llm'), llmMode: 'record-missing', llmUrls: [`${upstream.url}/**`], folder: 'cell' });
    try {
      const live = await run(client, scenario, { origin: upstream.url, kase });
      await installed.settled();
      expect(live, 'live through the plugin = without it').toEqual(direct);
      if (kase === 'reset') {
        expect(installed.calls.map((c) => c.outcome)).toEqual(['not-recorded']);
        return;
      }
      const replayed = await run(client, scenario, { origin: upstream.url, kase });
      expect(installed.calls.map((c) => c.outcome)).toEqual(['recorded', 'replayed']);
      expect(replayed, 'replayed = live').toEqual(live);
    } finally {
      installed.uninstall();
    }
  });
}
