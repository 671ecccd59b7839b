// The tokens a call carried, read from each provider's answer as the stand-in upstream (speaking the
// providers' wire formats) sends it, streamed and whole; the price table, its lookup and the
// reporter's prices option.
import { test, expect } from '@playwright/test';
import { startUpstream, type Upstream } from '../support/upstream.js';
import { splitStream } from '../../src/wire/framing.js';
import { summarize } from '../../src/wire/summary.js';
import { usageOfFrames } from '../../src/wire/usage.js';
import { PRICES, checkPrices, costOf, formatDollars, formatTokens, priceOf } from '../../src/prices.js';
import { LlmOptionError } from '../../src/core/errors.js';

let upstream: Upstream;
test.beforeAll(async () => {
  upstream = await startUpstream({ tokenDelay: 0 });
});
test.afterAll(async () => upstream.close());

/** A call to the stand-in: its whole JSON answer when not streamed, and the usage read from its answer. */
async function call(path: string, body: object): Promise<{ whole?: any; usage: ReturnType<typeof summarize>['usage'] }> {
  const res = await fetch(upstream.url + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test', 'x-api-key': 'sk-ant-test' }, body: JSON.stringify(body) });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  const type = res.headers.get('content-type') ?? '';
  if (type.startsWith('application/json')) {
    const whole = JSON.parse(text);
    return { whole, usage: summarize(body, [{ data: whole }]).usage };
  }
  const { events } = splitStream(type.includes('ndjson') ? 'ndjson' : 'sse', text);
  return { usage: summarize(body, events).usage };
}

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What is the capital of France?' }] };

test('OpenAI chat: the last chunk with include_usage, or the whole body; reasoning tokens when the answer has them', async () => {
  const { whole, usage } = await call('/v1/chat/completions', chat);
  expect(whole.usage.prompt_tokens).toBeGreaterThan(0);
  expect(usage).toEqual({ input: whole.usage.prompt_tokens, output: whole.usage.completion_tokens });
  expect((await call('/v1/chat/completions', { ...chat, stream: true, stream_options: { include_usage: true } })).usage).toEqual(usage);
  // Without include_usage the stream says nothing of its tokens.
  expect((await call('/v1/chat/completions', { ...chat, stream: true })).usage).toBeUndefined();
  const reasoning = await call('/v1/chat/completions', { ...chat, reasoning_effort: 'low' });
  expect(reasoning.usage?.reasoning).toBe(reasoning.whole.usage.completion_tokens_details.reasoning_tokens);
  expect(reasoning.usage?.reasoning).toBeGreaterThan(0);
  // Cached prompt tokens, as the API reports them.
  expect(summarize({}, [{ data: { choices: [], usage: { prompt_tokens: 1200, completion_tokens: 30, prompt_tokens_details: { cached_tokens: 1024 }, completion_tokens_details: { reasoning_tokens: 0 } } } }]).usage).toEqual({ input: 1200, output: 30, cached: 1024 });
});

test('OpenAI Responses: response.completed, or the whole body, with cached and reasoning tokens', async () => {
  const body = { model: 'o4-mini', input: 'What is the capital of France?', reasoning: { effort: 'low' } };
  const { whole, usage } = await call('/v1/responses', body);
  expect(usage).toEqual({ input: whole.usage.input_tokens, output: whole.usage.output_tokens, reasoning: whole.usage.output_tokens_details.reasoning_tokens });
  expect(usage!.reasoning).toBeGreaterThan(0);
  expect((await call('/v1/responses', { ...body, stream: true })).usage).toEqual(usage);
  expect(summarize({}, [{ data: { type: 'response.completed', response: { usage: { input_tokens: 2000, input_tokens_details: { cached_tokens: 1500 }, output_tokens: 100, output_tokens_details: { reasoning_tokens: 64 } } } } }]).usage).toEqual({ input: 2000, output: 100, cached: 1500, reasoning: 64 });
});

test("Anthropic: message_start's usage with message_delta's over it; cache reads and writes count as input", async () => {
  const body = { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'What is the capital of France?' }] };
  const { whole, usage } = await call('/v1/messages', body);
  expect(usage).toEqual({ input: whole.usage.input_tokens, output: whole.usage.output_tokens });
  expect(usage!.output).toBeGreaterThan(1);
  // Streamed: input from message_start, the output from message_delta (message_start says 1).
  expect((await call('/v1/messages', { ...body, stream: true })).usage).toEqual(usage);
  const cached = [
    { event: 'message_start', data: { type: 'message_start', message: { usage: { input_tokens: 10, cache_creation_input_tokens: 200, cache_read_input_tokens: 3000, output_tokens: 1 } } } },
    { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 42 } } },
  ];
  expect(summarize({}, cached).usage).toEqual({ input: 3210, output: 42, cached: 3000, cacheWrite: 200 });
});

test("Gemini: the last chunk's usageMetadata; thoughts count as output", async () => {
  const body = { contents: [{ role: 'user', parts: [{ text: 'What is the capital of France?' }] }] };
  const { whole, usage } = await call('/v1beta/models/gemini-2.0-flash:generateContent', body);
  expect(usage).toEqual({ input: whole.usageMetadata.promptTokenCount, output: whole.usageMetadata.candidatesTokenCount });
  expect(usage!.output).toBeGreaterThan(0);
  expect((await call('/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse', body)).usage).toEqual(usage);
  expect(summarize({}, [{ data: { usageMetadata: { promptTokenCount: 500, cachedContentTokenCount: 400, candidatesTokenCount: 20, thoughtsTokenCount: 80, totalTokenCount: 600 } } }]).usage).toEqual({ input: 500, output: 100, cached: 400, reasoning: 80 });
});

test('Ollama: prompt_eval_count and eval_count of the last line', async () => {
  const body = { model: 'llama3.2', prompt: 'What is the capital of France?' };
  const { whole, usage } = await call('/api/generate', { ...body, stream: false });
  expect(usage).toEqual({ input: 12, output: whole.eval_count });
  expect((await call('/api/generate', body)).usage).toEqual(usage);
});

test("OpenAI Realtime: each response.done's usage, added up; a session without one has none", () => {
  const done = (input: number, output: number, cached: number) => ({ from: 'server' as const, json: { type: 'response.done', response: { usage: { total_tokens: input + output, input_tokens: input, output_tokens: output, input_token_details: { cached_tokens: cached, text_tokens: input, audio_tokens: 0 }, output_token_details: { text_tokens: output, audio_tokens: 0 } } } } });
  expect(usageOfFrames([{ from: 'client', json: { type: 'response.create' } }, done(100, 20, 0), done(150, 30, 64)])).toEqual({ input: 250, output: 50, cached: 64 });
  expect(usageOfFrames([{ from: 'server', json: { type: 'response.output_text.delta', delta: 'Hi' } }])).toBeUndefined();
});

test('an answer without token counts has no usage (a transcription billed by duration, an error)', () => {
  expect(summarize({}, [{ data: { text: 'hello', usage: { type: 'duration', seconds: 3 } } }]).usage).toBeUndefined();
  expect(summarize({}, [{ data: { error: { message: 'overloaded' } } }]).usage).toBeUndefined();
});

test('prices: dated and aliased ids find their model; an unknown model has none; cost per million tokens', () => {
  expect(priceOf('gpt-4o-mini-2024-07-18')?.id).toBe('gpt-4o-mini');
  expect(priceOf('gpt-4o-2024-08-06')?.id).toBe('gpt-4o');
  expect(priceOf('claude-3-5-sonnet-20241022')?.id).toBe('claude-3-5-sonnet');
  expect(priceOf('claude-3-7-sonnet-latest')?.id).toBe('claude-3-7-sonnet');
  expect(priceOf('models/gemini-2.0-flash-001')?.id).toBe('gemini-2.0-flash');
  expect(priceOf('my-local-model')).toBeUndefined();
  expect(priceOf('gpt-4o-mini-tts')).toBeUndefined();
  expect(priceOf('my-model', { 'my-model': { input: 1, output: 2 } })?.price).toEqual({ input: 1, output: 2 });

  // gpt-4o-mini: $0.15 in, $0.075 cached, $0.60 out per million.
  expect(costOf({ input: 1000, output: 500 }, PRICES['gpt-4o-mini'])).toBeCloseTo(0.00045, 10);
  expect(costOf({ input: 1000, output: 0, cached: 1000 }, PRICES['gpt-4o-mini'])).toBeCloseTo(0.000075, 10);
  // Anthropic: cache writes at 1.25 times the input price, reads at a tenth.
  expect(costOf({ input: 3210, output: 42, cached: 3000, cacheWrite: 200 }, PRICES['claude-sonnet-4-5'])).toBeCloseTo((10 * 3 + 3000 * 0.3 + 200 * 3.75 + 42 * 15) / 1e6, 12);
  // Gemini 2.5 Pro costs more above 200k prompt tokens.
  expect(costOf({ input: 300_000, output: 1000 }, PRICES['gemini-2.5-pro'])).toBeCloseTo((300_000 * 2.5 + 1000 * 15) / 1e6, 10);

  expect(formatDollars(4.2)).toBe('$4.20');
  expect(formatDollars(1234.5)).toBe('$1,234.50');
  expect(formatDollars(0.00045)).toBe('$0.00045');
  expect(formatTokens(1500)).toBe('1,500');
  expect(formatTokens(2_100_000)).toBe('2.1 M');
});

test("the reporter's prices option: a bad entry is an error naming it", () => {
  expect(checkPrices({ 'my-model': { input: 1, output: 2, cachedInput: 0.5 } })).toEqual({ 'my-model': { input: 1, output: 2, cachedInput: 0.5 } });
  expect(checkPrices(undefined)).toEqual({});
  const bad = (v: unknown) => {
    try {
      checkPrices(v);
    } catch (e) {
      expect(e).toBeInstanceOf(LlmOptionError);
      return (e as LlmOptionError).message;
    }
    throw new Error('no error');
  };
  expect(bad({ 'my-model': { input: '1', output: 2 } })).toContain('prices["my-model"].input: input must be a number of dollars per million tokens');
  expect(bad({ 'my-model': { input: 1 } })).toContain('prices["my-model"].output');
  expect(bad({ 'my-model': { input: 1, output: 2, inputt: 3 } })).toContain('prices["my-model"]');
  expect(bad({ 'my-model': { input: -1, output: 2 } })).toContain('input must not be negative');
  expect(bad(['gpt-4o'])).toContain('prices must be an object of model id');
});
