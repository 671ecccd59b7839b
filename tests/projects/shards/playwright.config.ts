// A user project run in two shards, then merged, by tests/fixture/shards.spec.ts. The shards write
// blob reports (`--reporter=blob` replaces the reporters below); merge.config.ts beside it gates the
// merged run on unused recordings, as these reporters gate a run of all the tests at once.
// LLM_REPORT_OFF turns the tests' `llm-calls.json` attachments off; MAX_AGE gates the run on old recordings too.
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
  reporter: [['line'], ['json', { outputFile: process.env.JSON_OUT }], [summary, { failOnUnused: true, ...(process.env.MAX_AGE && { maxAge: process.env.MAX_AGE, failOnOld: true }) }]],
  use: { llmDir: process.env.LLM_DIR, llmUrls: [`${process.env.UPSTREAM}/v1/**`], llmReport: !process.env.LLM_REPORT_OFF },
});
