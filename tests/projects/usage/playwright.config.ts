// A user project with the run summary reporter and its prices option (PRICES, JSON), run by
// tests/fixture/usage.spec.ts. Its results come back as JSON in a file; the summary prints to stdout.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';
import type { LlmOptions } from 'playwright-llm-replay';

const here = path.dirname(fileURLToPath(import.meta.url));
const summary = path.resolve(here, '../../../dist/reporter.js');

export default defineConfig<Partial<LlmOptions>>({
  testDir: '.',
  workers: 1,
  outputDir: process.env.OUT_DIR,
  reporter: [['json', { outputFile: process.env.JSON_OUT }], [summary, process.env.PRICES ? { prices: JSON.parse(process.env.PRICES) } : {}]],
  use: { llmDir: process.env.LLM_DIR, llmUrls: [`${process.env.UPSTREAM}/v1/**`] },
});
