// A user project whose calls carry keys, org and project ids everywhere a client puts them, made
// from the worker, the page, the app's server and the proxy. Run by tests/safety/secrets.spec.ts,
// which then searches everything the run wrote for them.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';
import { QUIET_CHROMIUM_ARGS, chromiumPath } from 'playwright-llm-replay/chromium';
import { llmServerEnv, type LlmOptions } from 'playwright-llm-replay';

const here = path.dirname(fileURLToPath(import.meta.url));
const secrets = JSON.parse(process.env.SECRETS!);
const app = `http://127.0.0.1:${process.env.APP_PORT}`;
const llm = { llmDir: process.env.LLM_DIR, llmUrls: [`${process.env.UPSTREAM}/v1/**`] };

export default defineConfig<Partial<LlmOptions>>({
  testDir: '.',
  workers: 1,
  outputDir: process.env.OUT_DIR,
  use: { baseURL: app, ...llm, launchOptions: { executablePath: chromiumPath(), args: [...QUIET_CHROMIUM_ARGS] } },
  webServer: [
    {
      command: 'node ../../../examples/chat-app/server.mjs',
      cwd: here,
      url: app,
      reuseExistingServer: false,
      env: { PORT: process.env.APP_PORT!, OPENAI_BASE_URL: `${process.env.UPSTREAM}/v1`, OPENAI_API_KEY: secrets.server, ...llmServerEnv(llm) },
    },
    {
      command: `node ../../../dist/cli.js proxy --port ${process.env.PROXY_PORT} --upstream ${process.env.UPSTREAM} --dir ${process.env.LLM_DIR}`,
      cwd: here,
      port: Number(process.env.PROXY_PORT),
      reuseExistingServer: false,
      env: llmServerEnv(llm),
    },
  ],
});
