// A user project whose tests get a different answer from the model on every call, recorded as
// answer variants with --repeat-each. Run as a child process by tests/fixture/variants.spec.ts.
import { defineConfig } from '@playwright/test';
import type { LlmOptions } from 'playwright-llm-replay';
import { chatAppServer, chatAppUse } from '../chat-app.js';

export default defineConfig<Partial<LlmOptions>>({
  testDir: '.',
  workers: 2,
  fullyParallel: true,
  outputDir: process.env.OUT_DIR,
  use: { ...chatAppUse, ...(process.env.LLM_VARIANTS ? { llmVariants: process.env.LLM_VARIANTS as LlmOptions['llmVariants'] } : {}) },
  // NO_APP: runs of the worker's tests only need no app server.
  webServer: process.env.NO_APP ? undefined : chatAppServer,
});
