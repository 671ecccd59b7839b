import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';
import { llmServerEnv } from 'playwright-llm-replay';

const ci = !!process.env.CI;
const root = path.dirname(fileURLToPath(import.meta.url));
// Playwright's own browser download is not reachable here: use the system's Chromium when there is one.
const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));

export default defineConfig({
  testDir: 'tests',
  // tests/projects/ holds small Playwright projects that the fixture tests run as child processes.
  testIgnore: ['**/projects/**', '**/support/**'],
  fullyParallel: true,
  workers: 2,
  retries: 0,
  timeout: 60_000,
  forbidOnly: ci,
  reporter: ci ? [['list'], ['html', { open: 'never' }]] : [['list']],
  use: {
    launchOptions: {
      executablePath: chromium,
      args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  // The demo chat app (examples/chat-app), with the plugin preloaded in its server.
  webServer: {
    command: 'node examples/chat-app/server.mjs',
    cwd: root,
    url: 'http://127.0.0.1:4173',
    reuseExistingServer: !ci,
    env: { PORT: '4173', ...llmServerEnv({ llmDir: path.join(root, 'fixtures/llm') }), ...(process.env.OPENAI_BASE_URL ? { OPENAI_BASE_URL: process.env.OPENAI_BASE_URL } : {}) },
  },
});
