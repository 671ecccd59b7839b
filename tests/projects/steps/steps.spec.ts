import { test, expect } from 'playwright-llm-replay';
import type { Page } from '@playwright/test';
import OpenAI from 'openai';

const suffix = process.env.PROMPT_SUFFIX ?? '';

async function chat(page: Page, query: string, prompt: string) {
  await page.goto(`/?${query}`);
  await page.getByRole('textbox', { name: 'Message' }).fill(prompt);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.locator('.message.assistant')).toHaveText(`Echo: ${prompt}`);
}

test('from the page', async ({ page, llm }) => {
  await test.step('ask in the page', async () => {
    await chat(page, `baseURL=${encodeURIComponent(`${process.env.UPSTREAM}/v1`)}`, `Tell me about owls${suffix}`);
    await expect(llm).toHaveCalled({ where: 'page' });
  });
});

test('from the worker', async () => {
  await test.step('ask in the worker', async () => {
    const client = new OpenAI({ apiKey: 'sk-steps-key', baseURL: `${process.env.UPSTREAM}/v1`, maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Tell me about bats${suffix}` }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe(`Echo: Tell me about bats${suffix}`);
  });
});

test('from the server', async ({ page, llm }) => {
  // No read of llm.calls inside the step: the server's call gets its step as the test hears of it.
  await test.step('ask the server', async () => {
    await chat(page, 'mode=server', `Tell me about moths${suffix}`);
  });
  await expect(llm).toHaveCalled({ where: 'server' });
});

test.describe('steps off', () => {
  test.use({ llmSteps: false });
  test('a call without a step', async ({ page, llm }) => {
    await chat(page, 'mode=server', `Tell me about newts${suffix}`);
    await expect(llm).toHaveCalled({ where: 'server' });
  });
});

test('a fault no call gets', async ({ llm }) => {
  test.fail();
  await llm.fault('**/v1/embeddings', { status: 500 });
});
