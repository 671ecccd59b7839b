import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';
import { llmServerEnv } from 'playwright-llm-replay';
import { QUIET_CHROMIUM_ARGS, chromiumPath } from 'playwright-llm-replay/chromium';

const ci = !!process.env.CI;
const root = path.dirname(fileURLToPath(import.meta.url));

// The demo app's port: DEMO_PORT when given, else a free one. Chosen once, in the runner; the
// workers load this file again and inherit the value, so every process agrees on it.
process.env.DEMO_PORT ??= String(await freePort());
const demo = `http://127.0.0.1:${process.env.DEMO_PORT}`;

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
  // Finds Chromium, or installs it on a bare machine, once before any test (src/chromium.ts). A user
  // project names it 'playwright-llm-replay/chromium'; this repo is the package, so it names the file.
  globalSetup: './dist/chromium.js',
  use: {
    baseURL: demo,
    launchOptions: { executablePath: chromiumPath(), args: [...QUIET_CHROMIUM_ARGS] },
  },
  // The demo chat app (examples/chat-app), with the plugin preloaded in its server.
  webServer: {
    command: 'node examples/chat-app/server.mjs',
    cwd: root,
    url: demo,
    reuseExistingServer: false,
    env: { PORT: process.env.DEMO_PORT, ...llmServerEnv({ llmDir: path.join(root, 'fixtures/llm') }), ...(process.env.OPENAI_BASE_URL ? { OPENAI_BASE_URL: process.env.OPENAI_BASE_URL } : {}) },
  },
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
