// A user project whose tests give up on calls while they are being recorded — from the worker, the
// page and the app's server — and end at once. Run by tests/safety/aborts.spec.ts.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';
import { QUIET_CHROMIUM_ARGS, chromiumPath } from 'playwright-llm-replay/chromium';
import { llmServerEnv, type LlmOptions } from 'playwright-llm-replay';

const here = path.dirname(fileURLToPath(import.meta.url));
const app = `http://127.0.0.1:${process.env.APP_PORT}`;
const llm = { llmDir: process.env.LLM_DIR, llmUrls: [`${process.env.UPSTREAM}/v1/**`] };

export default defineConfig<Partial<LlmOptions>>({
  testDir: '.',
  workers: 1,
  timeout: 120_000,
  outputDir: process.env.OUT_DIR,
  use: { baseURL: app, ...llm, launchOptions: { executablePath: chromiumPath(), args: [...QUIET_CHROMIUM_ARGS] } },
  webServer: {
    command: 'node ../../../examples/chat-app/server.mjs',
    cwd: here,
    url: app,
    reuseExistingServer: false,
    env: { PORT: process.env.APP_PORT!, OPENAI_BASE_URL: `${process.env.UPSTREAM}/v1`, ...llmServerEnv(llm) },
  },
});
