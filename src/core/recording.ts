// The on-disk format. One pretty-printed JSON file per interaction, in llama-stack's top-level
// shape (request {method, url, headers, body, endpoint, model}, response {body, is_streaming}) so
// either tool reads the other's OpenAI-style files; what llama-stack lacks goes in extra fields:
// response.status / headers / framing / terminator, per-event `t` (ms) and `event`, occurrence, test.
import { z } from 'zod';
import { type Framing, type WireEvent, isStreamFraming, parseSseBlock } from '../wire/framing.js';
import { framingOfTypeName, impliedTerminator, payloadTypeName, requestModel, wrapListBody } from '../wire/providers.js';
import { canonicalEndpoint } from './key.js';
import { RecordingFileError } from './errors.js';

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
  };
  response: {
    status: number;
    headers: Record<string, string>;
    framing: Framing;
    /** Stream events, for sse / ndjson. */
    events?: WireEvent[];
    /** `[DONE]` and the time it came, for streams that end with one. */
    terminator?: { data: string; t: number };
    /** The whole body, for json (parsed), text (string) and binary (Buffer). */
    body?: unknown;
  };
  occurrence: number;
  test?: string;
}

const Entry = z.object({
  __type__: z.string().optional(),
  __data__: z.unknown(),
  event: z.string().optional(),
  id: z.string().optional(),
  t: z.number().nonnegative().optional(),
});

const FileSchema = z.object({
  request: z.object({
    method: z.string().default('POST'),
    url: z.string().min(1),
    headers: z.record(z.string(), z.unknown()).nullish(),
    body: z.unknown().optional(),
    payload: z.unknown().optional(), // llama-stack's raw-SSE-line files name the body so
    endpoint: z.string().optional(),
    model: z.string().nullish(),
  }),
  response: z.object({
    status: z.number().int().min(100).max(599).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    is_streaming: z.boolean(),
    framing: z.enum(['sse', 'ndjson', 'json', 'text', 'binary']).optional(),
    body: z.unknown(),
    encoding: z.literal('base64').optional(),
    terminator: z.object({ data: z.string(), t: z.number().nonnegative() }).nullish(),
    is_exception: z.boolean().optional(),
    exception_message: z.string().optional(),
  }),
  occurrence: z.number().int().nonnegative().optional(),
  test: z.string().nullish(),
  test_id: z.string().nullish(),
});

type RecordingFile = z.infer<typeof FileSchema>;

/** Parses and validates a recording's text. Throws RecordingFileError naming the file and the fault. */
export function parseRecording(text: string, file: string): Interaction {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new RecordingFileError(file, `is not valid JSON (${(err as Error).message}). Fix it, or delete it and record again.`);
  }
  const parsed = FileSchema.safeParse(json);
  if (!parsed.success) {
    throw new RecordingFileError(file, `does not have the shape of a recording:\n${z.prettifyError(parsed.error)}\nFix it, or delete it and record again.`);
  }
  return toInteraction(parsed.data, file);
}

function toInteraction(f: RecordingFile, file: string): Interaction {
  const { request: rq, response: rs } = f;
  if (!/^https?:\/\//i.test(rq.url)) {
    throw new RecordingFileError(file, `is for ${rq.url}, which is not an HTTP URL: it cannot be replayed to an HTTP client.`);
  }
  if (rs.is_exception) {
    throw new RecordingFileError(file, `records a client exception (${rs.exception_message ?? 'no message'}), not an HTTP response: failed calls are not replayed.`);
  }
  const body = rq.body !== undefined ? rq.body : rq.payload;
  const endpoint = canonicalEndpoint(rq.url);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(rq.headers ?? {})) if (typeof v === 'string') headers[k] = v;
  const request = { method: rq.method.toUpperCase(), url: rq.url, endpoint, headers, body, model: rq.model ?? requestModel(endpoint, body) };
  const base = { request, occurrence: f.occurrence ?? 0, test: f.test ?? f.test_id ?? undefined };
  const status = rs.status ?? 200;
  const responseHeaders = rs.headers ?? {};

  if (rs.is_streaming) {
    if (!Array.isArray(rs.body)) throw new RecordingFileError(file, 'says is_streaming but response.body is not a list of events.');
    const { framing, events, terminator } = streamFromFile(rs, endpoint, file);
    const contentType = responseHeaders['content-type'] ?? (framing === 'sse' ? 'text/event-stream' : 'application/x-ndjson');
    return { ...base, response: { status, headers: { ...responseHeaders, 'content-type': contentType }, framing, events, terminator } };
  }

  const framing = rs.framing ?? (typeof rs.body === 'string' ? 'text' : 'json');
  let whole: unknown = rs.body;
  if (rs.encoding === 'base64') {
    if (typeof rs.body !== 'string') throw new RecordingFileError(file, 'says encoding base64 but response.body is not a string.');
    whole = Buffer.from(rs.body, 'base64');
  } else if (framing === 'json') {
    whole = Array.isArray(rs.body) ? wrapListBody(endpoint, rs.body.map(unwrap)) : unwrap(rs.body);
  }
  const contentType = responseHeaders['content-type'] ?? (framing === 'json' ? 'application/json' : 'text/plain; charset=utf-8');
  return { ...base, response: { status, headers: { ...responseHeaders, 'content-type': contentType }, framing, body: whole } };
}

function unwrap(v: unknown): unknown {
  return v && typeof v === 'object' && '__data__' in v ? (v as { __data__: unknown }).__data__ : v;
}

function streamFromFile(rs: RecordingFile['response'], endpoint: string, file: string) {
  const body = rs.body as unknown[];
  // llama-stack's Anthropic / Gemini-interactions files: the raw SSE lines.
  if (body.every((l) => typeof l === 'string')) {
    const events = (body as string[])
      .join('\n')
      .split(/\n\n/)
      .map((block) => parseSseBlock(block, 0))
      .filter((e): e is WireEvent => !!e);
    return { framing: 'sse' as const, events, terminator: undefined };
  }
  const events: WireEvent[] = [];
  let typeName: string | undefined;
  for (const [i, raw] of body.entries()) {
    const entry = Entry.safeParse(raw);
    if (!entry.success) throw new RecordingFileError(file, `has a malformed stream event at response.body[${i}]:\n${z.prettifyError(entry.error)}`);
    const e: WireEvent = { data: entry.data.__data__, t: entry.data.t ?? 0 };
    if (entry.data.event !== undefined) e.event = entry.data.event;
    if (entry.data.id !== undefined) e.id = entry.data.id;
    typeName ??= entry.data.__type__;
    events.push(e);
  }
  for (let i = 1; i < events.length; i++) {
    if (events[i].t < events[i - 1].t) throw new RecordingFileError(file, `has stream event times going backwards at response.body[${i}] (t ${events[i].t} < ${events[i - 1].t}).`);
  }
  if (rs.framing) {
    if (!isStreamFraming(rs.framing)) throw new RecordingFileError(file, `says is_streaming but its framing is ${rs.framing}.`);
    return { framing: rs.framing as 'sse' | 'ndjson', events, terminator: rs.terminator ?? undefined };
  }
  // A llama-stack file: framing and terminator follow from the payload type.
  const name = typeName ?? payloadTypeName(endpoint, true) ?? '';
  const done = impliedTerminator(name);
  const last = events.at(-1)?.t ?? 0;
  return { framing: framingOfTypeName(name), events, terminator: done ? { data: done, t: last } : undefined };
}

/** The file's JSON text for an interaction, keys in a stable order, bodies decoded. */
export function serializeRecording(x: Interaction): string {
  const { request: rq, response: rs } = x;
  const streamed = !!rs.events;
  const typeName = payloadTypeName(rq.endpoint, streamed);
  let body: unknown;
  let encoding: 'base64' | undefined;
  if (rs.events) {
    body = rs.events.map((e) => ({
      ...(typeName && typeof e.data === 'object' ? { __type__: typeName } : {}),
      __data__: e.data,
      ...(e.event !== undefined ? { event: e.event } : {}),
      ...(e.id !== undefined ? { id: e.id } : {}),
      t: round(e.t),
    }));
  } else if (Buffer.isBuffer(rs.body)) {
    body = rs.body.toString('base64');
    encoding = 'base64';
  } else {
    body = typeName && rs.framing === 'json' ? { __type__: typeName, __data__: rs.body } : rs.body;
  }
  const file = {
    request: { method: rq.method, url: rq.url, headers: rq.headers, body: rq.body, endpoint: rq.endpoint, model: rq.model ?? null },
    response: {
      status: rs.status,
      headers: rs.headers,
      is_streaming: streamed,
      framing: rs.framing,
      ...(encoding ? { encoding } : {}),
      body,
      ...(rs.terminator ? { terminator: { data: rs.terminator.data, t: round(rs.terminator.t) } } : {}),
    },
    occurrence: x.occurrence,
    test: x.test ?? null,
    recorder: FORMAT,
  };
  return JSON.stringify(file, null, 2) + '\n';
}

const round = (t: number) => Math.round(t * 10) / 10;
