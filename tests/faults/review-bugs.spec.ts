// A fault's error event in a stream whose lines end with CRLF (Gemini's): written with the
// stream's own line ends, and raised by the provider's SDK.
import { test as base, expect } from 'playwright-llm-replay';
import { GoogleGenAI, ApiError } from '@google/genai';
import { upstreamFixture, type Upstream } from '../support/upstream.js';
import { freshLlmDir, workerLlmDir } from '../support/llm-dir.js';

const test = base.extend<{ fresh: void; upstream: Upstream }, object>({
  llmDir: workerLlmDir('llm-review-faults'),
  fresh: freshLlmDir,
  llmUrls: [['http://127.0.0.1:*/v1beta/**'], { scope: 'worker' }],
  upstream: upstreamFixture({ tokenDelay: 1, deterministic: true }),
});
test.use({ llmMode: 'record-missing' });

test('errorEvent in a CRLF stream: the client gets CRLF line ends throughout, and the SDK raises the error', async ({ llm, upstream }) => {
  const read = async () => {
    const res = await fetch(`${upstream.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'AIza-faults' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'one two three four' }] }] }),
    });
    return res.text();
  };
  const recorded = await read();
  expect(recorded).toContain('\r\n\r\n');
  await llm.fault('**:streamGenerateContent*', { errorEvent: true, after: 1 }, { times: 1 });
  const faulted = await read();
  const error = '{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}';
  expect(faulted.endsWith(`data: ${error}\r\n\r\n`)).toBe(true);
  // No line ends with a bare LF or a bare CR.
  expect(faulted).not.toMatch(/(?<!\r)\n|\r(?!\n)/);

  const gemini = new GoogleGenAI({ apiKey: 'AIza-faults', httpOptions: { baseUrl: upstream.url } });
  const generate = async () => {
    const seen: unknown[] = [];
    try {
      for await (const chunk of await gemini.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'one two three' })) seen.push(chunk);
    } catch (error) {
      return { seen, error: error as Error };
    }
    return { seen };
  };
  expect((await generate()).error).toBeUndefined(); // recorded
  await llm.fault('**:streamGenerateContent*', { errorEvent: true, after: 1 }, { times: 1 });
  const google = await generate();
  expect(google.seen).toHaveLength(1);
  expect(google.error).toBeInstanceOf(ApiError);
  expect((google.error as ApiError).status).toBe(503);
  expect(llm.calls.map((c) => [c.outcome, c.fault])).toEqual([
    ['recorded', undefined],
    ['replayed', '{ errorEvent: true, after: 1 }'],
    ['recorded', undefined],
    ['replayed', '{ errorEvent: true, after: 1 }'],
  ]);
});
