// What a user passes to `npx playwright merge-reports -c merge.config.ts <blob dir>`: the run
// summary reporter, failing the merged run when it leaves recordings unused.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';

const here = path.dirname(fileURLToPath(import.meta.url));
const summary = path.resolve(here, '../../../dist/reporter.js');

export default defineConfig({
  testDir: '.',
  reporter: [['line'], [summary, { failOnUnused: true }]],
});
