import { defineConfig } from '@playwright/test';

const ci = !!process.env.CI;

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
});
