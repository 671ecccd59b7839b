// A user project for what real use must be able to trust (tests/fixture/trust.spec.ts): a
// re-record against a failing upstream, two tests that make the same request. Two upstreams, so
// one can fail while the other answers; the run summary reporter prints to stdout, the results go
// to a JSON file.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';
import { QUIET_CHROMIUM_ARGS, chromiumPath } from 'playwright-llm-replay/chromium';
import type { LlmOptions } from 'playwright-llm-replay';

const here = path.dirname(fileURLToPath(import.meta.url));
const summary = path.resolve(here, '../../../dist/reporter.js');

export default defineConfig<Partial<LlmOptions>>({
  testDir: '.',
  workers: 1,
  outputDir: process.env.OUT_DIR,
  reporter: [['json', { outputFile: process.env.JSON_OUT }], [summary]],
  use: {
    llmDir: process.env.LLM_DIR,
    llmUrls: [`${process.env.UPSTREAM}/v1/**`, `${process.env.UPSTREAM2}/v1/**`],
    launchOptions: { executablePath: chromiumPath(), args: [...QUIET_CHROMIUM_ARGS] },
  },
});
