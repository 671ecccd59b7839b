// The Node example suite: an app's chat code calling OpenAI with the official SDK, tested with
// playwright-llm-replay. Its recordings are committed under fixtures/llm/examples/, so it runs
// offline: `npm run demo`. To record again against the local stand-in upstream:
// `npm run record`. The host is not part of the match key, so recordings made against
// the stand-in replay for api.openai.com.
import { test, expect } from 'playwright-llm-replay';
import OpenAI from 'openai';

const baseURL = process.env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1';
test.use({ llmUrls: process.env.OPENAI_BASE_URL ? [`${process.env.OPENAI_BASE_URL}/**`] : [] });

type Message = OpenAI.Chat.ChatCompletionMessageParam;

/** The app code under test: streams an answer, calling onToken for each piece. */
async function chat(messages: Message[], onToken: (t: string) => void = () => {}) {
  const client = new OpenAI({ apiKey: process.env.OPENAI_API_KEY ?? 'sk-replay', baseURL });
  const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
  let answer = '';
  let usage: OpenAI.CompletionUsage | undefined;
  for await (const chunk of stream) {
    const token = chunk.choices[0]?.delta?.content ?? '';
    if (token) onToken(token);
    answer += token;
    usage = chunk.usage ?? usage;
  }
  return { answer, usage };
}

test('streams an answer token by token', async ({ llm }) => {
  const tokens: string[] = [];
  const { answer, usage } = await chat([{ role: 'user', content: 'What is the capital of France?' }], (t) => tokens.push(t));
  expect(answer).toBe('Echo: What is the capital of France?');
  expect(tokens.length).toBeGreaterThan(3);
  expect(usage?.total_tokens).toBeGreaterThan(0);
  expect(llm.calls).toHaveLength(1);
});

test('keeps the conversation history across turns', async ({ llm }) => {
  const history: Message[] = [{ role: 'user', content: 'Hello' }];
  const first = await chat(history);
  history.push({ role: 'assistant', content: first.answer }, { role: 'user', content: 'And again' });
  const second = await chat(history);
  expect([first.answer, second.answer]).toEqual(['Echo: Hello', 'Echo: And again']);
  expect(llm.calls.map((c) => c.outcome)).toEqual(expect.arrayContaining([expect.stringMatching(/replayed|recorded/)]));
  expect(llm.calls).toHaveLength(2);
});

test('calls a tool', async () => {
  const client = new OpenAI({ apiKey: process.env.OPENAI_API_KEY ?? 'sk-replay', baseURL });
  const completion = await client.chat.completions
    .stream({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] } } }],
    })
    .finalChatCompletion();
  expect(completion.choices[0].message.tool_calls?.[0]).toMatchObject({ function: { name: 'get_weather', arguments: '{"location":"Paris"}' } });
});
