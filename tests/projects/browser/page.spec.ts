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

test('waits for the answer in the page', async ({ page }) => {
  await page.setContent('<p id="answer">…</p>');
  await page.evaluate(() => {
    void fetch('https://api.openai.com/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-x' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'also never recorded' }] }),
    })
      .then((res) => res.json())
      .then((json) => (document.getElementById('answer')!.textContent = json.choices?.[0]?.message?.content ?? 'Something went wrong'));
  });
  // The app's own symptom would come only after this long wait: the miss must not wait for it.
  await expect(page.locator('#answer')).toHaveText('Hello!', { timeout: 60_000 });
});
