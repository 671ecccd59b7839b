import { test, expect } from 'playwright-llm-replay';
import OpenAI from 'openai';

const prompt = process.env.PROMPT ?? 'Tell me about Paris';

async function ask(content: string) {
  const client = new OpenAI({ apiKey: 'sk-proj-SECRET-abcdefghijklmnopqrstuvwxyz', baseURL: `${process.env.UPSTREAM}/v1` });
  const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], stream: true });
  let text = '';
  let id = '';
  for await (const chunk of stream) {
    id = chunk.id;
    text += chunk.choices[0]?.delta?.content ?? '';
  }
  return { text, id };
}

test('answers about Paris', async ({ llm }) => {
  const { text, id } = await ask(prompt);
  expect(text).toBe(`Echo: ${prompt}`);
  console.log(JSON.stringify({ report: { id, mode: llm.mode, dir: llm.dir, calls: llm.calls } }));
});

test.describe('follow-ups', () => {
  test('answers twice', async ({ llm }) => {
    const first = await ask('first question');
    const second = await ask('second question');
    expect([first.text, second.text]).toEqual(['Echo: first question', 'Echo: second question']);
    console.log(JSON.stringify({ report: { id: first.id, mode: llm.mode, dir: llm.dir, calls: llm.calls } }));
  });
});
