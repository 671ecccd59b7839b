// The report project's setup (tests/projects/report) for this folder's tests, with the run summary
// reporter's prices option from PRICES (JSON); run by tests/fixture/usage.spec.ts.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';
import report from '../report/playwright.config.js';

const summary = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dist/reporter.js');

export default defineConfig(report, {
  testDir: '.',
  reporter: [['json', { outputFile: process.env.JSON_OUT }], [summary, process.env.PRICES ? { prices: JSON.parse(process.env.PRICES) } : {}]],
});
