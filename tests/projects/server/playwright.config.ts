// A user project whose app server calls the LLM: the demo chat app in server-side mode, with the
// plugin preloaded through llmServerEnv(). Run as a child process by tests/fixture/app-server.spec.ts.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';
import { llmServerEnv, type LlmOptions } from 'playwright-llm-replay';

const here = path.dirname(fileURLToPath(import.meta.url));
const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
const app = `http://127.0.0.1:${process.env.APP_PORT}`;

export default defineConfig<Partial<LlmOptions>>({
  testDir: '.',
  workers: 2,
  fullyParallel: true,
  outputDir: process.env.OUT_DIR,
  use: {
    baseURL: app,
    llmDir: process.env.LLM_DIR,
    llmHosts: [`${process.env.UPSTREAM}/v1/**`],
    launchOptions: { executablePath: chromium, args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] },
  },
  webServer: {
    command: 'node ../../../examples/chat-app/server.mjs',
    cwd: here,
    url: app,
    reuseExistingServer: false,
    env: { PORT: process.env.APP_PORT!, OPENAI_BASE_URL: `${process.env.UPSTREAM}/v1`, ...llmServerEnv({ llmDir: process.env.LLM_DIR }) },
  },
});
