// Records the committed example and demo recordings again, against the local stand-in upstream:
// `npm run record`. Same testDir and llmDir as the main config, so the files land where it looks.
import { defineConfig } from '@playwright/test';
import main from '../../playwright.config.js';

export default defineConfig(main, {
  testDir: '..',
  testMatch: ['examples/**/*.spec.ts', 'demo/**/*.spec.ts'],
  testIgnore: [],
  workers: 1,
  globalSetup: './record.setup.ts',
  use: { llmDir: '../../fixtures/llm' } as object,
});
