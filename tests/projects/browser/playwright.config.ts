// A small user project with a page, run as a child process by tests/fixture/browser-miss.spec.ts.
import { defineConfig } from '@playwright/test';
import { QUIET_CHROMIUM_ARGS, chromiumPath } from 'playwright-llm-replay/chromium';

export default defineConfig({
  testDir: '.',
  workers: 1,
  outputDir: process.env.OUT_DIR,
  use: {
    llmDir: process.env.LLM_DIR,
    launchOptions: { executablePath: chromiumPath(), args: [...QUIET_CHROMIUM_ARGS] },
  } as object,
});
