import { test, expect } from 'playwright-llm-replay';
import OpenAI from 'openai';

const suffix = process.env.PROMPT_SUFFIX ?? '';
type Message = { role: 'user' | 'assistant'; content: string };

async function ask(messages: Message[]): Promise<string> {
  const client = new OpenAI({ apiKey: 'sk-variants-key', baseURL: `${process.env.UPSTREAM}/v1`, maxRetries: 0 });
  const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  return text;
}

test('a conversation of two turns', async ({ llm }, testInfo) => {
  const first: Message = { role: 'user', content: `Surprise me: where should I go this spring?${suffix}` };
  const one = await ask([first]);
  // The second turn carries the first answer: it belongs to that answer's variant.
  const two = await ask([first, { role: 'assistant', content: one }, { role: 'user', content: 'Surprise me again: and in autumn?' }]);
  console.log(JSON.stringify({ report: { variant: llm.variant, repetition: testInfo.repeatEachIndex, answers: [one, two], calls: llm.calls } }));
});

test('the app server asks', async ({ page, llm }, testInfo) => {
  await page.goto('/?mode=server');
  await page.getByRole('textbox', { name: 'Message' }).fill(`Surprise me: a city for the weekend?${suffix}`);
  await page.getByRole('button', { name: 'Send' }).click();
  // Send is back once the answer has streamed in whole.
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
  await expect(llm).toHaveCalled({ where: 'server' });
  await expect(llm).toHaveNoPendingCalls();
  const answer = await page.locator('.message.assistant').textContent();
  console.log(JSON.stringify({ report: { variant: llm.variant, repetition: testInfo.repeatEachIndex, answers: [answer], calls: llm.calls } }));
});

test('one answer only', async ({ llm }, testInfo) => {
  const answer = await ask([{ role: 'user', content: 'What is 2 + 2?' }]);
  console.log(JSON.stringify({ report: { variant: llm.variant, repetition: testInfo.repeatEachIndex, answers: [answer], calls: llm.calls } }));
});
