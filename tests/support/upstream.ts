// A local stand-in for the LLM providers, on 127.0.0.1. It speaks their real wire formats, so the
// official SDKs parse it as they parse the real APIs:
//   POST /v1/chat/completions   OpenAI chat: SSE `data: {...}` chunks then `data: [DONE]`, or JSON;
//                               tool calls when the request has `tools`; usage with include_usage;
//                               `reasoning_content` deltas when it has `reasoning_effort` (DeepSeek style)
//   POST /v1/responses          OpenAI Responses: SSE with `event:` names and `sequence_number`s, or JSON;
//                               a function_call item with `tools`, a reasoning item with `reasoning`
//   POST /v1/embeddings         OpenAI embeddings: `encoding_format` float or base64 (float32 LE)
//   POST /v1/audio/transcriptions, /v1/audio/translations   OpenAI speech to text: a multipart form
//                               (file, model, …); json, text, srt, vtt, verbose_json, or SSE
//                               `transcript.text.*` events with `stream=true`
//   POST /v1/files, /v1/images/edits   OpenAI uploads: a multipart form; the File object, the edited image
//   POST /v1/audio/speech       OpenAI text to speech: binary audio in chunks, or SSE `speech.audio.*`
//   POST /v1/images/generations  OpenAI images: base64 PNGs (gpt-image-*, or `b64_json`) or URLs
//   POST /v1/moderations        OpenAI moderation results, flagged by a few words
//   POST /v1/messages           Anthropic Messages: SSE with `event:` names, or JSON; a tool_use block
//                               with `tools`, a thinking block with `thinking: {type: 'enabled'}`
//   POST /v1/messages/count_tokens   Anthropic: `{input_tokens}`
//   POST /v1beta/models/{m}:streamGenerateContent?alt=sse   Gemini: SSE `data: {...}\r\n\r\n`
//   POST /v1beta/models/{m}:generateContent | :embedContent | :batchEmbedContents    Gemini JSON
//   POST /api/chat, /api/generate   Ollama: NDJSON stream, or JSON with `stream: false`
//   POST /api/embed, /api/embeddings   Ollama embeddings
// and WebSockets on the same port (realtime.ts tells them in full):
//   GET /v1/realtime?model=…    OpenAI Realtime: JSON events; GA names, or beta names with the header
//                               `OpenAI-Beta: realtime=v1` (or subprotocol `openai-beta.realtime-v1`);
//                               session.created, session.update, conversation.item.create, input audio
//                               append/commit with a transcript, response.create streaming text or
//                               audio deltas then response.done with usage; error events; subprotocols
//                               `realtime` and the browser's `openai-insecure-api-key.<key>`
//   GET /ws/google.ai.generativelanguage.{v1beta|v1alpha}.GenerativeService.BidiGenerateContent?key=…
//       (and …BidiGenerateContentConstrained?access_token=…)   Gemini Live: setup → setupComplete;
//                               clientContent turns or realtimeInput text/audio → serverContent.modelTurn
//                               chunks, generationComplete, turnComplete with usageMetadata; JSON sent
//                               in binary frames, as Google sends it; bad messages close the socket
// Answers are deterministic in the prompt ("Echo: <last user message>"), except to a chat message
// that starts with "Surprise me": as a model does, it answers that differently on every call, in
// turn a short answer, a long one with a table, and a refusal (VARIED_ANSWERS; per stand-in, per
// conversation). Ids and timestamps are
// fresh per call, as on the real APIs, unless `deterministic`: then they (and the cookie and the
// `date` header) derive from the request alone, so the same request gets byte-identical headers
// and body (on a WebSocket: from its URL, and the events before them).
// Tokens come with per-token delays; one event of every stream is split across two TCP writes.
// Models `rate-limited` and `broken` get a 429 and a 500 with an error body (Gemini: the model of
// the path, and Google's error format); on a WebSocket, `broken` gets the provider's error and a close.
//
// The request header `x-standin-case` picks an awkward but legal variant of a streamed answer (the
// JSON answers ignore it): see CASES below. An unknown value gets a 400 naming the valid ones.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { attachRealtime } from './realtime.js';

export interface Upstream {
  url: string;
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** Requests served so far (WebSocket upgrades included). */
  readonly requests: number;
  /** For each streamed response, the gaps (ms) between the writes of its events. */
  readonly gaps: number[][];
  /** The headers of every request received, in order. */
  readonly received: http.IncomingHttpHeaders[];
  /** Answers the client gave up before their end (it closed the connection). */
  readonly cut: number;
  close(): Promise<void>;
}

export interface UpstreamOptions {
  /** Delay between tokens, ms. */
  tokenDelay?: number;
  port?: number;
  /**
   * Ids, timestamps, the cookie and the `date` header derived from the request (method, URL,
   * body) instead of fresh: the same request always gets the same bytes. Delays stay.
   */
  deterministic?: boolean;
  /**
   * OpenAI chat answers (JSON, and every chunk of a stream) change shape as an API update would:
   * a `service_tier` field is added and `system_fingerprint` is gone (for `verify --live` tests).
   */
  drift?: boolean;
}

/** The request header that picks a wire variant of a streamed answer. */
export const CASE_HEADER = 'x-standin-case';

/**
 * The wire variants, all legal, and the streams they apply to (`sse`: SSE only; `any`: NDJSON
 * too). In every one a conforming client parses the same answer as in the plain format, except
 * `reset` and `error-event`, which end the answer after its 3rd event.
 */
export const CASES = {
  /** SSE lines ended by LF, CRLF, LF then CRLF, CR, in turn (the SSE spec allows any, mixed). */
  'mixed-eol': 'sse',
  /** Every line ended by CRLF, as some servers and proxies send them: SSE lines and NDJSON lines alike. */
  crlf: 'any',
  /** A `: keep-alive` comment block between events, a `: note` comment line inside others. */
  comments: 'sse',
  /** A `retry:` block, `id:` lines, an unknown `x-foo:` field, fields without a space after the colon. */
  'odd-fields': 'sse',
  /** Every event (NDJSON line) in 2 or 3 TCP writes, cut inside a line end or a UTF-8 character too. */
  split: 'any',
  /** The socket destroyed after the 3rd event: a network failure mid-answer. */
  reset: 'any',
  /** After the 3rd event, the provider's own mid-stream error in its wire format; status stays 200. */
  'error-event': 'any',
} as const;
export type WireCase = keyof typeof CASES;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Json = Record<string, any>;

export function tokensOf(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

/** The text of the last user turn: chat `messages`, Responses `input`, Gemini `contents`. */
function lastUserText(body: Json): string {
  if (typeof body.input === 'string') return body.input;
  const turns: Json[] = body.messages ?? (Array.isArray(body.input) ? body.input : undefined) ?? body.contents ?? [];
  const last = [...turns].reverse().find((m) => m?.role === 'user' || (m?.role === undefined && Array.isArray(m?.parts)));
  const content = last?.content ?? last?.parts;
  return typeof content === 'string' ? content : (content ?? []).map((p: Json) => p.text ?? '').join(' ');
}

export function answerFor(body: Json): string {
  return `Echo: ${lastUserText(body) || body.prompt || '(nothing)'}`;
}

/** What the stand-in answers, in turn, to the same "Surprise me" conversation: a short answer, a long one with a table, a refusal. */
export const VARIED_ANSWERS = [
  'Lisbon.',
  [
    'Here are five European capitals worth a long weekend, with what each is known for:',
    '',
    '| City | Country | Known for | Best season |',
    '|------|---------|-----------|-------------|',
    '| Lisbon | Portugal | trams, tiled facades and custard tarts | spring |',
    '| Vienna | Austria | coffee houses, opera and the Ringstrasse | autumn |',
    '| Prague | Czechia | a medieval old town and its astronomical clock | late spring |',
    '| Copenhagen | Denmark | harbour baths, cycling and new Nordic food | summer |',
    '| Ljubljana | Slovenia | a car-free centre on the river and dragons on the bridges | early autumn |',
    '',
    'If you can pick only one, Lisbon has the mildest weather for most of the year.',
  ].join('\n'),
  "I'm sorry, but I can't help with that request.",
];

/** The varied answer to a "Surprise me" conversation (the next in turn for it), else undefined. */
function variedAnswer(body: Json, turns: Map<string, number>): string | undefined {
  if (!/^surprise me/i.test(lastUserText(body))) return undefined;
  const conversation = JSON.stringify(body.messages ?? []);
  const n = turns.get(conversation) ?? 0;
  turns.set(conversation, n + 1);
  return VARIED_ANSWERS[n % VARIED_ANSWERS.length];
}

/** What the stand-in hears in audio: its length and digest, so that other audio is heard differently. */
export function heardIn(bytes: Buffer, verb = 'Heard'): string[] {
  return [`${verb} ${bytes.length} bytes of audio.`, `Digest ${createHash('sha256').update(bytes).digest('hex').slice(0, 8)}.`];
}

/** The reasoning text of the answers that show their reasoning. */
function thoughtsFor(body: Json): string {
  return `The user wrote "${lastUserText(body) || body.prompt || ''}". I should echo it back.`;
}

/** The arguments of every tool call the stand-in makes. */
const TOOL_ARGS = { location: 'Paris' };

/** Ids, random bytes and the time of one request: fresh, or derived from the request. */
export class Ids {
  private n = 0;
  private epoch?: number;
  constructor(private readonly seed?: string) {}

  bytes(length: number): Buffer {
    if (this.seed === undefined) return randomBytes(length);
    const n = this.n++;
    const out: Buffer[] = [];
    for (let k = 0; out.length * 32 < length; k++) out.push(createHash('sha256').update(`${this.seed}#${n}.${k}`).digest());
    return Buffer.concat(out).subarray(0, length);
  }
  id(prefix: string, bytes = 12) {
    return prefix + this.bytes(bytes).toString('hex');
  }
  /** Letters and digits, as in real ids and in obfuscation padding. */
  alnum(length: number) {
    const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    return [...this.bytes(length)].map((b) => abc[b % abc.length]).join('');
  }
  /** Now, in ms; derived: a time in 2025 fixed by the request. */
  now(): number {
    if (this.seed === undefined) return Date.now();
    this.epoch ??= Date.UTC(2025, 0, 1) + (this.bytes(6).readUIntBE(0, 6) % (365 * 86_400_000));
    return this.epoch;
  }
  unix() {
    return Math.floor(this.now() / 1000);
  }
  /** An ISO timestamp `offset` ms after now (derived: after the request's fixed time). */
  iso(offset = 0) {
    return new Date(this.seed === undefined ? Date.now() : this.now() + offset).toISOString();
  }
}

/** What a handler gets: the request body, the response, and the means to answer. */
interface Ctx {
  /** The JSON body, or a multipart form's fields (see `formOf`). */
  body: Json;
  /** The body was multipart/form-data. */
  multipart: boolean;
  contentType: string;
  /** The query string, without `?`. */
  query: string;
  res: http.ServerResponse;
  w: EventWriter;
  ids: Ids;
  requestId: string;
  kase?: WireCase;
  drift?: boolean;
  /** How many times each "Surprise me" conversation was answered (variedAnswer). */
  varied: Map<string, number>;
}

export async function startUpstream(options: UpstreamOptions = {}): Promise<Upstream> {
  const tokenDelay = options.tokenDelay ?? 20;
  const stats = { connections: 0, requests: 0, cut: 0, gaps: [] as number[][], received: [] as http.IncomingHttpHeaders[] };
  const varied = new Map<string, number>();
  const server = http.createServer(async (req, res) => {
    stats.requests++;
    stats.received.push(req.headers);
    res.on('close', () => void (res.writableFinished || stats.cut++));
    // Browsers may call it from a page, as they may call the real APIs.
    res.setHeader('access-control-allow-origin', '*');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-methods': 'GET, POST, OPTIONS', 'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*', 'access-control-max-age': '600' });
      return void res.end();
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const bytes = Buffer.concat(chunks);
    const contentType = String(req.headers['content-type'] ?? '');
    const multipart = /^\s*multipart\/form-data/i.test(contentType);
    let body: Json = {};
    // What the answer derives from: the body, or, for a form, its fields without the boundary
    // (a new random one on every call), each file by its digest.
    let identity = bytes.toString();
    if (multipart) {
      try {
        body = await formOf(bytes, contentType);
      } catch {
        return json(res, 400, { error: { message: 'We could not parse the multipart/form-data body of your request.', type: 'invalid_request_error', param: null, code: null } });
      }
      identity = JSON.stringify(body, (_, v) => (isUpload(v) ? { ...v, bytes: createHash('sha256').update(v.bytes).digest('hex') } : v));
    } else {
      try {
        body = JSON.parse(identity || '{}');
      } catch {
        return json(res, 400, { error: { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error', param: null, code: null } });
      }
    }
    const ids = new Ids(options.deterministic ? createHash('sha256').update(`${req.method} ${req.url}\n${identity}`).digest('hex') : undefined);
    const requestId = ids.id('req_');
    // Node dates every answer; a derived answer gets the request's own date instead.
    if (options.deterministic) res.setHeader('date', new Date(ids.now()).toUTCString());
    res.setHeader('x-request-id', requestId);
    res.setHeader('set-cookie', `__cf_bm=${ids.bytes(8).toString('hex')}; path=/; HttpOnly`);
    const [path, query = ''] = (req.url ?? '').split('?');
    const kase = String(req.headers[CASE_HEADER] ?? '').trim();
    if (kase && !(kase in CASES)) {
      return json(res, 400, { error: { message: `Unknown ${CASE_HEADER}: "${kase}". Valid values: ${validCases('sse')} (NDJSON streams: ${validCases('ndjson')}).`, type: 'invalid_request_error', param: CASE_HEADER, code: 'unknown_case' } });
    }
    if (body.model === 'rate-limited') {
      res.setHeader('retry-after', '0');
      return json(res, 429, { error: { message: 'Rate limit reached for requests', type: 'requests', param: null, code: 'rate_limit_exceeded' } });
    }
    if (body.model === 'broken') return json(res, 500, { error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } });
    const w = new EventWriter(res, tokenDelay, stats.gaps);
    const c: Ctx = { body, multipart, contentType, query, res, w, ids, requestId, kase: (kase || undefined) as WireCase | undefined, drift: options.drift, varied };
    if (req.method === 'POST') {
      for (const route of ROUTES) {
        const m = route.path.exec(path);
        if (m) return route.handle(c, m);
      }
    }
    json(res, 404, { error: { message: `Unknown request URL: ${req.method} ${path}`, type: 'invalid_request_error', param: null, code: 'unknown_url' } });
  });
  server.on('connection', (socket) => {
    stats.connections++;
    socket.setNoDelay(true);
  });
  server.on('upgrade', (req) => {
    stats.requests++;
    stats.received.push(req.headers);
  });
  const closeSockets = attachRealtime(server, { tokenDelay, deterministic: options.deterministic });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return stats.connections;
    },
    get requests() {
      return stats.requests;
    },
    get cut() {
      return stats.cut;
    },
    gaps: stats.gaps,
    received: stats.received,
    close: () =>
      new Promise<void>((resolve) => {
        closeSockets();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The endpoints, by path (POST only; the first match answers). */
const ROUTES: { path: RegExp; handle: (c: Ctx, m: RegExpExecArray) => Promise<void> | void }[] = [
  { path: /^\/api\/chat$/, handle: ollamaChat },
  { path: /^\/api\/generate$/, handle: ollamaGenerate },
  { path: /^\/api\/embed(dings)?$/, handle: ollamaEmbed },
  { path: /\/chat\/completions$/, handle: openaiChat },
  { path: /\/responses$/, handle: openaiResponses },
  { path: /\/embeddings$/, handle: openaiEmbeddings },
  { path: /\/audio\/(transcriptions|translations)$/, handle: openaiAudioText },
  { path: /\/v1\/files$/, handle: openaiFileUpload },
  { path: /\/images\/edits$/, handle: openaiImageEdit },
  { path: /\/audio\/speech$/, handle: openaiSpeech },
  { path: /\/images\/generations$/, handle: openaiImages },
  { path: /\/moderations$/, handle: openaiModerations },
  { path: /\/messages$/, handle: anthropicMessages },
  { path: /\/messages\/count_tokens$/, handle: anthropicCountTokens },
  { path: /^\/v1(?:beta|alpha)?\/models\/([^/:]+):(streamGenerateContent|generateContent|embedContent|batchEmbedContents)$/, handle: gemini },
];

function json(res: http.ServerResponse, status: number, body: Json | string, contentType = 'application/json') {
  res.writeHead(status, { 'content-type': contentType });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** A file of a multipart form. */
interface Upload {
  name: string;
  type: string;
  bytes: Buffer;
}

function isUpload(v: unknown): v is Upload {
  return !!v && typeof v === 'object' && Buffer.isBuffer((v as Upload).bytes);
}

/**
 * A multipart/form-data body's fields, parsed by Node's own parser: a string, or an `Upload` for a
 * file; a name sent more than once (`include[]`) gets a list.
 */
async function formOf(bytes: Buffer, contentType: string): Promise<Json> {
  const form = await new Request('http://standin/', { method: 'POST', headers: { 'content-type': contentType }, body: new Uint8Array(bytes) }).formData();
  const out: Json = {};
  for (const [name, value] of form) {
    const v = typeof value === 'string' ? value : { name: value.name, type: value.type, bytes: Buffer.from(await value.arrayBuffer()) };
    out[name] = name in out ? [out[name]].flat().concat([v]) : v;
  }
  return out;
}

function validCases(format: 'sse' | 'ndjson') {
  return Object.entries(CASES)
    .filter(([, f]) => format === 'sse' || f === 'any')
    .map(([k]) => k)
    .join(', ');
}

/** Writes events one by one with a delay before each; can split one across several writes. */
class EventWriter {
  private last = 0;
  private readonly gaps: number[] = [];
  constructor(
    private readonly res: http.ServerResponse,
    private readonly delay: number,
    all: number[][],
  ) {
    all.push(this.gaps);
  }

  /** `split`: in two halves; `cuts`: at these byte offsets. A few ms between the writes. */
  async write(text: string | Buffer, { split = false, cuts }: { split?: boolean; cuts?: number[] } = {}) {
    if (this.last) await sleep(this.delay);
    const now = performance.now();
    if (this.last) this.gaps.push(now - this.last);
    this.last = now;
    const pause = Math.max(2, this.delay / 4);
    if (cuts) {
      const bytes = Buffer.from(text);
      let from = 0;
      for (const to of [...cuts, bytes.length]) {
        if (from) await sleep(pause);
        this.res.write(bytes.subarray(from, to));
        from = to;
      }
    } else if (split) {
      const half = Math.floor(text.length / 2);
      this.res.write(text.slice(0, half));
      await sleep(pause);
      this.res.write(text.slice(half));
    } else this.res.write(text);
  }

  /**
   * A network failure mid-answer: the connection ends before the body does (no last chunk). It ends
   * with a FIN, not a reset: a reset makes the client's kernel drop what it had not read yet, so what
   * a client saw before the failure would depend on how fast it read (Chromium under load read
   * nothing), while a FIN comes after everything written.
   */
  async reset() {
    const socket = this.res.socket;
    while (socket && !socket.destroyed && socket.writableLength > 0) await sleep(1);
    socket?.end();
  }

  end() {
    this.res.end();
  }
}

// ---------------------------------------------------------------------------------------------
// The streams: a handler lists its events; `send` writes them in the wire format of the provider
// and the case the request asked for.

/** One SSE event (`event:` name, `data:`) or one NDJSON line (`data`, computed when written). */
interface StreamEvent {
  event?: string;
  data: string | (() => string);
  /** Split across two writes in the plain format (one event of every stream is). */
  split?: boolean;
}

interface Wire {
  format: 'sse' | 'ndjson';
  /** The line end of the plain format. */
  eol: '\n' | '\r\n';
  /** The provider's mid-stream error (case `error-event`), after `sent` events. */
  failure: (sent: number) => StreamEvent[];
}

const WIRES = {
  // OpenAI chat: an error object in a `data:` line, then the stream ends, without [DONE].
  openai: {
    format: 'sse',
    eol: '\n',
    failure: () => [{ data: JSON.stringify({ error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } }) }],
  },
  // Anthropic: an `error` event, then the stream ends.
  anthropic: {
    format: 'sse',
    eol: '\n',
    failure: () => [{ event: 'error', data: JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }) }],
  },
  // Gemini ends its lines with CRLF; a mid-stream error is an error object in a `data:` line.
  gemini: {
    format: 'sse',
    eol: '\r\n',
    failure: () => [{ data: JSON.stringify({ error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } }) }],
  },
  // Ollama: an `{"error": ...}` line, then the stream ends.
  ollama: {
    format: 'ndjson',
    eol: '\n',
    failure: () => [{ data: JSON.stringify({ error: 'an error was encountered while running the model: unexpected EOF' }) }],
  },
} satisfies Record<string, Wire>;

/** SSE line ends of the `mixed-eol` case, in turn: [after each field, the blank line]. */
const MIXED_EOL: [string, string][] = [
  ['\n', '\n'],
  ['\r\n', '\r\n'],
  ['\n', '\r\n'],
  ['\r', '\r'],
];

/** The `i`-th event of a stream in SSE, in the format of case `kase`. */
function sse(e: StreamEvent, i: number, eol: string, kase?: WireCase): string {
  const data = typeof e.data === 'function' ? e.data() : e.data;
  const colon = kase === 'odd-fields' && i % 2 === 0 ? ':' : ': ';
  const lines = [...(e.event ? [`event${colon}${e.event}`] : []), `data${colon}${data}`];
  let before = '';
  if (kase === 'comments') {
    if (i % 2) before = `: keep-alive${eol}${eol}`;
    else lines.unshift(': note');
  }
  if (kase === 'odd-fields') {
    if (i === 0) before = `retry: 3000${eol}${eol}`;
    if (i % 2) lines.unshift(`id: ${i}`);
    if (i % 3 === 1) lines.push('x-foo: bar');
    if (i % 3 === 2) lines.splice(lines.length - 1, 0, 'x-foo: bar');
  }
  const [end, blank] = kase === 'mixed-eol' ? MIXED_EOL[i % MIXED_EOL.length] : [eol, eol];
  return before + lines.map((l) => l + end).join('') + blank;
}

/**
 * Where the `split` case cuts an event, by turns: after `dat` and before its last byte; inside its
 * first multi-byte UTF-8 character (else in its middle); inside its final line end.
 */
function cutsOf(bytes: Buffer, i: number): number[] {
  const length = bytes.length;
  const wide = bytes.findIndex((b) => b >= 0x80);
  const cuts = [[3, length - 1], [wide >= 0 ? wide + 1 : length >> 1], [length - 3, length - 1]][i % 3];
  return [...new Set(cuts.filter((n) => n > 0 && n < length))];
}

/**
 * Answers with a stream: the status and headers, then the events, with a delay before each. The
 * case applies here: `reset` and `error-event` come after the 3rd event (or before the last, for a
 * shorter stream), so that the answer always breaks in its middle.
 */
async function send(c: Ctx, wire: Wire, headers: http.OutgoingHttpHeaders, events: StreamEvent[]) {
  const { res, w, kase } = c;
  if (kase && wire.format === 'ndjson' && CASES[kase] === 'sse') {
    return json(res, 400, { error: `${CASE_HEADER} "${kase}" is for SSE streams; valid values for this NDJSON stream: ${validCases('ndjson')}` });
  }
  res.writeHead(200, headers);
  res.flushHeaders();
  const eol = kase === 'crlf' ? '\r\n' : wire.eol;
  const encode = (e: StreamEvent, i: number, k?: WireCase) => (wire.format === 'ndjson' ? (typeof e.data === 'function' ? e.data() : e.data) + eol : sse(e, i, eol, k));
  const breaks = kase === 'reset' || kase === 'error-event';
  const count = breaks ? Math.max(0, Math.min(3, events.length - 1)) : events.length;
  for (let i = 0; i < count; i++) {
    const text = encode(events[i], i, kase);
    await w.write(text, kase === 'split' ? { cuts: cutsOf(Buffer.from(text), i) } : { split: events[i].split });
  }
  if (kase === 'reset') return w.reset();
  if (kase === 'error-event') for (const e of wire.failure(count)) await w.write(encode(e, count));
  w.end();
}

// ---------------------------------------------------------------------------------------------
// OpenAI

async function openaiChat(c: Ctx) {
  const { body, res, ids } = c;
  const fingerprint: Json = c.drift ? { service_tier: 'default' } : { system_fingerprint: 'fp_local' };
  const completionId = ids.id('chatcmpl-');
  const created = ids.unix();
  const model = body.model ?? 'gpt-4o-mini';
  const text = variedAnswer(body, c.varied) ?? answerFor(body);
  const tool = body.tools?.[0]?.function;
  // DeepSeek, OpenRouter and the like send the reasoning as `reasoning_content`, before the content.
  const thoughts = body.reasoning_effort !== undefined && !tool ? thoughtsFor(body) : undefined;
  const promptTokens = JSON.stringify(body.messages ?? []).length >> 3;
  const reasoningTokens = thoughts ? tokensOf(thoughts).length : 0;
  const completionTokens = tokensOf(text).length + reasoningTokens;
  const usage: Json = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
  if (thoughts) usage.completion_tokens_details = { reasoning_tokens: reasoningTokens };
  const toolCall = tool ? { id: ids.id('call_'), type: 'function', function: { name: tool.name, arguments: JSON.stringify(TOOL_ARGS) } } : undefined;

  if (!body.stream) {
    const message = toolCall
      ? { role: 'assistant', content: null, tool_calls: [toolCall], refusal: null }
      : { role: 'assistant', content: text, ...(thoughts ? { reasoning_content: thoughts } : {}), refusal: null };
    res.setHeader('openai-processing-ms', '42');
    return json(res, 200, {
      id: completionId,
      object: 'chat.completion',
      created,
      model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: toolCall ? 'tool_calls' : 'stop' }],
      usage,
      ...fingerprint,
    });
  }
  const chunk = (delta: Json, finish: string | null = null, split = false): StreamEvent => ({
    data: JSON.stringify({ id: completionId, object: 'chat.completion.chunk', created, model, ...fingerprint, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] }),
    split,
  });
  const events: StreamEvent[] = [chunk({ role: 'assistant', content: '', refusal: null })];
  if (toolCall) {
    const args = toolCall.function.arguments;
    events.push(chunk({ tool_calls: [{ index: 0, id: toolCall.id, type: 'function', function: { name: toolCall.function.name, arguments: '' } }] }));
    events.push(chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(0, 8) } }] }, null, true));
    events.push(chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(8) } }] }));
    events.push(chunk({}, 'tool_calls'));
  } else {
    if (thoughts) for (const token of tokensOf(thoughts)) events.push(chunk({ content: null, reasoning_content: token }));
    for (const [i, token] of tokensOf(text).entries()) events.push(chunk({ content: token }, null, i === 1));
    events.push(chunk({}, 'stop'));
  }
  if (body.stream_options?.include_usage) {
    events.push({ data: JSON.stringify({ id: completionId, object: 'chat.completion.chunk', created, model, ...fingerprint, choices: [], usage }) });
  }
  events.push({ data: '[DONE]' });
  return send(c, WIRES.openai, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'openai-processing-ms': '12' }, events);
}

/**
 * The Responses API. Streamed, every event has an `event:` line naming its `type`, and a
 * `sequence_number` from 0: response.created, response.in_progress, then per output item
 * output_item.added … output_item.done, then response.completed (response.failed on an error).
 */
async function openaiResponses(c: Ctx) {
  const { body, res, ids } = c;
  const responseId = ids.id('resp_', 25);
  const createdAt = ids.unix();
  const model = body.model ?? 'gpt-4o-mini';
  const text = answerFor(body);
  const tool = (body.tools ?? []).find((t: Json) => t.type === 'function');
  // A reasoning item when the request asks for reasoning; its summary only when it asks for one.
  const reasoning: Json | undefined = body.reasoning ?? undefined;
  const summary = reasoning?.summary ? thoughtsFor(body) : undefined;
  const reasoningTokens = reasoning ? tokensOf(thoughtsFor(body)).length : 0;
  const inputTokens = JSON.stringify(body.input ?? '').length >> 3;
  const outputTokens = (tool ? 8 : tokensOf(text).length) + reasoningTokens;
  const usage = { input_tokens: inputTokens, input_tokens_details: { cached_tokens: 0 }, output_tokens: outputTokens, output_tokens_details: { reasoning_tokens: reasoningTokens }, total_tokens: inputTokens + outputTokens };
  const response = (status: string, output: Json[], extra: Json = {}) => ({
    id: responseId,
    object: 'response',
    created_at: createdAt,
    status,
    background: false,
    completed_at: status === 'completed' ? createdAt + 1 : null,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    max_tool_calls: null,
    model,
    output,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    prompt_cache_key: null,
    reasoning: { effort: reasoning?.effort ?? null, summary: reasoning?.summary ?? null },
    safety_identifier: null,
    service_tier: status === 'completed' ? 'default' : 'auto',
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: body.tool_choice ?? 'auto',
    tools: (body.tools ?? []).map((t: Json) => (t.type === 'function' ? { type: 'function', description: t.description ?? null, name: t.name, parameters: t.parameters ?? null, strict: t.strict ?? true } : t)),
    top_logprobs: 0,
    top_p: body.top_p ?? 1,
    truncation: 'disabled',
    usage: status === 'completed' ? usage : null,
    user: null,
    metadata: body.metadata ?? {},
    ...extra,
  });

  // The output items, done.
  const reasoningItem = reasoning ? { id: ids.id('rs_', 25), type: 'reasoning', summary: summary ? [{ type: 'summary_text', text: summary }] : [] } : undefined;
  const args = JSON.stringify(TOOL_ARGS);
  const answerItem = tool
    ? { id: ids.id('fc_', 25), type: 'function_call', status: 'completed', arguments: args, call_id: 'call_' + ids.alnum(24), name: tool.name }
    : { id: ids.id('msg_', 25), type: 'message', status: 'completed', content: [{ type: 'output_text', annotations: [], logprobs: [], text }], role: 'assistant' };
  const output = [...(reasoningItem ? [reasoningItem] : []), answerItem];

  if (!body.stream) {
    res.setHeader('openai-processing-ms', '42');
    return json(res, 200, response('completed', output));
  }

  let seq = 0;
  const ev = (type: string, fields: Json, split = false, n = seq++): StreamEvent => ({ event: type, data: JSON.stringify({ type, sequence_number: n, ...fields }), split });
  // Deltas carry random padding (`obfuscation`), so that their lengths do not give the tokens away.
  const pad = (delta: string) => ids.alnum(16 - (delta.length % 16));
  const events: StreamEvent[] = [ev('response.created', { response: response('in_progress', []) }), ev('response.in_progress', { response: response('in_progress', []) })];
  let index = 0;
  if (reasoningItem) {
    const item_id = reasoningItem.id;
    const output_index = index++;
    events.push(ev('response.output_item.added', { output_index, item: { id: item_id, type: 'reasoning', summary: [] } }));
    if (summary) {
      events.push(ev('response.reasoning_summary_part.added', { item_id, output_index, summary_index: 0, part: { type: 'summary_text', text: '' } }));
      for (const delta of tokensOf(summary)) events.push(ev('response.reasoning_summary_text.delta', { item_id, output_index, summary_index: 0, delta, obfuscation: pad(delta) }));
      events.push(ev('response.reasoning_summary_text.done', { item_id, output_index, summary_index: 0, text: summary }));
      events.push(ev('response.reasoning_summary_part.done', { item_id, output_index, summary_index: 0, part: { type: 'summary_text', text: summary } }));
    }
    events.push(ev('response.output_item.done', { output_index, item: reasoningItem }));
  }
  const output_index = index++;
  const item_id = answerItem.id;
  if (answerItem.type === 'function_call') {
    events.push(ev('response.output_item.added', { output_index, item: { ...answerItem, status: 'in_progress', arguments: '' } }));
    for (const [i, delta] of [args.slice(0, 8), args.slice(8)].entries()) events.push(ev('response.function_call_arguments.delta', { item_id, output_index, delta, obfuscation: pad(delta) }, i === 0));
    events.push(ev('response.function_call_arguments.done', { item_id, output_index, arguments: args, name: tool.name }));
  } else {
    const part = (text: string) => ({ type: 'output_text', annotations: [], logprobs: [], text });
    events.push(ev('response.output_item.added', { output_index, item: { id: item_id, type: 'message', status: 'in_progress', content: [], role: 'assistant' } }));
    events.push(ev('response.content_part.added', { item_id, output_index, content_index: 0, part: part('') }));
    for (const [i, delta] of tokensOf(text).entries()) events.push(ev('response.output_text.delta', { item_id, output_index, content_index: 0, delta, logprobs: [], obfuscation: pad(delta) }, i === 1));
    events.push(ev('response.output_text.done', { item_id, output_index, content_index: 0, text, logprobs: [] }));
    events.push(ev('response.content_part.done', { item_id, output_index, content_index: 0, part: part(text) }));
  }
  events.push(ev('response.output_item.done', { output_index, item: answerItem }));
  events.push(ev('response.completed', { response: response('completed', output) }));

  // A failure mid-stream: an `error` event, then `response.failed`. The documented `error` event
  // has code/message/param at its top level, but the API sends them nested in `error` (as the ai
  // SDK's schema expects, and as openai-node's `data.error` check turns into an APIError).
  const message = `An error occurred while processing your request. You can retry your request, or contact us through our help center at help.openai.com if the error persists. Please include the request ID ${c.requestId} in your message.`;
  const failure = (sent: number): StreamEvent[] => [
    ev('error', { error: { type: 'server_error', code: 'server_error', message, param: null } }, false, sent),
    ev('response.failed', { response: response('failed', [], { error: { code: 'server_error', message } }) }, false, sent + 1),
  ];
  return send(c, { ...WIRES.openai, failure }, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'openai-processing-ms': '12' }, events);
}

/**
 * A unit vector, the same for the same text, as the APIs print float32 values in JSON: the shortest
 * decimals that read back as the same float32 (not the float32's exact double value).
 */
function vectorOf(text: string, dims = 8): number[] {
  const raw = Array.from({ length: dims }, (_, i) => createHash('sha256').update(`${text}#${i}`).digest().readInt32LE(0) / 2 ** 31);
  const norm = Math.hypot(...raw) || 1;
  return raw.map((x) => float32Json(x / norm));
}

/** The shortest decimal that reads back as the same float32 as `x`. */
function float32Json(x: number): number {
  const f = Math.fround(x);
  for (let digits = 1; digits < 17; digits++) {
    const d = Number(f.toPrecision(digits));
    if (Math.fround(d) === f) return d;
  }
  return f;
}

function openaiEmbeddings(c: Ctx) {
  const { body, res } = c;
  const input = body.input ?? '';
  // A string, a list of strings, a list of token ids, or a list of lists of token ids.
  const inputs: unknown[] = Array.isArray(input) && input.length && typeof input[0] !== 'number' ? input : [input];
  const texts = inputs.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
  const tokens = texts.reduce((n, t) => n + Math.max(1, tokensOf(t).length), 0);
  // The openai SDK (v5+) asks for base64 by default and decodes it: little-endian float32.
  const format = body.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') {
    return openaiError(res, 400, `Invalid value for 'encoding_format': expected one of 'float' or 'base64', got ${JSON.stringify(format)}.`, 'encoding_format', 'invalid_value');
  }
  const base64 = format === 'base64';
  res.setHeader('openai-processing-ms', '18');
  return json(res, 200, {
    object: 'list',
    data: texts.map((t, index) => {
      const v = vectorOf(t, body.dimensions ?? 8);
      const le = Buffer.alloc(4 * v.length);
      v.forEach((x, i) => le.writeFloatLE(x, 4 * i));
      return { object: 'embedding', index, embedding: base64 ? le.toString('base64') : v };
    }),
    model: body.model ?? 'text-embedding-3-small',
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}

/** An OpenAI error answer. */
function openaiError(res: http.ServerResponse, status: number, message: string, param: string | null = null, code: string | null = null) {
  return json(res, status, { error: { message, type: 'invalid_request_error', param, code } });
}

/**
 * POST /v1/files: a multipart form with `file` and `purpose`; the File object, its id from the bytes
 * (the API makes a new one per upload; here the same bytes give the same id, so runs compare).
 */
function openaiFileUpload(c: Ctx) {
  const { body, res } = c;
  if (!c.multipart) return openaiError(res, 415, 'Invalid Content-Type header, expected multipart/form-data.');
  if (!isUpload(body.file)) return openaiError(res, 400, "Missing required parameter: 'file'.", 'file', 'missing_required_parameter');
  if (typeof body.purpose !== 'string') return openaiError(res, 400, "Missing required parameter: 'purpose'.", 'purpose', 'missing_required_parameter');
  const digest = createHash('sha256').update(body.file.bytes).digest('hex');
  json(res, 200, {
    object: 'file',
    id: `file-${digest.slice(0, 22)}`,
    purpose: body.purpose,
    filename: body.file.name,
    bytes: body.file.bytes.length,
    created_at: 1_767_225_600 + (parseInt(digest.slice(0, 6), 16) % 86_400),
    expires_at: null,
    status: 'processed',
    status_details: null,
  });
}

/** POST /v1/images/edits: `image` (one or more, as `image[]` too), `prompt`, `model`; the edited image as b64_json. */
function openaiImageEdit(c: Ctx) {
  const { body, res } = c;
  if (!c.multipart) return openaiError(res, 415, 'Invalid Content-Type header, expected multipart/form-data.');
  const images = [body.image ?? body['image[]'] ?? []].flat().filter(isUpload);
  if (!images.length) return openaiError(res, 400, "Missing required parameter: 'image'.", 'image', 'missing_required_parameter');
  if (typeof body.prompt !== 'string') return openaiError(res, 400, "Missing required parameter: 'prompt'.", 'prompt', 'missing_required_parameter');
  const digest = createHash('sha256').update(String(body.prompt));
  for (const image of images) digest.update(image.bytes);
  // A PNG whose colours follow the prompt and the images.
  const png = pngOf(digest.digest('hex'));
  const n = Number(body.n ?? 1);
  json(res, 200, {
    created: 1_767_225_600,
    data: Array.from({ length: n }, () => ({ b64_json: png.toString('base64') })),
    usage: { input_tokens: 50 + tokensOf(String(body.prompt)).length, input_tokens_details: { image_tokens: 50, text_tokens: tokensOf(String(body.prompt)).length }, output_tokens: 272, total_tokens: 322 + tokensOf(String(body.prompt)).length },
  });
}

/** Seconds as SRT (`00:00:01,250`) or WebVTT (`00:00:01.250`) write them. */
function timestamp(seconds: number, sep: ',' | '.'): string {
  const ms = Math.round(seconds * 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}${sep}${pad(ms % 1000, 3)}`;
}

const LANGUAGES: Record<string, string> = { en: 'english', fr: 'french', de: 'german', es: 'spanish', it: 'italian', ja: 'japanese' };

/**
 * Audio in, text out: POST /v1/audio/transcriptions and /v1/audio/translations, a multipart form
 * with `file` and `model`. What is heard depends on the file's bytes: its length and digest. The
 * answer per `response_format`: `json` (default) `{text, usage}` (`logprobs` too with
 * `include[]=logprobs`), `text`, `srt`, `vtt` as text/plain, `verbose_json` with segments (and
 * words with `timestamp_granularities[]=word`). Models other than whisper-1 are billed in tokens
 * and take only json and text; with `stream=true` they answer SSE `transcript.text.delta` events,
 * then `transcript.text.done` with the usage (whisper-1 ignores `stream`, as the API does).
 */
async function openaiAudioText(c: Ctx, m: RegExpExecArray) {
  const { body, res } = c;
  const translate = m[1] === 'translations';
  if (!c.multipart) {
    return openaiError(res, 400, `Invalid Content-Type header (${c.contentType || 'none'}), expected multipart/form-data. (HINT: If you're using curl, you can pass the content-type with \`-F\` instead of \`-d\`)`);
  }
  const file = body.file;
  if (!isUpload(file)) return openaiError(res, 400, "Missing required parameter: 'file'.", 'file', 'missing_required_parameter');
  if (typeof body.model !== 'string' || !body.model) return openaiError(res, 400, "Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
  const model = body.model;
  const format = String(body.response_format ?? 'json');
  if (!['json', 'text', 'srt', 'verbose_json', 'vtt'].includes(format)) {
    return openaiError(res, 400, `Invalid value: '${format}'. Supported values are: 'json', 'text', 'srt', 'verbose_json', and 'vtt'.`, 'response_format', 'invalid_value');
  }
  const byTokens = model !== 'whisper-1';
  if (byTokens && format !== 'json' && format !== 'text') {
    return openaiError(res, 400, `response_format '${format}' is not compatible with model '${model}'. Use 'json' or 'text' instead.`, 'response_format', 'unsupported_value');
  }

  const digest = createHash('sha256').update(file.bytes).digest();
  const size = file.bytes.length;
  // ~16 kB of audio a second (128 kbit/s), ~10 audio tokens a second.
  const duration = Math.max(0.5, Math.round((size / 16_000) * 100) / 100);
  const sentences = heardIn(file.bytes, translate ? 'Translated' : 'Heard');
  const text = sentences.join(' ');
  const tokens = tokensOf(text);
  const include = [body['include[]'] ?? []].flat();
  const logprobs = byTokens && format === 'json' && include.includes('logprobs');
  const logprobOf = (token: string) => ({ token, logprob: -(createHash('sha256').update(token).digest()[0] / 2550), bytes: [...Buffer.from(token)] });
  const promptTokens = tokensOf(String(body.prompt ?? '')).length;
  const audioTokens = Math.max(1, Math.ceil(duration * 10));
  const tokenUsage = { type: 'tokens', input_tokens: audioTokens + promptTokens, input_token_details: { text_tokens: promptTokens, audio_tokens: audioTokens }, output_tokens: tokens.length, total_tokens: audioTokens + promptTokens + tokens.length };
  const usage = byTokens ? tokenUsage : { type: 'duration', seconds: Math.ceil(duration) };
  res.setHeader('openai-processing-ms', String(200 + (size % 300)));

  if (byTokens && !translate && body.stream === 'true') {
    const events: StreamEvent[] = tokens.map((delta, i) => ({ data: JSON.stringify({ type: 'transcript.text.delta', delta, ...(logprobs ? { logprobs: [logprobOf(delta)] } : {}) }), split: i === 1 }));
    events.push({ data: JSON.stringify({ type: 'transcript.text.done', text, ...(logprobs ? { logprobs: tokens.map(logprobOf) } : {}), usage: tokenUsage }) });
    return send(c, WIRES.openai, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' }, events);
  }

  // Segments share the duration by their words; each word gets an equal share of its segment.
  const words = sentences.map((t) => t.split(' '));
  const perWord = duration / words.flat().length;
  let at = 0;
  const round = (x: number) => Math.round(x * 100) / 100;
  const segments = sentences.map((t, id) => {
    const start = at;
    at += perWord * words[id].length;
    const seed = createHash('sha256').update(`${t}#${digest.toString('hex')}`).digest();
    return {
      id,
      seek: 0,
      start: round(start),
      end: round(at),
      text: ' ' + t,
      tokens: [50364, ...words[id].map((w) => createHash('sha256').update(w).digest().readUInt16LE(0) % 50_000), 50514],
      temperature: 0,
      avg_logprob: -seed[0] / 1000,
      compression_ratio: (1000 + seed[1]) / 1000,
      no_speech_prob: seed[2] / 100_000,
    };
  });
  const plainText = (body: string) => json(res, 200, body, 'text/plain; charset=utf-8');
  switch (format) {
    case 'text':
      return plainText(text + '\n');
    case 'srt':
      return plainText(segments.map((s, i) => `${i + 1}\n${timestamp(s.start, ',')} --> ${timestamp(s.end, ',')}\n${s.text.trim()}\n\n`).join(''));
    case 'vtt':
      return plainText('WEBVTT\n\n' + segments.map((s) => `${timestamp(s.start, '.')} --> ${timestamp(s.end, '.')}\n${s.text.trim()}\n\n`).join(''));
    case 'verbose_json': {
      const granularities = [body['timestamp_granularities[]'] ?? 'segment'].flat();
      let t = 0;
      const timed = words.flat().map((w) => ({ word: w.replace(/[.,]$/, ''), start: round(t), end: round((t += perWord)) }));
      return json(res, 200, {
        task: translate ? 'translate' : 'transcribe',
        language: translate ? 'english' : (LANGUAGES[String(body.language)] ?? String(body.language ?? 'english')),
        duration,
        text,
        ...(granularities.includes('word') ? { words: timed } : {}),
        ...(granularities.includes('segment') ? { segments } : {}),
        usage,
      });
    }
    default:
      return json(res, 200, { text, ...(logprobs ? { logprobs: tokens.map(logprobOf) } : {}), ...(translate ? {} : { usage }) });
  }
}

/** CRC-32 (PNG chunks), table-driven. */
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A real PNG, 32×32 RGB: a gradient between two colours the seed picks. */
function pngOf(seed: string): Buffer {
  const [r1, g1, b1, r2, g2, b2] = createHash('sha256').update(seed).digest();
  const side = 32;
  const rows: Buffer[] = [];
  for (let y = 0; y < side; y++) {
    const row = Buffer.alloc(1 + side * 3); // filter byte 0, then RGB
    for (let x = 0; x < side; x++) {
      const t = (x + y) / (2 * side - 2);
      [r1 + (r2 - r1) * t, g1 + (g2 - g1) * t, b1 + (b2 - b1) * t].forEach((v, i) => (row[1 + x * 3 + i] = Math.round(v)));
    }
    rows.push(row);
  }
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type), data])));
    return Buffer.concat([head, Buffer.from(type), data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB, deflate, no filter method, no interlace
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * POST /v1/images/generations. gpt-image-* answer base64 PNGs with the image's settings and a token
 * usage; dall-e-2 (the default model) and dall-e-3 answer a signed `url` by default, or `b64_json`
 * with `response_format`; dall-e-3 rewrites the prompt (`revised_prompt`) and makes one image.
 */
function openaiImages(c: Ctx) {
  const { body, res, ids } = c;
  if (typeof body.prompt !== 'string' || !body.prompt) return openaiError(res, 400, "Missing required parameter: 'prompt'.", 'prompt', 'missing_required_parameter');
  const model = String(body.model ?? 'dall-e-2');
  const gptImage = model.startsWith('gpt-image');
  const n = Number(body.n ?? 1);
  if (model === 'dall-e-3' && n !== 1) return openaiError(res, 400, 'You must provide n=1 for this model.', 'n', 'invalid_value');
  if (gptImage && body.response_format) return openaiError(res, 400, "Unknown parameter: 'response_format'.", 'response_format', 'unknown_parameter');
  const created = ids.unix();
  const b64 = gptImage || body.response_format === 'b64_json';
  const revised = model === 'dall-e-3' ? `A picture of ${body.prompt.charAt(0).toLowerCase()}${body.prompt.slice(1).replace(/[.!]*$/, '')}, in soft natural light.` : undefined;
  const data = Array.from({ length: n }, (_, i) => {
    const image: Json = {};
    if (revised) image.revised_prompt = revised;
    if (b64) image.b64_json = pngOf(`${model}\n${body.prompt}\n${body.size ?? ''}\n${i}`).toString('base64');
    else {
      const st = new Date(ids.now()).toISOString().slice(0, 19) + 'Z';
      const se = new Date(ids.now() + 7_200_000).toISOString().slice(0, 19) + 'Z';
      const sig = encodeURIComponent(ids.bytes(32).toString('base64'));
      image.url = `https://oaidalleapiprodscus.blob.core.windows.net/private/org-${ids.alnum(24)}/user-${ids.alnum(24)}/img-${ids.alnum(24)}.png?st=${encodeURIComponent(st)}&se=${encodeURIComponent(se)}&sp=r&sv=2024-08-04&sr=b&rscd=inline&rsct=image/png&skoid=${ids.id('', 16)}&sig=${sig}`;
    }
    return image;
  });
  if (!gptImage) return json(res, 200, { created, data });
  const textTokens = Math.max(1, tokensOf(body.prompt).length);
  const quality = body.quality && body.quality !== 'auto' ? body.quality : 'medium';
  const outputTokens = { low: 272, medium: 1056, high: 4160 }[quality as 'low' | 'medium' | 'high'] ?? 1056;
  return json(res, 200, {
    created,
    background: body.background && body.background !== 'auto' ? body.background : 'opaque',
    data,
    output_format: body.output_format ?? 'png',
    quality,
    size: body.size && body.size !== 'auto' ? body.size : '1024x1024',
    usage: { input_tokens: textTokens, input_tokens_details: { image_tokens: 0, text_tokens: textTokens }, output_tokens: outputTokens * n, total_tokens: textTokens + outputTokens * n },
  });
}

const MODERATION_CATEGORIES = ['harassment', 'harassment/threatening', 'hate', 'hate/threatening', 'illicit', 'illicit/violent', 'self-harm', 'self-harm/instructions', 'self-harm/intent', 'sexual', 'sexual/minors', 'violence', 'violence/graphic'] as const;
/** The categories an image can be judged in too (omni models). */
const IMAGE_CATEGORIES = new Set(['self-harm', 'self-harm/instructions', 'self-harm/intent', 'sexual', 'violence', 'violence/graphic']);
/** Words that make the stand-in flag a text, by category. */
const FLAGGING: Record<string, RegExp> = { violence: /\b(kill|attack|hurt)\b/i, harassment: /\b(idiot|stupid)\b/i, illicit: /\b(steal|counterfeit)\b/i };

/**
 * POST /v1/moderations: one result per input string, or one for a list of text and image parts.
 * Scores are small and fixed by the text, high for the words of `FLAGGING`; `flagged` if any
 * category is.
 */
function openaiModerations(c: Ctx) {
  const { body, res, ids } = c;
  const model = String(body.model ?? 'omni-moderation-latest');
  const input = body.input;
  if (input === undefined) return openaiError(res, 400, "Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
  const multimodal = Array.isArray(input) && input.some((x) => x && typeof x === 'object');
  const items: { text: string; image: boolean }[] = multimodal
    ? [{ text: input.filter((p: Json) => p.type === 'text').map((p: Json) => p.text).join('\n'), image: input.some((p: Json) => p.type === 'image_url') }]
    : [input].flat().map((t) => ({ text: String(t), image: false }));
  const omni = model.startsWith('omni');
  const results = items.map(({ text, image }) => {
    const categories: Json = {};
    const category_scores: Json = {};
    const category_applied_input_types: Json = {};
    for (const name of MODERATION_CATEGORIES) {
      const hit = FLAGGING[name]?.test(text) ?? false;
      const noise = createHash('sha256').update(`${name}\n${text}`).digest().readUInt16LE(0) / 65536;
      category_scores[name] = float32Json(hit ? 0.9 + noise / 20 : noise / 1000);
      categories[name] = !omni && name.startsWith('illicit') ? null : hit;
      if (omni) category_applied_input_types[name] = [...(text ? ['text'] : []), ...(image && IMAGE_CATEGORIES.has(name) ? ['image'] : [])];
    }
    return { flagged: Object.values(categories).some(Boolean), categories, category_scores, ...(omni ? { category_applied_input_types } : {}) };
  });
  return json(res, 200, { id: ids.id('modr-', 16), model: omni ? 'omni-moderation-latest' : 'text-moderation-007', results });
}

/** The audio formats of /v1/audio/speech: their content type and the bytes they start with. */
const SPEECH_FORMATS: Record<string, { type: string; magic: number[] }> = {
  mp3: { type: 'audio/mpeg', magic: [0x49, 0x44, 0x33, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00] }, // an empty ID3v2.4 tag, then frames
  opus: { type: 'audio/ogg', magic: [...Buffer.from('OggS'), 0x00, 0x02] },
  aac: { type: 'audio/aac', magic: [0xff, 0xf1, 0x50, 0x80] },
  flac: { type: 'audio/flac', magic: [...Buffer.from('fLaC')] },
  wav: { type: 'audio/wav', magic: [] }, // a RIFF header, written below
  pcm: { type: 'audio/pcm', magic: [] }, // raw 24 kHz 16-bit samples
};

/**
 * POST /v1/audio/speech: the audio of `input`, its bytes fixed by the request (input, voice,
 * format, speed), ~600 bytes a word, sent as a binary body in chunks of 1 kB with a delay before
 * each (chunked transfer encoding, no content-length), as the API streams it. With
 * `stream_format: 'sse'` (gpt-4o-mini-tts only) the audio comes base64 in SSE
 * `speech.audio.delta` events, then `speech.audio.done` with the usage.
 */
async function openaiSpeech(c: Ctx) {
  const { body, res, w } = c;
  for (const field of ['model', 'input', 'voice']) {
    if (body[field] === undefined || body[field] === '') return openaiError(res, 400, `Missing required parameter: '${field}'.`, field, 'missing_required_parameter');
  }
  const model = String(body.model);
  const formatName = String(body.response_format ?? 'mp3');
  const format = SPEECH_FORMATS[formatName];
  if (!format) return openaiError(res, 400, `Invalid value: '${formatName}'. Supported values are: ${Object.keys(SPEECH_FORMATS).map((f) => `'${f}'`).join(', ')}.`, 'response_format', 'invalid_value');
  const sse = body.stream_format === 'sse';
  if (sse && !model.startsWith('gpt-4o')) return openaiError(res, 400, `stream_format 'sse' is not supported for model '${model}'.`, 'stream_format', 'unsupported_value');
  const seed = JSON.stringify([model, body.input, body.voice, formatName, body.speed ?? 1, body.instructions ?? '']);
  const length = 600 * Math.max(1, tokensOf(String(body.input)).length);
  const samples = Buffer.alloc(length);
  for (let at = 0; at < length; at += 32) createHash('sha256').update(`${seed}#${at}`).digest().copy(samples, at);
  let audio = Buffer.concat([Buffer.from(format.magic), samples]);
  if (formatName === 'wav') {
    const head = Buffer.alloc(44);
    head.write('RIFF', 0);
    head.writeUInt32LE(36 + length, 4);
    head.write('WAVEfmt ', 8);
    head.writeUInt32LE(16, 16);
    head.writeUInt16LE(1, 20); // PCM
    head.writeUInt16LE(1, 22); // mono
    head.writeUInt32LE(24_000, 24);
    head.writeUInt32LE(48_000, 28);
    head.writeUInt16LE(2, 32);
    head.writeUInt16LE(16, 34);
    head.write('data', 36);
    head.writeUInt32LE(length, 40);
    audio = Buffer.concat([head, samples]);
  }
  const pieces: Buffer[] = [];
  for (let at = 0; at < audio.length; at += 1024) pieces.push(audio.subarray(at, at + 1024));
  if (sse) {
    const inputTokens = tokensOf(String(body.input)).length + tokensOf(String(body.instructions ?? '')).length;
    const events: StreamEvent[] = pieces.map((p) => ({ data: JSON.stringify({ type: 'speech.audio.delta', audio: p.toString('base64') }) }));
    events.push({ data: JSON.stringify({ type: 'speech.audio.done', usage: { input_tokens: inputTokens, output_tokens: pieces.length * 8, total_tokens: inputTokens + pieces.length * 8 } }) });
    return send(c, WIRES.openai, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' }, events);
  }
  res.writeHead(200, { 'content-type': format.type, 'transfer-encoding': 'chunked', 'openai-processing-ms': '230' });
  res.flushHeaders();
  for (const piece of pieces) await w.write(piece);
  w.end();
}

// ---------------------------------------------------------------------------------------------
// Anthropic

async function anthropicMessages(c: Ctx) {
  const { body, res, ids } = c;
  const messageId = ids.id('msg_01');
  const model = body.model ?? 'claude-sonnet-5';
  const tokens = tokensOf(answerFor(body));
  const tool = body.tools?.find((t: Json) => t.name && (t.type === undefined || t.type === 'custom'));
  const thinking = body.thinking?.type === 'enabled' ? thoughtsFor(body) : undefined;
  const toolUse = tool ? { type: 'tool_use', id: 'toolu_01' + ids.alnum(22), name: tool.name, input: TOOL_ARGS } : undefined;
  // Thinking blocks end with a signature of the thinking (opaque, base64).
  const signature = thinking ? ids.bytes(96).toString('base64') : '';
  const outputTokens = (toolUse ? 16 : tokens.length) + (thinking ? tokensOf(thinking).length : 0);
  const stopReason = toolUse ? 'tool_use' : 'end_turn';
  if (!body.stream) {
    return json(res, 200, {
      id: messageId,
      type: 'message',
      role: 'assistant',
      model,
      content: [...(thinking ? [{ type: 'thinking', thinking, signature }] : []), toolUse ?? { type: 'text', text: tokens.join('') }],
      stop_reason: stopReason,
      stop_sequence: null,
      usage: { input_tokens: 12, output_tokens: outputTokens },
    });
  }
  const ev = (event: string, data: Json, split = false): StreamEvent => ({ event, data: JSON.stringify({ type: event, ...data }), split });
  const events: StreamEvent[] = [ev('message_start', { message: { id: messageId, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 12, output_tokens: 1 } } })];
  let index = 0;
  const block = (start: Json, deltas: Json[]) => {
    // The one delta written in two halves in the plain format: the first text, the first non-empty JSON.
    const split = start.type === 'text' ? 0 : start.type === 'tool_use' ? 1 : -1;
    events.push(ev('content_block_start', { index, content_block: start }));
    if (index === 0) events.push(ev('ping', {}));
    for (const [i, delta] of deltas.entries()) events.push(ev('content_block_delta', { index, delta }, i === split));
    events.push(ev('content_block_stop', { index }));
    index++;
  };
  if (thinking) block({ type: 'thinking', thinking: '', signature: '' }, [...tokensOf(thinking).map((t) => ({ type: 'thinking_delta', thinking: t })), { type: 'signature_delta', signature }]);
  if (toolUse) {
    // The input comes as partial JSON, the first piece empty, as the API sends it.
    const input = '{' + Object.entries(toolUse.input).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ') + '}';
    block({ ...toolUse, input: {} }, ['', input.slice(0, 10), input.slice(10)].map((partial_json) => ({ type: 'input_json_delta', partial_json })));
  } else block({ type: 'text', text: '' }, tokens.map((text) => ({ type: 'text_delta', text })));
  events.push(ev('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: outputTokens } }));
  events.push(ev('message_stop', {}));
  return send(c, WIRES.anthropic, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': ids.id('req_01') }, events);
}

/**
 * POST /v1/messages/count_tokens: `{input_tokens}` for the system prompt, the messages and the
 * tools of a Messages request, counted as the stand-in counts words (3 more per message, as the
 * API adds each turn's framing).
 */
function anthropicCountTokens(c: Ctx) {
  const { body, res, ids } = c;
  res.setHeader('request-id', ids.id('req_01'));
  const missing = ['model', 'messages'].find((f) => body[f] === undefined);
  if (missing) return json(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: `${missing}: Field required` } });
  const textOf = (content: unknown): string => (typeof content === 'string' ? content : Array.isArray(content) ? content.map((b: Json) => b.text ?? b.thinking ?? JSON.stringify(b.input ?? b.content ?? '')).join(' ') : '');
  const words = (t: string) => tokensOf(t).length;
  const messages = (body.messages as Json[]).reduce((n, m) => n + 3 + words(textOf(m.content)), 0);
  const tools = body.tools ? Math.ceil(JSON.stringify(body.tools).length / 4) : 0;
  return json(res, 200, { input_tokens: words(textOf(body.system)) + messages + tools });
}

// ---------------------------------------------------------------------------------------------
// Gemini (the Gemini API, generativelanguage.googleapis.com)

/** JSON as Google's servers write it in a stream: a space after each colon, none after commas. */
function googleJson(value: unknown): string {
  if (Array.isArray(value)) return '[' + value.map(googleJson).join(',') + ']';
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return '{' + entries.map(([k, v]) => `${JSON.stringify(k)}: ${googleJson(v)}`).join(',') + '}';
  }
  return JSON.stringify(value);
}

const GOOGLE_JSON = 'application/json; charset=UTF-8';

async function gemini(c: Ctx, m: RegExpExecArray) {
  const { body, res, ids, query } = c;
  const model = decodeURIComponent(m[1]);
  const method = m[2];
  // The model is in the path: the same failures as for the other providers, in Google's format.
  if (model === 'rate-limited') {
    res.setHeader('retry-after', '0');
    return json(res, 429, { error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' } }, GOOGLE_JSON);
  }
  if (model === 'broken') return json(res, 500, { error: { code: 500, message: 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting', status: 'INTERNAL' } }, GOOGLE_JSON);

  const textOf = (content: Json | undefined) => (content?.parts ?? []).map((p: Json) => p.text ?? '').join(' ');
  if (method === 'embedContent') return json(res, 200, JSON.stringify({ embedding: { values: vectorOf(textOf(body.content), body.outputDimensionality ?? 8) } }, null, 2), GOOGLE_JSON);
  if (method === 'batchEmbedContents') {
    const embeddings = (body.requests ?? []).map((r: Json) => ({ values: vectorOf(textOf(r.content), r.outputDimensionality ?? 8) }));
    return json(res, 200, JSON.stringify({ embeddings }, null, 2), GOOGLE_JSON);
  }

  const responseId = ids.bytes(17).toString('base64url');
  const tokens = tokensOf(answerFor(body));
  const declaration = (body.tools ?? []).flatMap((t: Json) => t.functionDeclarations ?? [])[0];
  const promptTokens = Math.max(1, tokensOf(lastUserText(body)).length);
  const usage = (outputTokens?: number) => ({
    promptTokenCount: promptTokens,
    ...(outputTokens === undefined ? {} : { candidatesTokenCount: outputTokens }),
    totalTokenCount: promptTokens + (outputTokens ?? 0),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: promptTokens }],
  });
  const chunk = (parts: Json[], last: boolean, outputTokens?: number) => ({
    candidates: [{ content: { parts, role: 'model' }, ...(last ? { finishReason: 'STOP' } : {}), index: 0 }],
    usageMetadata: usage(outputTokens),
    modelVersion: model,
    responseId,
  });
  // One chunk per token, the last with finishReason STOP and the output's token count; a function
  // call comes whole, in one chunk.
  const chunks = declaration
    ? [chunk([{ functionCall: { name: declaration.name, args: TOOL_ARGS } }], true, 8)]
    : tokens.map((t, i) => chunk([{ text: t }], i === tokens.length - 1, i === tokens.length - 1 ? tokens.length : undefined));

  if (method === 'generateContent') {
    const parts = declaration ? chunks[0].candidates[0].content.parts : [{ text: tokens.join('') }];
    return json(res, 200, JSON.stringify(chunk(parts, true, declaration ? 8 : tokens.length), null, 2), GOOGLE_JSON);
  }
  // streamGenerateContent: SSE with alt=sse (the SDKs ask for it), else one JSON array.
  if (!/(^|&)alt=sse(&|$)/.test(query)) return json(res, 200, '[' + chunks.map((x) => JSON.stringify(x, null, 2)).join(',\r\n') + ']', GOOGLE_JSON);
  const events = chunks.map((x, i): StreamEvent => ({ data: googleJson(x), split: i === 1 }));
  return send(c, WIRES.gemini, { 'content-type': 'text/event-stream', 'x-content-type-options': 'nosniff' }, events);
}

// ---------------------------------------------------------------------------------------------
// Ollama: NDJSON, one JSON object per line, the last with `done: true`.

async function ollamaChat(c: Ctx) {
  const { body, res, ids } = c;
  const model = body.model ?? 'llama3.2';
  const tokens = tokensOf(answerFor(body));
  const line = (o: Json, at = 0) => JSON.stringify({ model, created_at: ids.iso(at), ...o });
  if (body.stream === false) {
    return json(res, 200, JSON.parse(line({ message: { role: 'assistant', content: tokens.join('') }, done_reason: 'stop', done: true, eval_count: tokens.length })));
  }
  const events: StreamEvent[] = tokens.map((token, i) => ({ data: () => line({ message: { role: 'assistant', content: token }, done: false }, i * 20), split: i === 0 }));
  events.push({ data: () => line({ message: { role: 'assistant', content: '' }, done_reason: 'stop', done: true, total_duration: 123456, eval_count: tokens.length }, tokens.length * 20) });
  return send(c, WIRES.ollama, { 'content-type': 'application/x-ndjson' }, events);
}

async function ollamaGenerate(c: Ctx) {
  const { body, res, ids } = c;
  const model = body.model ?? 'llama3.2';
  const tokens = tokensOf(answerFor(body));
  const line = (o: Json, at = 0) => JSON.stringify({ model, created_at: ids.iso(at), ...o });
  const done = { done: true, done_reason: 'stop', context: [1, 2, 3], total_duration: 123456, load_duration: 1234, prompt_eval_count: 12, prompt_eval_duration: 2345, eval_count: tokens.length, eval_duration: 3456 };
  if (body.stream === false) return json(res, 200, JSON.parse(line({ response: tokens.join(''), ...done })));
  const events: StreamEvent[] = tokens.map((token, i) => ({ data: () => line({ response: token, done: false }, i * 20), split: i === 0 }));
  events.push({ data: () => line({ response: '', ...done }, tokens.length * 20) });
  return send(c, WIRES.ollama, { 'content-type': 'application/x-ndjson' }, events);
}

/** /api/embed: `{embeddings: [[...]]}` for one input or a list; the older /api/embeddings: `{embedding: [...]}`. */
function ollamaEmbed(c: Ctx, m: RegExpExecArray) {
  const { body, res } = c;
  if (m[1]) return json(res, 200, { embedding: vectorOf(String(body.prompt ?? '')) });
  const inputs: unknown[] = Array.isArray(body.input) ? body.input : [body.input ?? ''];
  const embeddings = inputs.map((x) => vectorOf(String(x), body.dimensions ?? 8));
  return json(res, 200, { model: body.model ?? 'all-minilm', embeddings, total_duration: 14143917, load_duration: 1019500, prompt_eval_count: inputs.length * 2 });
}

/** A fixture that starts the stand-in for each test (or each worker, given `{ scope: 'worker' }`) and closes it after. */
export function upstreamFixture(options: UpstreamOptions = {}) {
  return async ({}: object, use: (upstream: Upstream) => Promise<void>) => {
    const upstream = await startUpstream(options);
    await use(upstream);
    await upstream.close();
  };
}
