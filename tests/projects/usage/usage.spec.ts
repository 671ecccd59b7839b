import { test, expect } from 'playwright-llm-replay';
import OpenAI from 'openai';

const client = () => new OpenAI({ apiKey: 'sk-usage', baseURL: `${process.env.UPSTREAM}/v1`, maxRetries: 0 });
const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'What is the capital of France?' }];

test('streams with usage', async () => {
  const stream = await client().chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  expect(text).toBe('Echo: What is the capital of France?');
});

test('streams without usage', async () => {
  const stream = await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'And of Spain?' }], stream: true });
  for await (const _ of stream);
});

test('asks a model without a price', async () => {
  const answer = await client().chat.completions.create({ model: 'house-model', messages });
  expect(answer.choices[0].message.content).toContain('Echo:');
});
