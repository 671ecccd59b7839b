// Every field of a provider's request says something about the answer, so every one is part of the
// match key: for realistic full requests of each provider's format, two requests that differ only in
// one top-level field (another value, or the field left out) get different keys and different file
// names. Keyed as the plugin keys them by default: described by a session (parsed, secrets replaced)
// with the default llmIgnore and llmRedact. Nothing is left out by default; credential-named body
// fields are, by design (they are replaced before keying).
import { test, expect } from '@playwright/test';
import { keyHash } from '../../src/core/key.js';
import { Recordings } from '../../src/core/recordings/recordings.js';
import { Shelf } from '../../src/core/recordings/shelf.js';
import { DEFAULTS } from '../../src/options.js';

interface Format {
  url: string;
  /** A full request: every top-level field the format has that a client commonly sends. */
  body: Record<string, unknown>;
  /** For each field of `body`, another value a client could send instead. */
  other: Record<string, unknown>;
  /** Other URLs for the same body that ask something else (Gemini names the model and streaming in the path). */
  otherUrls?: string[];
}

const weather = { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] };

const FORMATS: Record<string, Format> = {
  'openai chat completions': {
    url: 'https://api.openai.com/v1/chat/completions',
    body: {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Weather in Paris?' },
      ],
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Current weather', parameters: weather } }],
      tool_choice: 'auto',
      parallel_tool_calls: true,
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 256,
      max_completion_tokens: 256,
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object', properties: { text: { type: 'string' } } } } },
      stop: ['\n\n'],
      seed: 7,
      stream: true,
      stream_options: { include_usage: true },
      metadata: { feature: 'chat' },
      n: 1,
      presence_penalty: 0,
      frequency_penalty: 0,
      logit_bias: { '50256': -100 },
      logprobs: false,
      top_logprobs: 0,
      reasoning_effort: 'low',
      verbosity: 'medium',
      modalities: ['text'],
      prediction: { type: 'content', content: 'Sunny' },
      service_tier: 'auto',
      store: false,
      user: 'user-1',
      safety_identifier: 'safety-1',
      prompt_cache_key: 'cache-1',
      web_search_options: { search_context_size: 'low' },
    },
    other: {
      model: 'gpt-4.1',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Weather in Rome?' },
      ],
      tools: [{ type: 'function', function: { name: 'get_forecast', description: 'Current weather', parameters: weather } }],
      tool_choice: 'required',
      parallel_tool_calls: false,
      temperature: 0.7,
      top_p: 1,
      max_tokens: 512,
      max_completion_tokens: 512,
      response_format: { type: 'json_object' },
      stop: ['END'],
      seed: 8,
      stream: false,
      stream_options: { include_usage: false },
      metadata: { feature: 'search' },
      n: 2,
      presence_penalty: 0.5,
      frequency_penalty: 0.5,
      logit_bias: { '50256': 0 },
      logprobs: true,
      top_logprobs: 2,
      reasoning_effort: 'high',
      verbosity: 'low',
      modalities: ['text', 'audio'],
      prediction: { type: 'content', content: 'Rainy' },
      service_tier: 'flex',
      store: true,
      user: 'user-2',
      safety_identifier: 'safety-2',
      prompt_cache_key: 'cache-2',
      web_search_options: { search_context_size: 'high' },
    },
  },
  'openai responses': {
    url: 'https://api.openai.com/v1/responses',
    body: {
      model: 'gpt-4o-mini',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'Weather in Paris?' }] }],
      instructions: 'You are terse.',
      tools: [{ type: 'function', name: 'get_weather', parameters: weather, strict: false }],
      tool_choice: 'auto',
      parallel_tool_calls: true,
      max_tool_calls: 3,
      temperature: 0.2,
      top_p: 0.9,
      max_output_tokens: 256,
      text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object', properties: { text: { type: 'string' } } } }, verbosity: 'medium' },
      reasoning: { effort: 'low', summary: 'auto' },
      include: ['reasoning.encrypted_content'],
      stream: true,
      stream_options: { include_obfuscation: false },
      metadata: { feature: 'chat' },
      previous_response_id: 'resp_previous000001',
      conversation: 'conv_000001',
      prompt: { id: 'pmpt_000001', version: '1' },
      store: false,
      background: false,
      truncation: 'disabled',
      top_logprobs: 0,
      service_tier: 'auto',
      user: 'user-1',
      safety_identifier: 'safety-1',
      prompt_cache_key: 'cache-1',
    },
    other: {
      model: 'gpt-4.1',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'Weather in Rome?' }] }],
      instructions: 'You are chatty.',
      tools: [{ type: 'function', name: 'get_forecast', parameters: weather, strict: false }],
      tool_choice: 'none',
      parallel_tool_calls: false,
      max_tool_calls: 1,
      temperature: 0.7,
      top_p: 1,
      max_output_tokens: 512,
      text: { format: { type: 'text' }, verbosity: 'medium' },
      reasoning: { effort: 'high', summary: 'auto' },
      include: [],
      stream: false,
      stream_options: { include_obfuscation: true },
      metadata: { feature: 'search' },
      previous_response_id: 'resp_previous000002',
      conversation: 'conv_000002',
      prompt: { id: 'pmpt_000001', version: '2' },
      store: true,
      background: true,
      truncation: 'auto',
      top_logprobs: 2,
      service_tier: 'flex',
      user: 'user-2',
      safety_identifier: 'safety-2',
      prompt_cache_key: 'cache-2',
    },
  },
  'anthropic messages': {
    url: 'https://api.anthropic.com/v1/messages',
    body: {
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      system: 'You are terse.',
      max_tokens: 1024,
      tools: [{ name: 'get_weather', description: 'Current weather', input_schema: weather }],
      tool_choice: { type: 'auto' },
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: ['\n\nHuman:'],
      stream: true,
      metadata: { user_id: 'user-1' },
      thinking: { type: 'enabled', budget_tokens: 512 },
      service_tier: 'auto',
      container: 'container_000001',
      mcp_servers: [{ type: 'url', url: 'https://mcp.example.com/sse', name: 'example' }],
      context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] },
    },
    other: {
      model: 'claude-haiku-4-5',
      messages: [{ role: 'user', content: 'Weather in Rome?' }],
      system: [{ type: 'text', text: 'You are chatty.' }],
      max_tokens: 2048,
      tools: [{ name: 'get_forecast', description: 'Current weather', input_schema: weather }],
      tool_choice: { type: 'any' },
      temperature: 0.7,
      top_p: 1,
      top_k: 5,
      stop_sequences: ['END'],
      stream: false,
      metadata: { user_id: 'user-2' },
      thinking: { type: 'disabled' },
      service_tier: 'standard_only',
      container: 'container_000002',
      mcp_servers: [{ type: 'url', url: 'https://mcp.example.org/sse', name: 'other' }],
      context_management: { edits: [] },
    },
  },
  'gemini generateContent': {
    url: 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    body: {
      contents: [{ role: 'user', parts: [{ text: 'Weather in Paris?' }] }],
      systemInstruction: { parts: [{ text: 'You are terse.' }] },
      tools: [{ functionDeclarations: [{ name: 'get_weather', description: 'Current weather', parameters: weather }] }],
      toolConfig: { functionCallingConfig: { mode: 'AUTO' } },
      safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_ONLY_HIGH' }],
      generationConfig: { temperature: 0.2, topP: 0.9, topK: 40, maxOutputTokens: 256, stopSequences: ['END'], seed: 7, responseMimeType: 'application/json', thinkingConfig: { thinkingBudget: 0 } },
      cachedContent: 'cachedContents/abc123',
      labels: { feature: 'chat' },
    },
    other: {
      contents: [{ role: 'user', parts: [{ text: 'Weather in Rome?' }] }],
      systemInstruction: { parts: [{ text: 'You are chatty.' }] },
      tools: [{ functionDeclarations: [{ name: 'get_forecast', description: 'Current weather', parameters: weather }] }],
      toolConfig: { functionCallingConfig: { mode: 'ANY' } },
      safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
      generationConfig: { temperature: 0.7, topP: 0.9, topK: 40, maxOutputTokens: 256, stopSequences: ['END'], seed: 7, responseMimeType: 'application/json', thinkingConfig: { thinkingBudget: 0 } },
      cachedContent: 'cachedContents/def456',
      labels: { feature: 'search' },
    },
    otherUrls: [
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse',
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent',
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent',
    ],
  },
  'ollama chat': {
    url: 'http://localhost:11434/api/chat',
    body: {
      model: 'llama3.2',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Weather in Paris?' },
      ],
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Current weather', parameters: weather } }],
      format: 'json',
      options: { temperature: 0.2, top_p: 0.9, num_predict: 256, seed: 7, stop: ['END'] },
      stream: true,
      keep_alive: '5m',
      think: false,
    },
    other: {
      model: 'qwen3',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Weather in Rome?' },
      ],
      tools: [{ type: 'function', function: { name: 'get_forecast', description: 'Current weather', parameters: weather } }],
      format: { type: 'object', properties: { text: { type: 'string' } } },
      options: { temperature: 0.7, top_p: 0.9, num_predict: 256, seed: 7, stop: ['END'] },
      stream: false,
      keep_alive: '1h',
      think: true,
    },
  },
};

/** The key and file-name hash the recordings give a request, with the plugin's default llmIgnore and llmRedact. */
function keyed(url: string, body: unknown): { key: string; hash: string } {
  const shelf = new Shelf(new Recordings({ root: '/nonexistent-llm-root', urls: [], ignore: DEFAULTS.llmIgnore, redact: DEFAULTS.llmRedact }), 'record');
  const request = shelf.recordings.describe({ method: 'POST', url, headers: [['content-type', 'application/json']], body: Buffer.from(JSON.stringify(body)) });
  const decision = shelf.decide(request);
  if (decision.kind !== 'record') throw new Error(`expected a record decision, got ${decision.kind}`);
  return { key: decision.key, hash: keyHash(decision.key) };
}

const without = (body: Record<string, unknown>, field: string) => Object.fromEntries(Object.entries(body).filter(([k]) => k !== field));

for (const [name, f] of Object.entries(FORMATS)) {
  test(`${name}: two requests that differ only in one top-level field get different keys`, () => {
    // The table covers each field it lists, with a value that really is another.
    expect(Object.keys(f.other).sort()).toEqual(Object.keys(f.body).sort());
    for (const field of Object.keys(f.body)) expect(JSON.stringify(f.other[field]), field).not.toBe(JSON.stringify(f.body[field]));

    const base = keyed(f.url, f.body);
    // The same request again, keys in another order: the same key (the test below is not trivially true).
    expect(keyed(f.url, Object.fromEntries(Object.entries(f.body).reverse()))).toEqual(base);

    const sameWhenChanged = Object.keys(f.body).filter((field) => keyed(f.url, { ...f.body, [field]: f.other[field] }).key === base.key);
    const sameWhenLeftOut = Object.keys(f.body).filter((field) => keyed(f.url, without(f.body, field)).key === base.key);
    // Nothing is left out of the key by default (llmIgnore is empty): every field counts.
    expect(sameWhenChanged, 'fields whose value does not change the key').toEqual([]);
    expect(sameWhenLeftOut, 'fields whose absence does not change the key').toEqual([]);
    // And the file names differ too: a recording of one is never found for the other.
    const hashes = new Set([base.hash, ...Object.keys(f.body).map((field) => keyed(f.url, { ...f.body, [field]: f.other[field] }).hash)]);
    expect(hashes.size).toBe(Object.keys(f.body).length + 1);

    for (const url of f.otherUrls ?? []) expect(keyed(url, f.body).key, url).not.toBe(base.key);
  });
}

test('left out by design: credential-named body fields, replaced before keying', () => {
  // A gateway may take the key in the body; it is redacted, so a new key does not make a new recording.
  for (const [name, f] of Object.entries(FORMATS)) {
    const base = keyed(f.url, f.body);
    for (const field of ['api_key', 'apiKey', 'access_token']) {
      expect(keyed(f.url, { ...f.body, [field]: 'one-credential-value' }).key, `${name}: ${field}`).toBe(keyed(f.url, { ...f.body, [field]: 'another-credential-value' }).key);
      expect(keyed(f.url, { ...f.body, [field]: 'one-credential-value' }).key, `${name}: ${field}`).not.toBe(base.key);
    }
  }
});
