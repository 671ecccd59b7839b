// The on-disk format. One JSON file per interaction, in llama-stack's top-level shape (request
// {method, url, headers, body, endpoint, model}, response {body, is_streaming}) so either tool
// reads the other's OpenAI-style files; what llama-stack lacks goes in extra fields:
// response.status / headers / framing / eol / terminator, per-event `t` (ms), `event`, `id` and
// `raw` (the exact text of an event its readable form does not render back to), occurrence, test,
// recorded_at (when it was recorded: an ISO time; a file without it is of unknown age);
// for a whole text or binary body that arrived in pieces, `chunks` (each one's size and time); a
// binary body above SIDE_FILE_BYTES is kept in a side file beside the JSON (see side-file.ts).
// Each stream event and each chunk is written on one line, so a re-recording diffs event by event.
import { z } from 'zod';
import { type Framing, type WireEvent, isStreamFraming, splitStream } from '../wire/framing.js';
import { framingOfTypeName, impliedTerminator, payloadTypeName, requestModel, wrapListBody } from '../wire/providers.js';
import { canonicalEndpoint } from './key.js';
import { RecordingFileError } from './errors.js';
import type { Conversation } from './socket/conversation.js';
import { isSideFileRef, readSideFile, sideFileOf } from './side-file.js';
import { isRecordedAt } from './age.js';

export const FORMAT = 'playwright-llm-replay/1';

/** An interaction as the core works with it, whatever file it came from. */
export interface Interaction {
  request: {
    method: string;
    url: string;
    endpoint: string;
    headers: Record<string, string>;
    body: unknown;
    model?: string;
    /** A WebSocket's subprotocols, as offered (a key-carrying one redacted). */
    protocols?: string[];
  };
  response: {
    status: number;
    headers: Record<string, string>;
    framing: Framing;
    /** Stream events, for sse / ndjson: a list, or (for a big file) events read from it as they are asked for. */
    events?: EventList;
    /** A stream's own line end, when it is not `\n`. */
    eol?: string;
    /** `[DONE]` and the time it came, for streams that end with one. */
    terminator?: { data: string; t: number };
    /** The whole body, for json (parsed), text (string) and binary (Buffer). */
    body?: unknown;
    /** A text or binary body that arrived in pieces: each piece's size in bytes and when it had arrived. */
    chunks?: Chunk[];
    /** The side file the body was read from (its name, beside the recording). */
    sideFile?: string;
    /** How a JSON body was laid out, when not compact: the indent, and a final newline. */
    json?: { indent: number; newline: boolean };
    /** A WebSocket's conversation: every frame both ways, and how it closed. */
    socket?: Conversation;
  };
  occurrence: number;
  test?: string;
  /** When it was recorded (an ISO time): set when recorded live, kept by a test's own copy of another's. */
  recordedAt?: string;
}

/** A piece of a whole body as it arrived: its size in bytes, and ms from the start of the response. */
export interface Chunk {
  t: number;
  size: number;
}

/** Events of a stream, in order: an array, or a big file's events parsed one at a time. */
export interface EventList extends Iterable<WireEvent> {
  readonly length: number;
  at(i: number): WireEvent | undefined;
}

export const Entry = z
  .object({
    __type__: z.string().optional(),
    __data__: z.unknown().optional(),
    event: z.string().optional(),
    id: z.string().optional(),
    raw: z.string().optional(),
    t: z.number().nonnegative().optional(),
  })
  .refine((e) => e.__data__ !== undefined || e.raw !== undefined, { message: 'an event needs __data__ or raw' });

/**
 * What Entry accepts, checked without zod: a recording has many events, and a big one's are checked
 * one by one as they are sent. By hand an event costs ~0.04 µs, through zod ~0.9 µs compiled and ~2 µs
 * with `{ jitless: true }`: 76,000 events took 3 / 65 / 150 ms (bench/zod-cost.mjs, zod 4.6.7).
 */
export function isEntry(v: unknown): v is z.infer<typeof Entry> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const e = v as Record<string, unknown>;
  const str = (x: unknown) => x === undefined || typeof x === 'string';
  return str(e.__type__) && str(e.event) && str(e.id) && str(e.raw) && (e.t === undefined || (typeof e.t === 'number' && Number.isFinite(e.t) && e.t >= 0)) && (e.__data__ !== undefined || e.raw !== undefined);
}

/** A WebSocket frame: who sent it, when, and a JSON text frame, another text frame, or binary (base64). */
const SocketFrame = z
  .object({ from: z.enum(['client', 'server']), t: z.number().nonnegative(), json: z.unknown().optional(), text: z.string().optional(), binary: z.string().optional() })
  .refine((f) => [f.json, f.text, f.binary].filter((x) => x !== undefined).length === 1, { message: 'a frame holds one of json, text or binary' });

function isSocketFrame(v: unknown): boolean {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const f = v as Record<string, unknown>;
  const held = [f.json, f.text, f.binary].filter((x) => x !== undefined).length;
  return (f.from === 'client' || f.from === 'server') && typeof f.t === 'number' && Number.isFinite(f.t) && f.t >= 0 && held === 1 && (f.text === undefined || typeof f.text === 'string') && (f.binary === undefined || typeof f.binary === 'string');
}

export const FileSchema = z.object({
  request: z.object({
    method: z.string().optional(), // POST when absent (see toInteraction)
    url: z.string().min(1),
    headers: z.record(z.string(), z.unknown()).nullish(),
    body: z.unknown().optional(),
    payload: z.unknown().optional(), // llama-stack's raw-SSE-line files name the body so
    endpoint: z.string().optional(),
    model: z.string().nullish(),
    protocols: z.array(z.string()).optional(),
  }),
  response: z.object({
    status: z.number().int().min(100).max(599).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    is_streaming: z.boolean(),
    framing: z.enum(['sse', 'ndjson', 'json', 'text', 'binary', 'websocket']).optional(),
    eol: z.enum(['\n', '\r\n', '\r']).optional(),
    body: z.unknown(),
    encoding: z.enum(['base64', 'file']).optional(),
    chunks: z.array(z.object({ t: z.number().nonnegative(), size: z.number().int().positive() })).optional(),
    json: z.object({ indent: z.number().int().min(0).max(8), newline: z.boolean() }).optional(),
    terminator: z.object({ data: z.string(), t: z.number().nonnegative() }).nullish(),
    frames: z.array(SocketFrame).optional(),
    close: z.object({ code: z.number().int().min(1000).max(4999), reason: z.string(), by: z.enum(['client', 'server']), t: z.number().nonnegative() }).optional(),
    is_exception: z.boolean().optional(),
    exception_message: z.string().optional(),
  }),
  occurrence: z.number().int().nonnegative().optional(),
  test: z.string().nullish(),
  recorded_at: z.string().refine(isRecordedAt, { message: 'recorded_at must be an ISO time, e.g. 2026-12-02T11:15:04.000Z' }).optional(),
  test_id: z.string().nullish(),
});

type RecordingFile = z.infer<typeof FileSchema>;

/**
 * FileSchema's rules, checked by hand, without changing `v`: zod's first parse in a process warms up
 * (and by default compiles) its parser. A fresh process's first recording costs 2.5 ms through zod
 * (1.2 ms with `{ jitless: true }`), its options 1.9 ms (1.2), against 0.2 ms each by hand
 * (bench/zod-cost.mjs, zod 4.6.7, Node 20): with zod alone a replay's cold start took 2 ms more, and
 * replaying a 51 MB recording 30% longer (bench/README.md). zod still names what is wrong when this
 * says no (and tests keep the two in agreement).
 */
export function isRecordingFile(v: unknown): v is RecordingFile {
  const obj = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);
  const opt = (x: unknown, ok: (x: unknown) => boolean) => x === undefined || ok(x);
  const nullish = (x: unknown, ok: (x: unknown) => boolean) => x === undefined || x === null || ok(x);
  const str = (x: unknown) => typeof x === 'string';
  const num = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
  const int = (x: unknown, min: number, max = Infinity) => num(x) && Number.isInteger(x) && (x as number) >= min && (x as number) <= max;
  const record = (x: unknown, ok: (x: unknown) => boolean) => obj(x) && Object.values(x).every(ok);
  if (!obj(v) || !obj(v.request) || !obj(v.response)) return false;
  const rq = v.request;
  const rs = v.response;
  if (!opt(rq.method, str) || !(str(rq.url) && (rq.url as string).length > 0) || !nullish(rq.headers, (h) => record(h, () => true)) || !opt(rq.endpoint, str) || !nullish(rq.model, str)) return false;
  if (!opt(rq.protocols, (p) => Array.isArray(p) && p.every(str))) return false;
  if (!opt(rs.frames, (f) => Array.isArray(f) && f.every(isSocketFrame))) return false;
  const closeOk = (c: unknown) => obj(c) && int(c.code, 1000, 4999) && str(c.reason) && (c.by === 'client' || c.by === 'server') && num(c.t) && (c.t as number) >= 0;
  if (!opt(rs.close, closeOk)) return false;
  if (!opt(rs.status, (x) => int(x, 100, 599)) || !opt(rs.headers, (h) => record(h, str)) || typeof rs.is_streaming !== 'boolean') return false;
  if (!opt(rs.framing, (x) => ['sse', 'ndjson', 'json', 'text', 'binary', 'websocket'].includes(x as string)) || !opt(rs.eol, (x) => ['\n', '\r\n', '\r'].includes(x as string))) return false;
  const chunk = (c: unknown) => obj(c) && num(c.t) && (c.t as number) >= 0 && int(c.size, 1);
  if (!opt(rs.chunks, (x) => Array.isArray(x) && x.every(chunk))) return false;
  if (!opt(rs.encoding, (x) => x === 'base64' || x === 'file') || !opt(rs.json, (j) => obj(j) && int(j.indent, 0, 8) && typeof j.newline === 'boolean')) return false;
  if (!nullish(rs.terminator, (t) => obj(t) && str(t.data) && num(t.t) && (t.t as number) >= 0)) return false;
  if (!opt(rs.is_exception, (x) => typeof x === 'boolean') || !opt(rs.exception_message, str)) return false;
  return opt(v.occurrence, (x) => int(x, 0)) && nullish(v.test, str) && opt(v.recorded_at, isRecordedAt) && nullish(v.test_id, str);
}

/** Parses and validates a recording's text. Throws RecordingFileError naming the file and the fault. */
export function parseRecording(text: string, file: string): Interaction {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new RecordingFileError(file, `is not valid JSON (${jsonErrorPlace(text, err as Error)}). Fix it, or delete it and record again.`);
  }
  if (isRecordingFile(json)) return toInteraction(json, file);
  const parsed = FileSchema.safeParse(json);
  if (!parsed.success) {
    throw new RecordingFileError(file, `does not have the shape of a recording:\n${z.prettifyError(parsed.error)}\nFix it, or delete it and record again.`);
  }
  return toInteraction(parsed.data, file);
}

/** Where a JSON syntax error is, without quoting the file: its text may be anything. */
function jsonErrorPlace(text: string, err: Error): string {
  if (/end of JSON input/i.test(err.message)) return 'it ends too early';
  let pos = -1;
  const at = /position (\d+)/.exec(err.message);
  if (at) pos = Number(at[1]);
  else {
    // V8 quotes the text around the fault instead: find that text to say where it is.
    const around = /(?:\.\.\.)?"([\s\S]*?)"(?:\.\.\.)? is not valid JSON/.exec(err.message);
    const token = /Unexpected token '(.)'/.exec(err.message);
    if (around) {
      const start = text.indexOf(around[1]);
      if (start >= 0) pos = start + Math.max(0, token ? around[1].indexOf(token[1]) : 0);
    }
  }
  if (pos < 0) return 'syntax error';
  const before = text.slice(0, pos);
  return `syntax error at line ${before.split('\n').length}, column ${pos - before.lastIndexOf('\n')}`;
}

export function toEvent(item: z.infer<typeof Entry>): WireEvent {
  const e: WireEvent = { t: item.t ?? 0 };
  if (item.__data__ !== undefined) e.data = item.__data__;
  if (item.event !== undefined) e.event = item.event;
  if (item.id !== undefined) e.id = item.id;
  if (item.raw !== undefined) e.raw = item.raw;
  return e;
}

function toInteraction(f: RecordingFile, file: string): Interaction {
  const { request: rq, response: rs } = f;
  if (rs.framing === 'websocket') return socketFromFile(f, file);
  if (!/^https?:\/\//i.test(rq.url)) {
    throw new RecordingFileError(file, `is for ${rq.url.slice(0, 100)}, which is not an HTTP URL: it cannot be replayed to an HTTP client.`);
  }
  if (rs.is_exception) {
    throw new RecordingFileError(file, `records a client exception, not an HTTP response: failed calls are not replayed.`);
  }
  const body = rq.body !== undefined ? rq.body : rq.payload;
  const { endpoint, headers } = requestParts(rq, file);
  const request = { method: (rq.method ?? 'POST').toUpperCase(), url: rq.url, endpoint, headers, body, model: rq.model ?? requestModel(endpoint, body) };
  const base = { request, occurrence: f.occurrence ?? 0, test: f.test ?? f.test_id ?? undefined, ...recordedAt(f) };
  const status = rs.status ?? 200;
  const responseHeaders = rs.headers ?? {};

  if (rs.is_streaming) {
    if (!Array.isArray(rs.body)) throw new RecordingFileError(file, 'says is_streaming but response.body is not a list of events.');
    const { framing, events, terminator, eol } = streamFromFile(rs, endpoint, file);
    const contentType = responseHeaders['content-type'] ?? (framing === 'sse' ? 'text/event-stream' : 'application/x-ndjson');
    const response: Interaction['response'] = { status, headers: { ...responseHeaders, 'content-type': contentType }, framing, events, terminator };
    if (eol !== '\n') response.eol = eol;
    return { ...base, response };
  }

  const framing = rs.framing ?? (typeof rs.body === 'string' ? 'text' : 'json');
  let whole: unknown = rs.body;
  let sideFile: string | undefined;
  if (rs.encoding === 'base64') {
    if (typeof rs.body !== 'string') throw new RecordingFileError(file, 'says encoding base64 but response.body is not a string.');
    whole = Buffer.from(rs.body, 'base64');
  } else if (rs.encoding === 'file') {
    if (!isSideFileRef(rs.body)) {
      throw new RecordingFileError(file, 'says encoding file but response.body is not { "file": "<16 hex digits>.<ext>", "size": <bytes>, "sha256": "<64 hex digits>" }. Fix it, or delete it and record again.');
    }
    whole = readSideFile(file, rs.body);
    sideFile = rs.body.file;
  } else if (framing === 'json') {
    whole = Array.isArray(rs.body) ? wrapListBody(endpoint, rs.body.map(unwrap)) : unwrap(rs.body);
  }
  const contentType = responseHeaders['content-type'] ?? (framing === 'json' ? 'application/json' : 'text/plain; charset=utf-8');
  const response: Interaction['response'] = { status, headers: { ...responseHeaders, 'content-type': contentType }, framing, body: whole };
  if (rs.json) response.json = rs.json;
  if (rs.chunks) response.chunks = checkedChunks(rs.chunks, whole, file);
  if (sideFile) response.sideFile = sideFile;
  return { ...base, response };
}

/** A stored request's endpoint (from its URL) and its string headers. */
function requestParts(rq: RecordingFile['request'], file: string): { endpoint: string; headers: Record<string, string> } {
  let endpoint: string;
  try {
    endpoint = canonicalEndpoint(rq.url);
  } catch {
    throw new RecordingFileError(file, 'has a request.url that is not a valid URL. Fix it, or delete it and record again.');
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(rq.headers ?? {})) if (typeof v === 'string') headers[k] = v;
  return { endpoint, headers };
}

/** A WebSocket conversation's file: the connection's request, then its frames and close. */
function socketFromFile(f: RecordingFile, file: string): Interaction {
  const { request: rq, response: rs } = f;
  if (!/^wss?:\/\//i.test(rq.url)) throw new RecordingFileError(file, `is a WebSocket conversation for ${rq.url.slice(0, 100)}, which is not a ws: or wss: URL.`);
  if (!rs.frames) throw new RecordingFileError(file, 'is a WebSocket conversation (framing websocket) without response.frames.');
  const frames = rs.frames as Conversation['frames'];
  for (let i = 1; i < frames.length; i++) {
    if (frames[i].t < frames[i - 1].t) throw new RecordingFileError(file, `has frame times going backwards at response.frames[${i}] (t ${frames[i].t} < ${frames[i - 1].t}).`);
  }
  const { endpoint, headers } = requestParts(rq, file);
  const request: Interaction['request'] = { method: (rq.method ?? 'GET').toUpperCase(), url: rq.url, endpoint, headers, body: rq.body ?? null, model: rq.model ?? undefined, ...(rq.protocols && { protocols: rq.protocols }) };
  const socket: Conversation = { frames, ...(rs.close && { close: rs.close }) };
  return { request, response: { status: rs.status ?? 101, headers: rs.headers ?? {}, framing: 'websocket', socket }, occurrence: f.occurrence ?? 0, test: f.test ?? f.test_id ?? undefined, ...recordedAt(f) };
}

/** The file's recorded_at as the interaction holds it (absent when the file has none). */
const recordedAt = (f: RecordingFile): Pick<Interaction, 'recordedAt'> => (f.recorded_at ? { recordedAt: f.recorded_at } : {});

/** A whole body's chunks, when they cut exactly that body (in bytes as sent) and their times do not go backwards. */
function checkedChunks(chunks: Chunk[], body: unknown, file: string): Chunk[] {
  if (!Buffer.isBuffer(body) && typeof body !== 'string') throw new RecordingFileError(file, 'has response.chunks, but only a text or binary body (not JSON) is replayed in chunks. Remove response.chunks.');
  const length = Buffer.isBuffer(body) ? body.length : Buffer.byteLength(body);
  const total = chunks.reduce((n, c) => n + c.size, 0);
  if (total !== length) throw new RecordingFileError(file, `has response.chunks that add up to ${total} bytes, but its body has ${length}. Fix the sizes, or remove response.chunks (the body is then replayed in one piece).`);
  for (let i = 1; i < chunks.length; i++) {
    if (chunks[i].t < chunks[i - 1].t) throw new RecordingFileError(file, `has chunk times going backwards at response.chunks[${i}] (t ${chunks[i].t} < ${chunks[i - 1].t}).`);
  }
  return chunks.map(({ t, size }) => ({ t, size }));
}

function unwrap(v: unknown): unknown {
  return v && typeof v === 'object' && '__data__' in v ? (v as { __data__: unknown }).__data__ : v;
}

function streamFromFile(rs: RecordingFile['response'], endpoint: string, file: string): { framing: 'sse' | 'ndjson'; events: WireEvent[]; terminator?: { data: string; t: number }; eol: string } {
  const body = rs.body as unknown[];
  // llama-stack's Anthropic / Gemini-interactions files: the raw SSE lines.
  if (body.length && body.every((l) => typeof l === 'string')) {
    const { events } = splitStream('sse', (body as string[]).join('\n') + '\n\n');
    return { framing: 'sse', events: events.filter((e) => e.data !== undefined).map(({ raw: _, ...e }) => e), eol: '\n' };
  }
  const events: WireEvent[] = [];
  let typeName: string | undefined;
  for (let i = 0; i < body.length; i++) {
    const item = body[i];
    // The common case checked by hand (the same rules as Entry); zod only to say what is wrong.
    if (!isEntry(item)) {
      const entry = Entry.safeParse(item);
      throw new RecordingFileError(file, `has a malformed stream event at response.body[${i}]:\n${entry.success ? 'unexpected value' : z.prettifyError(entry.error)}`);
    }
    typeName ??= item.__type__;
    events.push(toEvent(item));
  }
  for (let i = 1; i < events.length; i++) {
    if (events[i].t < events[i - 1].t) throw new RecordingFileError(file, `has stream event times going backwards at response.body[${i}] (t ${events[i].t} < ${events[i - 1].t}).`);
  }
  if (rs.framing) {
    if (!isStreamFraming(rs.framing)) throw new RecordingFileError(file, `says is_streaming but its framing is ${rs.framing}.`);
    return { framing: rs.framing, events, terminator: rs.terminator ?? undefined, eol: rs.eol ?? '\n' };
  }
  // A llama-stack file: framing and terminator follow from the payload type.
  const name = typeName ?? payloadTypeName(endpoint, true) ?? '';
  const done = impliedTerminator(name);
  const last = events.at(-1)?.t ?? 0;
  return { framing: framingOfTypeName(name), events, terminator: done ? { data: done, t: last } : undefined, eol: '\n' };
}

/** How a JSON body's text is laid out, when `JSON.stringify` with an indent gives it back exactly. */
export function jsonLayout(text: string, parsed: unknown): Interaction['response']['json'] | 'compact' | undefined {
  if (JSON.stringify(parsed) === text) return 'compact';
  for (const indent of [2, 4, 1, 3]) {
    const pretty = JSON.stringify(parsed, null, indent);
    if (pretty === text) return { indent, newline: false };
    if (pretty + '\n' === text) return { indent, newline: true };
  }
  if (JSON.stringify(parsed) + '\n' === text) return { indent: 0, newline: true };
  return undefined;
}

/** A JSON body's text as the upstream laid it out. */
export function jsonText(body: unknown, layout: Interaction['response']['json']): string {
  if (!layout) return JSON.stringify(body);
  return JSON.stringify(body, null, layout.indent || undefined) + (layout.newline ? '\n' : '');
}

/** Builds the stored response of a whole body from its bytes: parsed when that loses nothing. */
export function wholeBody(framing: Framing, bytes: Buffer): Pick<Interaction['response'], 'framing' | 'body' | 'json'> {
  if (framing === 'json' || framing === 'text') {
    const text = bytes.toString('utf8');
    if (!Buffer.from(text, 'utf8').equals(bytes)) return { framing: 'binary', body: bytes };
    if (framing === 'json') {
      try {
        const parsed = JSON.parse(text) as unknown;
        const layout = jsonLayout(text, parsed);
        if (layout === 'compact') return { framing, body: parsed };
        if (layout) return { framing, body: parsed, json: layout };
      } catch {
        // not JSON after all: kept as text
      }
    }
    return { framing: 'text', body: text };
  }
  return { framing: 'binary', body: bytes };
}

/**
 * A URL as a file keeps it: a local server's port from the ephemeral range (a stand-in started
 * on a free port) changes every run, so it is left out rather than making every re-recording a diff.
 */
export function storedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname) && Number(u.port) >= 32768) {
      u.port = '';
      return u.toString();
    }
  } catch {
    // kept as it is
  }
  return url;
}

/**
 * The file's JSON text for an interaction: keys in a stable order, bodies decoded, one line per
 * stream event or chunk. A binary body above SIDE_FILE_BYTES is named by its side file (which the
 * store writes: `sideFileOf`), not held.
 */
export function serializeRecording(x: Interaction): string {
  const { request: rq, response: rs } = x;
  if (rs.socket) return serializeSocket(x, rs.socket);
  const streamed = !!rs.events;
  const typeName = payloadTypeName(rq.endpoint, streamed);
  let body: unknown;
  let encoding: 'base64' | 'file' | undefined;
  const eventLines: string[] = [];
  if (rs.events) {
    for (const e of rs.events) {
      const entry: Record<string, unknown> = {};
      if (e.data !== undefined) {
        if (typeName && typeof e.data === 'object') entry.__type__ = typeName;
        entry.__data__ = e.data;
      }
      if (e.event !== undefined) entry.event = e.event;
      if (e.id !== undefined) entry.id = e.id;
      if (e.raw !== undefined) entry.raw = e.raw;
      entry.t = round(e.t);
      eventLines.push(JSON.stringify(entry));
    }
    body = EVENTS;
  } else if (Buffer.isBuffer(rs.body)) {
    const side = sideFileOf(rs.body, rs.headers['content-type']);
    body = side ? { file: side.file, size: side.size, sha256: side.sha256 } : rs.body.toString('base64');
    encoding = side ? 'file' : 'base64';
  } else {
    body = typeName && rs.framing === 'json' ? { __type__: typeName, __data__: rs.body } : rs.body;
  }
  const chunks = !rs.events && rs.chunks;
  const file = {
    request: { method: rq.method, url: storedUrl(rq.url), headers: rq.headers, body: rq.body, endpoint: rq.endpoint, model: rq.model ?? null },
    response: {
      status: rs.status,
      headers: rs.headers,
      is_streaming: streamed,
      framing: rs.framing,
      ...(rs.eol && rs.eol !== '\n' ? { eol: rs.eol } : {}),
      ...(encoding ? { encoding } : {}),
      ...(rs.json ? { json: rs.json } : {}),
      body,
      ...(chunks ? { chunks: EVENTS as unknown } : {}),
      ...(rs.terminator ? { terminator: { data: rs.terminator.data, t: round(rs.terminator.t) } } : {}),
    },
    occurrence: x.occurrence,
    test: x.test ?? null,
    ...(x.recordedAt && { recorded_at: x.recordedAt }),
    recorder: FORMAT,
  };
  if (rs.events) return withLines(file, file.response, 'body', eventLines);
  if (chunks) return withLines(file, file.response, 'chunks', chunks.map((c) => JSON.stringify({ t: round(c.t), size: c.size })));
  return JSON.stringify(file, null, 2) + '\n';
}

/** A WebSocket conversation's file: one frame per line, so a re-recording diffs frame by frame. */
function serializeSocket(x: Interaction, socket: Conversation): string {
  const { request: rq, response: rs } = x;
  const file = {
    request: { method: rq.method, url: rq.url, headers: rq.headers, body: null, endpoint: rq.endpoint, model: rq.model ?? null, ...(rq.protocols && { protocols: rq.protocols }) },
    response: { status: rs.status, headers: rs.headers, is_streaming: true, framing: 'websocket', body: null, frames: EVENTS as unknown, ...(socket.close && { close: { ...socket.close, t: round(socket.close.t) } }) },
    occurrence: x.occurrence,
    test: x.test ?? null,
    ...(x.recordedAt && { recorded_at: x.recordedAt }),
    recorder: FORMAT,
  };
  return withLines(file, file.response, 'frames', socket.frames.map((f) => JSON.stringify({ ...f, t: round(f.t) })));
}

/** The file's text with `lines` (JSON values, one per line) as the list at `holder[field]`. */
function withLines(file: object, holder: Record<string, unknown>, field: string, lines: string[]): string {
  const list = lines.length ? `[\n${lines.map((l) => `      ${l}`).join(',\n')}\n    ]` : '[]';
  // The list goes where a placeholder stands: one found nowhere else in the file (a request, a test title may hold any text).
  for (let n = 0; ; n++) {
    holder[field] = n ? `${EVENTS}${n}` : EVENTS;
    const text = JSON.stringify(file, null, 2);
    const mark = JSON.stringify(holder[field]);
    const at = text.indexOf(mark);
    if (at === text.lastIndexOf(mark)) return text.slice(0, at) + list + text.slice(at + mark.length) + '\n';
  }
}

const EVENTS = '\u0000events\u0000';
const round = (t: number) => Math.round(t * 10) / 10;
