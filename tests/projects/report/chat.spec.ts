import { test, expect } from 'playwright-llm-replay';
import OpenAI from 'openai';

const client = () => new OpenAI({ apiKey: 'sk-report', baseURL: `${process.env.UPSTREAM}/v1`, maxRetries: 0 });

test('answers a question', async () => {
  const stream = await client().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What is the capital of France?' }], stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  expect(text).toBe('Echo: What is the capital of France?');
});

test('calls a tool, then answers with its result', async () => {
  const tools: OpenAI.Chat.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } }];
  const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
  const first = await client().chat.completions.create({ model: 'gpt-4o-mini', messages, tools });
  const call = first.choices[0].message.tool_calls![0];
  messages.push(first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: 'Sunny, 21 °C' });
  const second = await client().chat.completions.create({ model: 'gpt-4o-mini', messages, tools: [] });
  expect(second.choices[0].message.content).toContain('Echo:');
});
