// A user project whose LLM calls come from the page, the test worker and the app's server, to see
// each call's step in the JSON report. Run as a child process by tests/fixture/steps.spec.ts.
import { defineConfig } from '@playwright/test';
import type { LlmOptions } from 'playwright-llm-replay';
import { chatAppServer, chatAppUse } from '../chat-app.js';

export default defineConfig<Partial<LlmOptions>>({
  testDir: '.',
  workers: 1,
  outputDir: process.env.OUT_DIR,
  use: chatAppUse,
  webServer: chatAppServer,
});
