// A user project whose tests get faults and virtual time wrong, run as a child process by
// tests/faults/bad-input.spec.ts: each must fail with a message that names what was wrong.
import { defineConfig } from '@playwright/test';
import type { LlmOptions } from 'playwright-llm-replay';
import { QUIET_CHROMIUM_ARGS, chromiumPath } from 'playwright-llm-replay/chromium';

export default defineConfig<Partial<LlmOptions>>({
  testDir: '.',
  workers: 1,
  outputDir: process.env.OUT_DIR,
  use: {
    llmDir: process.env.LLM_DIR,
    llmUrls: [`${process.env.UPSTREAM}/v1/**`],
    llmMode: 'record-missing',
    launchOptions: { executablePath: chromiumPath(), args: [...QUIET_CHROMIUM_ARGS] },
  },
});
