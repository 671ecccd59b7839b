import { test, expect } from 'playwright-llm-replay';
import OpenAI from 'openai';

const s = JSON.parse(process.env.SECRETS!);
const suffix = process.env.PROMPT_SUFFIX ?? '';
const upstream = `${process.env.UPSTREAM}/v1`;
const chat = (content: string, extra: object = {}) => JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: content + suffix }], stream: true, ...extra });

test('from the worker, with the official SDK', async () => {
  const client = new OpenAI({ apiKey: s.openai, organization: s.org, project: s.project, baseURL: upstream, defaultHeaders: { 'x-goog-api-key': s.google } });
  const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'worker' + suffix }], stream: true, metadata: { session: s.jwt } });
  for await (const _ of stream);
  const res = await fetch(`${upstream}/chat/completions?key=${s.google}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chat('query key') });
  expect(res.status).toBe(200);
  await res.text();
});

test('from the page', async ({ page }) => {
  await page.goto('/');
  const status = await page.evaluate(
    async ({ url, body, s }) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${s.anthropic}`, 'openai-organization': s.org, 'openai-project': s.project }, body });
      await res.text();
      return res.status;
    },
    { url: `${upstream}/chat/completions`, body: chat('page', { api_key: s.openai, user: s.jwt }), s },
  );
  expect(status).toBe(200);
});

test('from the app server', async ({ page, llm }) => {
  await page.goto('/?mode=server');
  await page.getByRole('textbox', { name: 'Message' }).fill('server' + suffix);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.locator('.message.assistant')).toContainText('Echo: server');
  await expect.poll(() => llm.calls.filter((c) => c.where === 'server' && c.outcome !== 'pending').length).toBe(1);
});

test('through the proxy', async () => {
  const res = await fetch(`http://127.0.0.1:${process.env.PROXY_PORT}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${s.proxy}` }, body: chat('proxy') });
  expect(res.status).toBe(200);
  await res.text();
});

test('a failing test attaches its calls', async () => {
  const res = await fetch(`${upstream}/chat/completions?key=${s.google}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${s.openai}` }, body: chat('failing') });
  await res.text();
  expect(res.status, 'this test fails on purpose').toBe(999);
});
