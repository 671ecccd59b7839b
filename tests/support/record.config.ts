// Records the committed example and demo recordings again, against the local stand-in upstream:
// `npm run record`. Same testDir and llmDir as the main config, so the files land where it looks.
import type { PlaywrightTestConfig } from '@playwright/test';

// The stand-in upstream's address, fixed so the app server (started before globalSetup) knows it.
process.env.OPENAI_BASE_URL ??= 'http://127.0.0.1:4010/v1';
const { default: main } = (await import('../../playwright.config.js')) as { default: PlaywrightTestConfig };

export default {
  ...main,
  testDir: '..',
  testMatch: ['examples/**/*.spec.ts', 'demo/**/*.spec.ts'],
  testIgnore: [],
  workers: 1,
  globalSetup: './record.setup.ts',
  webServer: { ...(main.webServer as { command: string }), reuseExistingServer: false },
  use: { ...main.use, llmDir: '../../fixtures/llm' },
} as PlaywrightTestConfig;
