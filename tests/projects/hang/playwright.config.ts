// A user project whose test leaves a call recording against an upstream that never answers, with
// a short test timeout. Run as a child process by tests/fixture/steps.spec.ts.
import { defineConfig } from '@playwright/test';
import type { LlmOptions } from 'playwright-llm-replay';

export default defineConfig<Partial<LlmOptions>>({
  testDir: '.',
  workers: 1,
  timeout: 4000,
  outputDir: process.env.OUT_DIR,
  use: { llmDir: process.env.LLM_DIR, llmMode: 'record', llmUrls: [`${process.env.UPSTREAM}/v1/**`] },
});
