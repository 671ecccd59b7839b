// Recordings folders for test files that record into a temporary llmDir of their own.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LlmFixture } from 'playwright-llm-replay';

/** An `llmDir` fixture: a folder of the worker's own, removed when the worker ends. */
export function workerLlmDir(prefix: string): [(args: object, use: (dir: string) => Promise<void>) => Promise<void>, { scope: 'worker' }] {
  return [
    async ({}: object, use: (dir: string) => Promise<void>) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
      await use(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ];
}

/**
 * An auto fixture that starts each test with the worker's folder empty: its tests share it, and a
 * recording of another test's would be found there and replayed. It names `llm` to run after it.
 */
export const freshLlmDir: [(args: { llm: LlmFixture; llmDir: string }, use: () => Promise<void>) => Promise<void>, { auto: true }] = [
  async ({ llm, llmDir }: { llm: LlmFixture; llmDir: string }, use: () => Promise<void>) => {
    fs.rmSync(llmDir, { recursive: true, force: true });
    await use();
  },
  { auto: true },
];
