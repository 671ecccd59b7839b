import { test, expect } from 'playwright-llm-replay';

test('asks from the page', async ({ page }) => {
  await page.setContent('<p>chat</p>');
  const status = await page.evaluate(async () => {
    const res = await fetch('https://api.openai.com/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-x' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'never recorded' }], stream: true }),
    });
    return res.status;
  });
  expect(status).toBe(404);
});
