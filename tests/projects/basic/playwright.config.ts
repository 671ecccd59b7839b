// A small user project that the fixture tests run as a child Playwright process.
import { defineConfig } from '@playwright/test';
import type { LlmOptions } from 'playwright-llm-replay';

export default defineConfig<Partial<LlmOptions>>({
  testDir: '.',
  workers: 1,
  outputDir: process.env.OUT_DIR,
  use: {
    llmDir: process.env.LLM_DIR,
    llmUrls: [`${process.env.UPSTREAM}/v1/**`],
    ...(process.env.LLM_MODE_OPTION ? { llmMode: process.env.LLM_MODE_OPTION as LlmOptions['llmMode'] } : {}),
    ...(process.env.LLM_STEPS_OPTION ? { llmSteps: process.env.LLM_STEPS_OPTION as unknown as boolean } : {}),
    ...(process.env.LLM_VARIANTS_OPTION ? { llmVariants: process.env.LLM_VARIANTS_OPTION as LlmOptions['llmVariants'] } : {}),
  },
});
