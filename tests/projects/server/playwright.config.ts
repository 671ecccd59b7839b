// A user project whose app server calls the LLM: the demo chat app in server-side mode, with the
// plugin preloaded through llmServerEnv(). Run as a child process by tests/fixture/app-server.spec.ts.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';
import { QUIET_CHROMIUM_ARGS, chromiumPath } from 'playwright-llm-replay/chromium';
import { llmServerEnv, type LlmOptions } from 'playwright-llm-replay';

const here = path.dirname(fileURLToPath(import.meta.url));
const app = `http://127.0.0.1:${process.env.APP_PORT}`;

export default defineConfig<Partial<LlmOptions>>({
  testDir: '.',
  workers: 2,
  fullyParallel: true,
  outputDir: process.env.OUT_DIR,
  // A long wait for the page's symptom: a miss in the server must fail the test before it is over.
  expect: { timeout: 60_000 },
  use: {
    baseURL: app,
    llmDir: process.env.LLM_DIR,
    llmUrls: [`${process.env.UPSTREAM}/v1/**`],
    launchOptions: { executablePath: chromiumPath(), args: [...QUIET_CHROMIUM_ARGS] },
  },
  webServer: {
    command: 'node ../../../examples/chat-app/server.mjs',
    cwd: here,
    url: app,
    reuseExistingServer: false,
    env: { PORT: process.env.APP_PORT!, OPENAI_BASE_URL: `${process.env.UPSTREAM}/v1`, ...llmServerEnv({ llmDir: process.env.LLM_DIR }) },
  },
});
