// Shard 2: no LLM call, so no `llm-calls.json` attachment names the recordings root here.
import { test, expect } from 'playwright-llm-replay';

test('adds numbers', async () => {
  test.skip(!!process.env.SKIP_PLAIN, 'SKIP_PLAIN is set');
  expect(1 + 1).toBe(2);
});
