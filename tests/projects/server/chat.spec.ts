import { test, expect } from 'playwright-llm-replay';

const suffix = process.env.PROMPT_SUFFIX ?? '';
const topics = { 'asks about cats': 'Tell me about cats and their long afternoon naps', 'asks about dogs': 'Tell me about dogs and their very long walks' };

for (const [title, topic] of Object.entries(topics)) {
  test(title, async ({ page, llm }) => {
    const prompt = topic + suffix;
    await page.goto('/?mode=server');
    await page.getByRole('textbox', { name: 'Message' }).fill(prompt);
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(page.locator('.message.assistant')).toHaveText(`Echo: ${prompt}`);
    await expect.poll(() => llm.calls.filter((c) => c.outcome !== 'pending').length).toBe(1);
    console.log(JSON.stringify({ report: { mode: llm.mode, dir: llm.dir, calls: llm.calls } }));
  });
}
