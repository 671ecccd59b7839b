// One recording serves both transports: the example suite's recording (made from Node) replays in
// the page, and the demo's recording (made from the page) replays to the openai SDK in Node.
import { test, expect } from 'playwright-llm-replay';
import OpenAI from 'openai';

test.use({ llmMode: 'replay' });
const question = { role: 'user' as const, content: 'What is the capital of France?' };

test('recorded from Node, replayed in the page', async ({ page, llm }) => {
  await page.goto('/');
  const text = await page.evaluate(async (question) => {
    const res = await fetch('https://api.openai.com/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [question], stream: true, stream_options: { include_usage: true } }),
    });
    return res.text();
  }, question);
  expect(text).toContain('"content":" capital"');
  expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
  expect(llm.calls[0].file).toMatch(/fixtures\/llm\/examples\/chat\.spec\.ts\/streams-an-answer-token-by-token\//);
});

test('recorded from the page, replayed in Node', async ({ llm }) => {
  const client = new OpenAI({ apiKey: 'sk-replay' });
  const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [question], stream: true });
  let answer = '';
  for await (const chunk of stream) answer += chunk.choices[0]?.delta?.content ?? '';
  expect(answer).toBe('Echo: What is the capital of France?');
  expect(llm.calls[0].file).toMatch(/fixtures\/llm\/demo\/chat-app\.spec\.ts\/the-answer-streams-in-and-renders\//);
});
