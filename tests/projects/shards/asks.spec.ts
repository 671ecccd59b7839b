// Shard 1: the tests that make LLM calls.
import { test, expect } from 'playwright-llm-replay';
import OpenAI from 'openai';

const client = () => new OpenAI({ apiKey: 'sk-shards', baseURL: `${process.env.UPSTREAM}/v1`, maxRetries: 0 });

test('asks a question', async () => {
  const answer = await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What is the capital of France?' }] });
  expect(answer.choices[0].message.content).toBe('Echo: What is the capital of France?');
});

test('asks another', async () => {
  const answer = await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'And of Italy?' }] });
  expect(answer.choices[0].message.content).toBe('Echo: And of Italy?');
});
