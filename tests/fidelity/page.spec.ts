// Fidelity in the page: the same table as in Node (clients.ts), bundled into the page, where each
// official SDK calls the stand-in upstream directly (through localhost, which the plugin does not
// catch), then through the plugin (127.0.0.1: recorded), then again (replayed). The three must parse
// the same; a stream that breaks mid-answer reaches the page's SDK as it would without the plugin.
import { build } from 'esbuild';
import { test as base, expect } from 'playwright-llm-replay';
import { upstreamFixture, type Upstream } from '../support/upstream.js';
import { fromRoot } from '../support/paths.js';
import { freshLlmDir, workerLlmDir } from '../support/llm-dir.js';
import { CLIENTS, cells } from './clients.js';

const test = base.extend<{ fresh: void }, { upstream: Upstream; bundle: string }>({
  upstream: [upstreamFixture({ tokenDelay: 1, deterministic: true }), { scope: 'worker' }],
  // Recordings go to a folder of the worker's own, removed afterwards; each test starts without any.
  llmDir: workerLlmDir('llm-fidelity'),
  fresh: freshLlmDir,
  // Only the stand-in's own address is an LLM URL here (the demo page is on 127.0.0.1 too).
  llmUrls: [async ({ upstream }, use) => use([`${upstream.url}/**`]), { scope: 'worker' }],
  bundle: [
    async ({}, use) => {
      const out = await build({ entryPoints: [fromRoot('tests/fidelity/clients.ts')], bundle: true, format: 'iife', globalName: 'fidelity', platform: 'browser', target: 'chrome110', write: false, logLevel: 'error', footer: { js: 'window.fidelity = fidelity;' } });
      await use(out.outputFiles[0].text);
    },
    { scope: 'worker' },
  ],
});
test.use({ llmMode: 'record-missing' });

for (const client of Object.keys(CLIENTS)) {
  test(client, async ({ page, llm, upstream, bundle }) => {
    await page.addInitScript({ content: bundle });
    await page.goto('/');
    const inPage = (scenario: string, kase: string, origin: string) =>
      page.evaluate(({ client, scenario, kase, origin }) => (window as any).fidelity.run(client, scenario, { origin, kase }), { client, scenario, kase, origin });
    const differences: string[] = [];
    const outcomes: string[] = [];
    for (const { scenario, kase } of cells().filter((c) => c.client === client)) {
      const cell = `${scenario} · ${kase}`;
      outcomes.push(`${cell}: ${kase === 'reset' ? 'not-recorded' : 'recorded, replayed'}`);
      const direct = await inPage(scenario, kase, upstream.url.replace('127.0.0.1', 'localhost'));
      const live = await inPage(scenario, kase, upstream.url);
      // A broken stream: Chromium errors a body at once, dropping what its reader had not read yet, so how
      // much of the answer came before the error depends on timing, with the plugin or without. The error
      // must be the same, and what one saw must be where the other's answer starts.
      if (kase === 'reset' && sameBreak(live, direct)) continue;
      if (JSON.stringify(live) !== JSON.stringify(direct)) differences.push(`${cell}: live through the plugin ≠ without it\n  without: ${JSON.stringify(direct).slice(0, 600)}\n  through: ${JSON.stringify(live).slice(0, 600)}`);
      if (kase === 'reset') continue;
      const replayed = await inPage(scenario, kase, upstream.url);
      if (JSON.stringify(replayed) !== JSON.stringify(live)) differences.push(`${cell}: replayed ≠ live\n  live:     ${JSON.stringify(live).slice(0, 600)}\n  replayed: ${JSON.stringify(replayed).slice(0, 600)}`);
    }
    expect(differences).toEqual([]);
    await expect.poll(() => llm.calls.every((c) => c.outcome !== 'pending')).toBe(true);
    expect(llm.calls.map((c) => c.outcome).join(',')).toBe(outcomes.map((o) => (o.endsWith('not-recorded') ? 'not-recorded' : 'recorded,replayed')).join(','));
  });
}

/** Two results of a broken stream agree: the same error, and the items of one are the start of the other's. */
function sameBreak(a: unknown, b: unknown): boolean {
  const x = a as { items?: unknown[]; error?: unknown };
  const y = b as { items?: unknown[]; error?: unknown };
  if (!x.error || JSON.stringify(x.error) !== JSON.stringify(y.error) || !Array.isArray(x.items) || !Array.isArray(y.items)) return false;
  const [short, long] = x.items.length <= y.items.length ? [x.items, y.items] : [y.items, x.items];
  return short.every((item, i) => JSON.stringify(item) === JSON.stringify(long[i]));
}
