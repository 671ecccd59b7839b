// A user project whose app server calls the LLM: the demo chat app in server-side mode, with the
// plugin preloaded through llmServerEnv(). Run as a child process by tests/fixture/app-server.spec.ts.
import { defineConfig } from '@playwright/test';
import type { LlmOptions } from 'playwright-llm-replay';
import { chatAppServer, chatAppUse } from '../chat-app.js';

export default defineConfig<Partial<LlmOptions>>({
  testDir: '.',
  workers: 2,
  fullyParallel: true,
  outputDir: process.env.OUT_DIR,
  // A long wait for the page's symptom: a miss in the server must fail the test before it is over.
  expect: { timeout: 60_000 },
  use: chatAppUse,
  webServer: chatAppServer,
});
