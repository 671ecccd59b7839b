// Records the example suite's recordings against the local stand-in upstream:
// `npm run examples:record`. Same testDir as the main config, so the files land where it looks.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '..',
  testMatch: 'examples/**/*.spec.ts',
  workers: 1,
  globalSetup: './record.setup.ts',
  use: { llmDir: '../../fixtures/llm' } as object,
});
