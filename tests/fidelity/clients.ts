// The fidelity table: each official SDK, the calls it makes, and the awkward-but-legal wire cases of
// the stand-in upstream it must parse. A scenario returns what the SDK yielded (events, text, usage,
// tool calls, or the error it threw), as plain JSON, so a replay can be compared with the live call.
// The same module runs in Node and, bundled, in the page. Adding a provider is one entry here.
import OpenAI, { toFile } from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { Ollama } from 'ollama/browser';
import { streamText, generateText } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { createAnthropic } from '@ai-sdk/anthropic';

/** The stand-in's wire variants (header x-standin-case); `plain` is none. */
export const SSE_CASES = ['plain', 'mixed-eol', 'crlf', 'comments', 'odd-fields', 'split', 'reset', 'error-event'] as const;
export const NDJSON_CASES = ['plain', 'crlf', 'split', 'reset', 'error-event'] as const;
export type Case = (typeof SSE_CASES)[number];

export interface Call {
  /** The upstream's origin, e.g. http://127.0.0.1:4010. */
  origin: string;
  /** The stand-in's wire variant. */
  kase: Case;
  /** Which client of the table asks (set by `run`). */
  client?: string;
}

type Scenario = (call: Call) => Promise<unknown>;

export interface Client {
  /** Wire variants its streamed answer is checked with. */
  cases: readonly Case[];
  /** The streamed text answer, run with every case (none: `cases` is empty). */
  stream?: Scenario;
  /** Other calls, run in the plain case. */
  more: Record<string, Scenario>;
}

const headers = (c: Call): Record<string, string> => (c.kase === 'plain' ? {} : { 'x-standin-case': c.kase });
const weatherSchema = { type: 'object' as const, properties: { location: { type: 'string' } }, required: ['location'] };

const openai = (c: Call) => new OpenAI({ apiKey: 'sk-fidelity', baseURL: `${c.origin}/v1`, maxRetries: 0, dangerouslyAllowBrowser: true, defaultHeaders: headers(c) });
const anthropic = (c: Call) => new Anthropic({ apiKey: 'sk-ant-fidelity', baseURL: c.origin, maxRetries: 0, dangerouslyAllowBrowser: true, defaultHeaders: headers(c) });
const gemini = (c: Call) => new GoogleGenAI({ apiKey: 'AIza-fidelity', httpOptions: { baseUrl: c.origin, headers: headers(c) } });
const ollama = (c: Call) => new Ollama({ host: c.origin, headers: headers(c) });
const aiOpenAI = (c: Call) => createOpenAI({ apiKey: 'sk-fidelity', baseURL: `${c.origin}/v1`, headers: headers(c) });
const aiAnthropic = (c: Call) => createAnthropic({ apiKey: 'sk-ant-fidelity', baseURL: `${c.origin}/v1`, headers: headers(c) });

/** Everything an async iterable yields, then the error it ended with, if any. */
async function drain(iterable: AsyncIterable<unknown>): Promise<unknown> {
  const items: unknown[] = [];
  try {
    for await (const item of iterable) items.push(item);
    return { items: plain(items) };
  } catch (err) {
    return { items: plain(items), error: errorOf(err) };
  }
}

/** A call's result, or the error it threw. */
async function settle(work: () => Promise<unknown>): Promise<unknown> {
  try {
    return { result: plain(await work()) };
  } catch (err) {
    return { error: errorOf(err) };
  }
}

function errorOf(err: unknown): unknown {
  const e = err as { constructor?: { name?: string }; message?: string; status?: number; name?: string };
  return { kind: e?.constructor?.name ?? e?.name, message: e?.message, status: e?.status };
}

/**
 * Headers that describe one connection, not the answer: a recording keeps none of them (a replay
 * has its own), so an SDK that hands response headers back (Gemini's sdkHttpResponse) shows them
 * only on the live call. Everything else the upstream sent must be the same.
 */
const TRANSPORT_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date', 'set-cookie']);

/** JSON data only: class instances, functions and undefined fields dropped, transport headers too. */
function plain(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, function (this: unknown, k, v) {
      if (typeof v === 'bigint') return String(v);
      // A typed array (the openai SDK's decoded base64 embeddings): its numbers.
      if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
      if (k === 'headers' && v && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.entries(v).filter(([h]) => !TRANSPORT_HEADERS.has(h.toLowerCase())));
      return v;
    }) ?? 'null',
  );
}

/** A binary answer (the SDK hands back the Response): its status, content type and every byte, in hex. */
/** A few kB of audio-like bytes, the same on every call (made in the page too: no Buffer). */
function voiceNote(): Uint8Array {
  return Uint8Array.from({ length: 6000 }, (_, i) => Math.round(128 + 90 * Math.sin(i / 6)) & 0xff);
}

async function bytesOf(response: Response): Promise<unknown> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { status: response.status, contentType: response.headers.get('content-type'), length: bytes.length, hex: Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('') };
}

/** The ai SDK's stream parts without the ids it makes up itself on every call. */
async function aiParts(result: { fullStream: AsyncIterable<unknown> }): Promise<unknown> {
  const parts: unknown[] = [];
  try {
    for await (const part of result.fullStream) {
      const p = { ...(part as Record<string, unknown>) };
      if (p.type === 'error') p.error = errorOf(p.error);
      for (const k of ['request', 'response', 'warnings']) delete p[k];
      parts.push(p);
    }
    return { parts: plain(parts) };
  } catch (err) {
    // ai 5 throws from fullStream when the connection breaks mid-answer.
    return { parts: plain(parts), error: errorOf(err) };
  }
}

/** The question, naming the client and the case, so each cell is its own recording. */
const ask = (c: Call) => `Tell me about the sea (${c.client}, ${c.kase})`;

export const CLIENTS: Record<string, Client> = {
  'openai chat': {
    cases: SSE_CASES,
    stream: async (c) => drain(await openai(c).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: ask(c) }], stream: true })),
    more: {
      usage: async (c) => drain(await openai(c).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: ask(c) }], stream: true, stream_options: { include_usage: true } })),
      'tool calls': async (c) =>
        drain(await openai(c).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather in Paris?' }], stream: true, tools: [{ type: 'function', function: { name: 'get_weather', parameters: weatherSchema } }] })),
      'not streamed': (c) => settle(() => openai(c).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: ask(c) }] })),
      reasoning: async (c) => drain(await openai(c).chat.completions.create({ model: 'deepseek-reasoner', messages: [{ role: 'user', content: ask(c) }], stream: true, reasoning_effort: 'low' })),
      'multi-turn': async (c) =>
        drain(
          await openai(c).chat.completions.create({
            model: 'gpt-4o-mini',
            stream: true,
            messages: [
              { role: 'user', content: 'Hello' },
              { role: 'assistant', content: 'Echo: Hello' },
              { role: 'user', content: 'And again' },
            ],
          }),
        ),
    },
  },
  // The endpoints beside chat that a chat UI uses.
  'openai non-chat': {
    cases: [],
    more: {
      // The SDK asks for base64 when the caller names no format, and decodes the float32s itself.
      embeddings: (c) => settle(() => openai(c).embeddings.create({ model: 'text-embedding-3-small', input: ['the sea', 'the sky'] })),
      'embeddings float': (c) => settle(() => openai(c).embeddings.create({ model: 'text-embedding-3-small', input: 'the sea', encoding_format: 'float', dimensions: 16 })),
      'image b64_json': (c) => settle(() => openai(c).images.generate({ model: 'gpt-image-1', prompt: 'A lighthouse at dusk', size: '1024x1024', quality: 'low' })),
      'image url': (c) => settle(() => openai(c).images.generate({ model: 'dall-e-3', prompt: 'A lighthouse at dusk' })),
      moderations: (c) => settle(() => openai(c).moderations.create({ model: 'omni-moderation-latest', input: ['I will kill the process', 'Tell me about the sea'] })),
      speech: (c) => settle(async () => bytesOf(await openai(c).audio.speech.create({ model: 'gpt-4o-mini-tts', voice: 'coral', input: 'Ahoy, the sea is calm tonight and the stars are out.' }))),
      'speech sse': (c) => settle(async () => (await openai(c).audio.speech.create({ model: 'gpt-4o-mini-tts', voice: 'coral', input: 'Ahoy, sailor.', stream_format: 'sse' })).text()),
      // Uploads: the SDK builds a multipart body with a new boundary on every call.
      transcription: (c) => settle(async () => openai(c).audio.transcriptions.create({ file: await toFile(voiceNote(), 'note.wav', { type: 'audio/wav' }), model: 'whisper-1', response_format: 'verbose_json', timestamp_granularities: ['word', 'segment'] })),
      'transcription text': (c) => settle(async () => openai(c).audio.transcriptions.create({ file: await toFile(voiceNote(), 'note.wav', { type: 'audio/wav' }), model: 'gpt-4o-mini-transcribe', response_format: 'text' })),
      'transcription stream': async (c) => drain(await openai(c).audio.transcriptions.create({ file: await toFile(voiceNote(), 'note.wav', { type: 'audio/wav' }), model: 'gpt-4o-transcribe', stream: true, include: ['logprobs'] })),
      translation: (c) => settle(async () => openai(c).audio.translations.create({ file: await toFile(voiceNote(), 'note.mp3', { type: 'audio/mpeg' }), model: 'whisper-1' })),
    },
  },
  'openai responses': {
    cases: SSE_CASES,
    stream: async (c) => drain(await openai(c).responses.create({ model: 'gpt-4o-mini', input: ask(c), stream: true })),
    more: {
      'not streamed': (c) => settle(() => openai(c).responses.create({ model: 'gpt-4o-mini', input: ask(c) })),
      'tool calls': async (c) => drain(await openai(c).responses.create({ model: 'gpt-4o-mini', input: 'Weather in Paris?', stream: true, tools: [{ type: 'function', name: 'get_weather', parameters: weatherSchema, strict: false }] })),
      reasoning: async (c) => drain(await openai(c).responses.create({ model: 'o4-mini', input: ask(c), stream: true, reasoning: { effort: 'low', summary: 'auto' } })),
    },
  },
  anthropic: {
    cases: SSE_CASES,
    stream: async (c) => drain(await anthropic(c).messages.create({ model: 'claude-sonnet-5', max_tokens: 256, messages: [{ role: 'user', content: ask(c) }], stream: true })),
    more: {
      'not streamed': (c) => settle(() => anthropic(c).messages.create({ model: 'claude-sonnet-5', max_tokens: 256, messages: [{ role: 'user', content: ask(c) }] })),
      'tool calls': async (c) =>
        drain(await anthropic(c).messages.create({ model: 'claude-sonnet-5', max_tokens: 256, messages: [{ role: 'user', content: 'Weather in Paris?' }], stream: true, tools: [{ name: 'get_weather', input_schema: weatherSchema }] })),
      'count tokens': (c) => settle(() => anthropic(c).messages.countTokens({ model: 'claude-sonnet-5', system: 'Be brief.', messages: [{ role: 'user', content: ask(c) }], tools: [{ name: 'get_weather', input_schema: weatherSchema }] })),
      thinking: async (c) =>
        drain(await anthropic(c).messages.create({ model: 'claude-sonnet-5', max_tokens: 2048, messages: [{ role: 'user', content: ask(c) }], stream: true, thinking: { type: 'enabled', budget_tokens: 1024 } })),
    },
  },
  gemini: {
    cases: SSE_CASES,
    stream: async (c) => drain(await gemini(c).models.generateContentStream({ model: 'gemini-2.5-flash', contents: ask(c) })),
    more: {
      'not streamed': (c) => settle(() => gemini(c).models.generateContent({ model: 'gemini-2.5-flash', contents: ask(c) })),
      embeddings: (c) => settle(() => gemini(c).models.embedContent({ model: 'gemini-embedding-001', contents: 'the sea' })),
    },
  },
  'ai sdk · openai chat': {
    cases: SSE_CASES,
    stream: (c) => aiParts(streamText({ model: aiOpenAI(c).chat('gpt-4o-mini'), prompt: ask(c), maxRetries: 0, onError: () => {} })),
    more: {
      'not streamed': (c) => settle(async () => (await generateText({ model: aiOpenAI(c).chat('gpt-4o-mini'), prompt: ask(c), maxRetries: 0 })).text),
    },
  },
  'ai sdk · openai responses': {
    cases: ['plain', 'mixed-eol', 'crlf', 'error-event'],
    stream: (c) => aiParts(streamText({ model: aiOpenAI(c).responses('gpt-4o-mini'), prompt: ask(c), maxRetries: 0, onError: () => {} })),
    more: {},
  },
  'ai sdk · anthropic': {
    cases: SSE_CASES,
    stream: (c) => aiParts(streamText({ model: aiAnthropic(c)('claude-sonnet-5'), prompt: ask(c), maxRetries: 0, onError: () => {} })),
    more: {},
  },
  ollama: {
    cases: NDJSON_CASES,
    stream: async (c) => drain(await ollama(c).chat({ model: 'llama3.2', messages: [{ role: 'user', content: ask(c) }], stream: true })),
    more: {
      'not streamed': (c) => settle(() => ollama(c).chat({ model: 'llama3.2', messages: [{ role: 'user', content: ask(c) }], stream: false })),
      embeddings: (c) => settle(() => ollama(c).embed({ model: 'all-minilm', input: 'the sea' })),
    },
  },
};

/** Every cell of the table: a client, a scenario, a case. */
export function cells(): { client: string; scenario: string; kase: Case }[] {
  const out: { client: string; scenario: string; kase: Case }[] = [];
  for (const [client, c] of Object.entries(CLIENTS)) {
    for (const kase of c.stream ? c.cases : []) out.push({ client, scenario: 'stream', kase });
    for (const scenario of Object.keys(c.more)) out.push({ client, scenario, kase: 'plain' });
  }
  return out;
}

/** Runs one cell against an origin. */
export function run(client: string, scenario: string, call: Call): Promise<unknown> {
  const c = CLIENTS[client];
  const withClient = { ...call, client };
  return scenario === 'stream' ? c.stream!(withClient) : c.more[scenario](withClient);
}
