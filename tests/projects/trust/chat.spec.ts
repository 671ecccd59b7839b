import { test, expect } from 'playwright-llm-replay';
import OpenAI from 'openai';

/** Asks as a chat app does: a failure becomes the app's error banner, not an exception. */
async function ask(upstream: string | undefined, content: string): Promise<string> {
  const client = new OpenAI({ apiKey: 'sk-proj-SECRET-abcdefghijklmnopqrstuvwxyz', baseURL: `${upstream}/v1`, maxRetries: 0 });
  try {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    return text;
  } catch (err) {
    return `The assistant is unavailable: ${(err as Error).message}`;
  }
}

const report = (llm: { mode: string; calls: readonly unknown[] }, answers: string[]) => console.log(JSON.stringify({ report: { mode: llm.mode, calls: llm.calls, answers } }));

test('asks two assistants', async ({ llm }) => {
  const answers = [await ask(process.env.UPSTREAM, process.env.PROMPT ?? 'first question'), await ask(process.env.UPSTREAM2, 'second question')];
  report(llm, answers);
  // The app shows its banner and the test goes on: nothing here fails when the upstream does.
  expect(answers).toHaveLength(2);
});

test('asks about Lyon', async ({ llm }) => {
  const answer = await ask(process.env.UPSTREAM, process.env.LYON_PROMPT ?? 'Tell me about Lyon');
  report(llm, [answer]);
  expect(answer).toBe(`Echo: ${process.env.LYON_PROMPT ?? 'Tell me about Lyon'}`);
});

test('also asks about Lyon', async ({ llm }) => {
  const answer = await ask(process.env.UPSTREAM, 'Tell me about Lyon');
  report(llm, [answer]);
  expect(answer).toBe('Echo: Tell me about Lyon');
});

test('asks from the page', async ({ page }) => {
  await page.setContent('<p>chat</p>');
  const text = await page.evaluate(async (url) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-page-side-key-0123456789abcdef' }, body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'from the page' }] }) });
    return res.text();
  }, `${process.env.UPSTREAM}/v1/chat/completions`);
  expect(text).toContain('Echo: from the page');
});

test('goes on after a worker miss the app caught', async ({ page }) => {
  const answer = await ask(process.env.UPSTREAM, 'never recorded in the worker');
  await page.setContent(`<p>${answer.replace(/</g, '&lt;')}</p>`);
  await expect(page.locator('p')).toContainText('The assistant is unavailable');
});
