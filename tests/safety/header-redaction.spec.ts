// Credentials in headers are kept off disk by the header's name, whatever the value looks like: keys
// that do not look like keys (`Bearer 12345abcde`, `plainvalue987`) in `authorization`, `x-api-key`,
// `api-key`, `x-goog-api-key`, and in headers the user names in llmRedact, are recorded through the
// fixture by the official SDKs from the test worker (and by fetch from the page), then searched for in the recordings folder.
import fs from 'node:fs';
import OpenAI, { AzureOpenAI } from 'openai';
import { generateText } from 'ai';
import { createAnthropic } from '@ai-sdk/anthropic';
import { GoogleGenAI } from '@google/genai';
import fg from 'fast-glob';
import { test as base, expect, type LlmFixture } from 'playwright-llm-replay';
import { upstreamFixture, type Upstream } from '../support/upstream.js';
import { freshLlmDir, workerLlmDir } from '../support/llm-dir.js';

const test = base.extend<{ upstream: Upstream; fresh: void }, object>({
  llmDir: workerLlmDir('llm-header-redaction'),
  upstream: upstreamFixture({ tokenDelay: 1 }),
  fresh: freshLlmDir,
});
test.use({
  llmMode: 'record',
  llmUrls: ['http://127.0.0.1:*/v1/**', 'http://127.0.0.1:*/v1beta/**', 'http://127.0.0.1:*/openai/**'],
  // The user's own rules: a header by its exact name, and headers by a RegExp of names.
  llmRedact: { headers: ['X-Customer-Ref', /^x-acme-/] },
});

/** Values no value pattern recognises: only the header's name can keep them off disk. */
const plain = {
  bearer: '12345abcde',
  anthropic: 'plainvalue987',
  azure: 'azureplain246',
  google: 'googplain4321',
  customer: 'custref55555',
  acme: 'tenant31415',
};

/** Waits for the test's calls to be stored, then returns the text of every file under llmDir. */
async function stored(llm: LlmFixture, llmDir: string, calls: number): Promise<string> {
  await expect.poll(() => llm.calls.map((c) => c.outcome)).toEqual(Array(calls).fill('recorded'));
  const files = fg.sync('**/*', { cwd: llmDir, absolute: true, dot: true, onlyFiles: true });
  expect(files).toHaveLength(calls);
  return files.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
}

/** The request headers of each recording under llmDir. */
const recordedHeaders = (llmDir: string) => fg.sync('**/*.json', { cwd: llmDir, absolute: true }).map((f) => JSON.parse(fs.readFileSync(f, 'utf8')).request.headers as Record<string, string>);

const userHeaders = { 'X-Customer-Ref': plain.customer, 'x-acme-tenant': plain.acme };

function expectNoneOf(text: string, values: string[]) {
  for (const v of values) expect(text, `${v} reached disk`).not.toContain(v);
}

test('authorization: Bearer <plain value>, and the user’s own header rules (openai SDK)', async ({ llm, llmDir, upstream }) => {
  const client = new OpenAI({ apiKey: plain.bearer, baseURL: `${upstream.url}/v1`, maxRetries: 0, defaultHeaders: userHeaders });
  await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] });
  expectNoneOf(await stored(llm, llmDir, 1), [plain.bearer, plain.customer, plain.acme]);
  expect(recordedHeaders(llmDir)).toEqual([expect.objectContaining({ authorization: '<redacted>', 'x-customer-ref': '<redacted>', 'x-acme-tenant': '<redacted>' })]);
});

// @anthropic-ai/sdk 1.x sends its key as `authorization: Bearer`; the ai SDK's provider sends `x-api-key`.
test('x-api-key (the ai SDK’s Anthropic provider)', async ({ llm, llmDir, upstream }) => {
  const anthropic = createAnthropic({ apiKey: plain.anthropic, baseURL: `${upstream.url}/v1`, headers: userHeaders });
  await generateText({ model: anthropic('claude-sonnet-5'), prompt: 'hello', maxRetries: 0 });
  expectNoneOf(await stored(llm, llmDir, 1), [plain.anthropic, plain.customer, plain.acme]);
  expect(recordedHeaders(llmDir)).toEqual([expect.objectContaining({ 'x-api-key': '<redacted>', 'x-customer-ref': '<redacted>', 'x-acme-tenant': '<redacted>' })]);
});

test('api-key (Azure OpenAI through the openai SDK)', async ({ llm, llmDir, upstream }) => {
  const client = new AzureOpenAI({ apiKey: plain.azure, endpoint: upstream.url, apiVersion: '2024-10-21', deployment: 'gpt-4o-mini', maxRetries: 0 });
  await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] });
  expectNoneOf(await stored(llm, llmDir, 1), [plain.azure]);
  expect(recordedHeaders(llmDir)).toEqual([expect.objectContaining({ 'api-key': '<redacted>' })]);
});

test('x-goog-api-key (Google Gen AI SDK)', async ({ llm, llmDir, upstream }) => {
  const client = new GoogleGenAI({ apiKey: plain.google, httpOptions: { baseUrl: upstream.url, headers: userHeaders } });
  await client.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hello' });
  expectNoneOf(await stored(llm, llmDir, 1), [plain.google, plain.customer, plain.acme]);
  expect(recordedHeaders(llmDir)).toEqual([expect.objectContaining({ 'x-goog-api-key': '<redacted>', 'x-customer-ref': '<redacted>', 'x-acme-tenant': '<redacted>' })]);
});

test('every one of them from the page', async ({ page, llm, llmDir, upstream }) => {
  await page.goto('/');
  const status = await page.evaluate(
    async ({ url, headers }) => {
      const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] }) });
      await res.text();
      return res.status;
    },
    {
      url: `${upstream.url}/v1/chat/completions`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${plain.bearer}`, 'x-api-key': plain.anthropic, 'api-key': plain.azure, 'x-goog-api-key': plain.google, ...userHeaders },
    },
  );
  expect(status).toBe(200);
  expectNoneOf(await stored(llm, llmDir, 1), Object.values(plain));
  expect(recordedHeaders(llmDir)).toEqual([
    expect.objectContaining({ authorization: '<redacted>', 'x-api-key': '<redacted>', 'api-key': '<redacted>', 'x-goog-api-key': '<redacted>', 'x-customer-ref': '<redacted>', 'x-acme-tenant': '<redacted>' }),
  ]);
});
