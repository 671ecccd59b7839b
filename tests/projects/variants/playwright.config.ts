// A user project whose tests get a different answer from the model on every call, recorded as
// answer variants with --repeat-each. Run as a child process by tests/fixture/variants.spec.ts.
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
  use: {
    baseURL: app,
    llmDir: process.env.LLM_DIR,
    llmUrls: [`${process.env.UPSTREAM}/v1/**`],
    ...(process.env.LLM_VARIANTS ? { llmVariants: process.env.LLM_VARIANTS as LlmOptions['llmVariants'] } : {}),
    launchOptions: { executablePath: chromiumPath(), args: [...QUIET_CHROMIUM_ARGS] },
  },
  // NO_APP: runs of the worker's tests only need no app server.
  webServer: process.env.NO_APP ? undefined : {
    command: 'node ../../../examples/chat-app/server.mjs',
    cwd: here,
    url: app,
    reuseExistingServer: false,
    env: { PORT: process.env.APP_PORT!, OPENAI_BASE_URL: `${process.env.UPSTREAM}/v1`, ...llmServerEnv({ llmDir: process.env.LLM_DIR }) },
  },
});
