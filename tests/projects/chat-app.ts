// What the child projects that test the demo chat app's server share: the app as their webServer,
// with the plugin preloaded through llmServerEnv(), on APP_PORT, talking to the stand-in (UPSTREAM);
// and the use: options that point the tests at it. Each config adds its own.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PlaywrightTestConfig } from '@playwright/test';
import { QUIET_CHROMIUM_ARGS, chromiumPath } from 'playwright-llm-replay/chromium';
import { llmServerEnv, type LlmOptions } from 'playwright-llm-replay';

const here = path.dirname(fileURLToPath(import.meta.url));
const app = `http://127.0.0.1:${process.env.APP_PORT}`;

export const chatAppUse: PlaywrightTestConfig<Partial<LlmOptions>>['use'] = {
  baseURL: app,
  llmDir: process.env.LLM_DIR,
  llmUrls: [`${process.env.UPSTREAM}/v1/**`],
  launchOptions: { executablePath: chromiumPath(), args: [...QUIET_CHROMIUM_ARGS] },
};

export const chatAppServer: NonNullable<PlaywrightTestConfig['webServer']> = {
  command: 'node ../../examples/chat-app/server.mjs',
  cwd: here,
  url: app,
  reuseExistingServer: false,
  env: { PORT: process.env.APP_PORT!, OPENAI_BASE_URL: `${process.env.UPSTREAM}/v1`, ...llmServerEnv({ llmDir: process.env.LLM_DIR }) },
};
