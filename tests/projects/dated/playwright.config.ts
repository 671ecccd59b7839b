// A user project whose app server puts today's date in its system prompt, and masks it with an
// llmIgnore rule { path, match } set in `use:` only: the rule reaches the server in the test's
// header. Run as a child process by tests/fixture/ignore-match-server.spec.ts.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';
import { QUIET_CHROMIUM_ARGS, chromiumPath } from 'playwright-llm-replay/chromium';
import { llmServerEnv, type LlmOptions } from 'playwright-llm-replay';

const here = path.dirname(fileURLToPath(import.meta.url));
const app = `http://127.0.0.1:${process.env.APP_PORT}`;

export default defineConfig<Partial<LlmOptions>>({
  testDir: '.',
  workers: 1,
  outputDir: process.env.OUT_DIR,
  use: {
    baseURL: app,
    llmDir: process.env.LLM_DIR,
    llmUrls: [`${process.env.UPSTREAM}/v1/**`],
    llmIgnore: [{ path: 'messages.*.content', match: /Today is \S+/ }],
    launchOptions: { executablePath: chromiumPath(), args: [...QUIET_CHROMIUM_ARGS] },
  },
  webServer: {
    command: 'node server.mjs',
    cwd: here,
    url: app,
    reuseExistingServer: false,
    env: { PORT: process.env.APP_PORT!, OPENAI_BASE_URL: `${process.env.UPSTREAM}/v1`, ...(process.env.TODAY ? { TODAY: process.env.TODAY } : {}), ...llmServerEnv({ llmDir: process.env.LLM_DIR }) },
  },
});
