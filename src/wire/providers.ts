// Everything the plugin knows about LLM providers lives here: which hosts are LLM APIs, how their
// endpoints are named, and which llama-stack type name a payload carries (for seed compatibility).

/** Hosts whose every request counts as an LLM call. Globs in Playwright's URL-glob syntax. */
export const KNOWN_LLM_URLS: readonly string[] = [
  'https://api.openai.com/**',
  'https://*.openai.azure.com/**',
  'https://*.services.ai.azure.com/**',
  'https://*.cognitiveservices.azure.com/**',
  'https://api.anthropic.com/**',
  'https://generativelanguage.googleapis.com/**',
  'https://*aiplatform.googleapis.com/**',
  'https://api.fireworks.ai/**',
  'https://api.groq.com/**',
  'https://api.mistral.ai/**',
  'https://api.together.xyz/**',
  'https://api.together.ai/**',
  'https://openrouter.ai/api/**',
  'https://api.deepseek.com/**',
  'https://api.x.ai/**',
  'https://api.cohere.com/**',
  'https://api.cohere.ai/**',
  'https://api.perplexity.ai/**',
  'https://api.cerebras.ai/**',
  'https://api.deepinfra.com/**',
  'http://localhost:11434/**',
  'http://127.0.0.1:11434/**',
];

/**
 * Requests that SDKs send to an LLM host beside the model calls: telemetry. They are no model call,
 * so they are never recorded nor looked up: the plugin answers each itself (except in passthrough
 * mode), as the API answers it on success. Matched by method and exact path, on any URL the plugin
 * catches (the built-in hosts and `llmUrls`).
 */
export interface NonModelEndpoint {
  method: string;
  path: string;
  /** Who sends it, for the debug note and the docs. */
  what: string;
  /** The success answer, made from the request's JSON body (undefined when it has none). */
  answer(body: unknown): { status: number; body?: object };
}

export const NON_MODEL_ENDPOINTS: readonly NonModelEndpoint[] = [
  // The OpenAI Agents SDK's trace exporter (JS and Python): it reads only `response.ok`; the API answers 204.
  { method: 'POST', path: '/v1/traces/ingest', what: 'OpenAI Agents SDK trace upload', answer: () => ({ status: 204 }) },
  // Claude Code (and the Claude Agent SDK that runs it): event batches, answered with how many were taken.
  ...['/api/event_logging/batch', '/api/event_logging/v2/batch'].map((path) => ({
    method: 'POST',
    path,
    what: 'Claude Code event logging',
    answer: (body: unknown) => ({ status: 200, body: { accepted_count: eventCount(body), rejected_count: 0 } }),
  })),
];

function eventCount(body: unknown): number {
  const events = body && typeof body === 'object' ? (body as { events?: unknown }).events : undefined;
  return Array.isArray(events) ? events.length : 0;
}

/**
 * The provider-neutral name of an endpoint: the path from its last version segment on
 * (`/inference/v1/chat/completions` → `/v1/chat/completions`, which also undoes llama-stack's
 * doubled `/v1/v1`), or the whole path when it has none (Ollama's `/api/chat`).
 */
export function canonicalPath(pathname: string): string {
  const parts = pathname.split('/').filter(Boolean);
  let from = -1;
  for (let i = 0; i < parts.length; i++) if (/^v\d+[a-z0-9]*$/i.test(parts[i])) from = i;
  return '/' + (from >= 0 ? parts.slice(from) : parts).join('/');
}

/** A short, file-name-safe name of an endpoint: `/v1/chat/completions` → `chat-completions`. */
export function endpointSlug(endpoint: string): string {
  const path = endpoint.split('?')[0];
  const tail = path
    .split('/')
    .filter((p) => p && !/^v\d+[a-z0-9]*$/i.test(p))
    .slice(-2)
    .join('-');
  return (tail.replace(/[^a-zA-Z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase() || 'root').slice(0, 40);
}

/** The model a request names: in the JSON body, or in the path (Gemini `models/<m>:generateContent`). */
export function requestModel(endpoint: string, body: unknown): string | undefined {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const model = (body as Record<string, unknown>).model;
    if (typeof model === 'string') return model;
  }
  const m = /\/models\/([^/:?]+)/.exec(endpoint);
  return m ? decodeURIComponent(m[1]) : undefined;
}

// llama-stack writes each payload as {"__type__": <python class>, "__data__": ...}. We write the
// same names for the OpenAI shapes so its reader can load our OpenAI-style files.
const OPENAI_TYPES: Array<[RegExp, string, string]> = [
  // [endpoint, streamed chunk type, whole-response type]
  [/\/chat\/completions$/, 'openai.types.chat.chat_completion_chunk.ChatCompletionChunk', 'openai.types.chat.chat_completion.ChatCompletion'],
  [/\/completions$/, 'openai.types.completion.Completion', 'openai.types.completion.Completion'],
  [/\/embeddings$/, '', 'openai.types.create_embedding_response.CreateEmbeddingResponse'],
];

export function payloadTypeName(endpoint: string, streamed: boolean): string | undefined {
  const path = endpoint.split('?')[0];
  for (const [re, chunk, whole] of OPENAI_TYPES) if (re.test(path)) return (streamed ? chunk : whole) || undefined;
  return undefined;
}

/** How a llama-stack file with typed payloads was framed on the wire. */
export function framingOfTypeName(typeName: string): 'sse' | 'ndjson' {
  return typeName.startsWith('ollama.') ? 'ndjson' : 'sse';
}

/** OpenAI-style streams end with `data: [DONE]`; llama-stack files leave it out. */
export function impliedTerminator(typeName: string): string | undefined {
  return typeName.startsWith('openai.') ? '[DONE]' : undefined;
}

/** llama-stack stores a model list as a bare list of Model objects; the wire shape is a page. */
export function wrapListBody(endpoint: string, items: unknown[]): unknown {
  if (/\/models$/.test(endpoint.split('?')[0])) return { object: 'list', data: items };
  return items;
}

/** Response headers worth keeping in a recording: they are what a client may read. */
export function keepResponseHeader(name: string): boolean {
  return (
    name === 'content-type' ||
    name === 'cache-control' ||
    name === 'x-request-id' ||
    name === 'request-id' ||
    name === 'retry-after' ||
    /^openai-(model|processing-ms|version)$/.test(name) ||
    /^x-ratelimit-/.test(name) ||
    /^anthropic-ratelimit-/.test(name)
  );
}

/**
 * A provider's own mid-stream error event, in its wire format: what `{ errorEvent }` faults send.
 * `value`: true for the provider's default, a message, or the event's data as it should be sent.
 */
export function errorEvent(endpoint: string, framing: 'sse' | 'ndjson', eol: string, value: true | string | object): Buffer {
  const path = endpoint.split('?')[0];
  const message = typeof value === 'string' ? value : 'The server had an error while processing your request. (fault injected by playwright-llm-replay)';
  const custom = typeof value === 'object' ? value : undefined;
  if (framing === 'ndjson') return Buffer.from(JSON.stringify(custom ?? { error: message }) + eol);
  const sse = (data: object, event?: string) => Buffer.from(`${event ? `event: ${event}${eol}` : ''}data: ${JSON.stringify(data)}${eol}${eol}`);
  if (/\/messages$/.test(path)) return sse(custom ?? { type: 'error', error: { type: 'overloaded_error', message: typeof value === 'string' ? value : 'Overloaded' } }, 'error');
  if (/\/responses$/.test(path)) return sse(custom ?? { type: 'error', error: { type: 'server_error', code: 'server_error', message, param: null }, sequence_number: 0 }, 'error');
  if (/:streamGenerateContent$/.test(path)) return sse(custom ?? { error: { code: 503, message: typeof value === 'string' ? value : 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } });
  return sse(custom ?? { error: { message, type: 'server_error', param: null, code: null } });
}

/** An error answer's body in a provider's shape, for `{ status }` faults without a body of their own. */
export function errorBody(endpoint: string, status: number): object {
  const path = endpoint.split('?')[0];
  const message = `${status === 429 ? 'Rate limit reached' : 'The server had an error'} (fault injected by playwright-llm-replay)`;
  const type = status === 429 ? 'rate_limit_error' : status >= 500 ? 'api_error' : 'invalid_request_error';
  if (/\/messages$/.test(path)) return { type: 'error', error: { type, message } };
  if (/:(stream)?[gG]enerateContent$/.test(path)) return { error: { code: status, message, status: status === 429 ? 'RESOURCE_EXHAUSTED' : 'UNAVAILABLE' } };
  if (path.startsWith('/api/')) return { error: message };
  return { error: { message, type: status === 429 ? 'requests' : 'server_error', param: null, code: status === 429 ? 'rate_limit_exceeded' : null } };
}

/**
 * The providers `verify --live` re-sends recordings to with the user's keys: where each one's API is,
 * which environment variables hold its key, and how the key goes into a request. A key is only ever
 * sent to the provider's own origin, or to a base URL the user names (`--base-url openai=<url>`),
 * never to the host a recording names.
 */
export interface LiveProvider {
  name: 'openai' | 'anthropic' | 'gemini';
  origin: string;
  /** The environment variables that may hold the key, the first set one wins. */
  env: readonly string[];
  /** The headers carrying the key (besides the request's own). */
  auth(key: string, headers: Record<string, string>): Record<string, string>;
}

export const LIVE_PROVIDERS: readonly LiveProvider[] = [
  { name: 'openai', origin: 'https://api.openai.com', env: ['OPENAI_API_KEY'], auth: (key) => ({ authorization: `Bearer ${key}` }) },
  { name: 'anthropic', origin: 'https://api.anthropic.com', env: ['ANTHROPIC_API_KEY'], auth: (key, h) => ({ 'x-api-key': key, 'anthropic-version': h['anthropic-version'] ?? '2023-06-01' }) },
  { name: 'gemini', origin: 'https://generativelanguage.googleapis.com', env: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'], auth: (key) => ({ 'x-goog-api-key': key }) },
];

/**
 * Which live provider a recorded request went to: by its host when that is the provider's own, else
 * (a recording made against a local stand-in or proxy) by its endpoint; undefined for another
 * provider's host (Groq, Fireworks…) or an endpoint of none of them (Ollama's `/api/chat`).
 */
export function liveProviderOf(url: string): LiveProvider | undefined {
  const u = new URL(url);
  const own = LIVE_PROVIDERS.find((p) => new URL(p.origin).host === u.host);
  if (own) return own;
  if (KNOWN_LLM_URLS.some((glob) => glob.startsWith('https://') && hostMatches(glob, u.host))) return undefined;
  const path = u.pathname;
  if (/\/v1\/messages(\/|$)/.test(path)) return LIVE_PROVIDERS[1];
  if (/\/v1(beta|alpha)?\/models\/[^/]+:/.test(path)) return LIVE_PROVIDERS[2];
  if (/^\/api\//.test(path)) return undefined;
  return /\/v1\//.test(path) ? LIVE_PROVIDERS[0] : undefined;
}

function hostMatches(glob: string, host: string): boolean {
  const pattern = glob.replace(/^https?:\/\//, '').split('/')[0];
  return new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`).test(host);
}
