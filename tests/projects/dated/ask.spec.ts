import { test, expect } from 'playwright-llm-replay';

test('asks what day it is', async ({ page, llm }) => {
  await page.goto('/');
  const reply = await page.evaluate(async () => {
    const res = await fetch('/api/ask', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ question: 'What day is it?' }) });
    return res.json();
  });
  expect(reply).toEqual({ answer: 'Echo: What day is it?' });
  await expect.poll(() => llm.calls.filter((c) => c.outcome !== 'pending').length).toBe(1);
  console.log(JSON.stringify({ report: { mode: llm.mode, calls: llm.calls } }));
});
