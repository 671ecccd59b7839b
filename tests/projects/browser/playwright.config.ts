// A small user project with a page, run as a child process by tests/fixture/browser-miss.spec.ts.
import fs from 'node:fs';
import { defineConfig } from '@playwright/test';

const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));

export default defineConfig({
  testDir: '.',
  workers: 1,
  outputDir: process.env.OUT_DIR,
  use: {
    llmDir: process.env.LLM_DIR,
    launchOptions: { executablePath: chromium, args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] },
  } as object,
});
