// `verify --live`: a recording's request re-sent to the live API with the user's key, and the shape of
// today's answer compared with the recorded one (src/wire/shape.ts). Nothing here writes a file.
// Keys come from the environment only (a recording holds redacted headers), and go only to the
// provider's own origin or a base URL the user named.
import { type Interaction } from './recording.js';
import { REDACTED } from './redact.js';
import { HOP_BY_HOP } from './headers.js';
import { detailOf } from './errors.js';
import { type Answer, compareShapes, shapeOf } from '../wire/shape.js';
import { framingOf, isStreamFraming, splitStream } from '../wire/framing.js';
import { isMultipart } from '../wire/multipart.js';
import { type LiveProvider, liveProviderOf } from '../wire/providers.js';

/** A request ready to send, or why this recording is not sent. */
export type LiveRequest = { skip: string } | { provider: LiveProvider; url: string; method: string; headers: Record<string, string>; body?: string };

/** Headers never copied from a recording: credentials (rebuilt from the environment) and transport. */
const NOT_COPIED = /^(authorization|proxy-authorization|x-api-key|api-key|x-goog-api-key|cookie|content-length|accept-encoding)$/i;

/** The key of a provider from `env`: the first of its variables that is set. */
export function keyOf(provider: LiveProvider, env: NodeJS.ProcessEnv): string | undefined {
  for (const name of provider.env) if (env[name]) return env[name];
  return undefined;
}

/** The live request for a recording: to the provider's origin (or `bases[provider]`), with the key from `env`. */
export function liveRequest(x: Interaction, bases: ReadonlyMap<string, string>, env: NodeJS.ProcessEnv): LiveRequest {
  if (x.response.framing === 'websocket') return { skip: 'a WebSocket conversation: verify --live re-sends HTTP requests only' };
  const recorded = new URL(x.request.url);
  const provider = liveProviderOf(x.request.url);
  if (!provider) return { skip: `${recorded.host}${recorded.pathname} is not an API verify --live knows the key of (OpenAI, Anthropic, Gemini)` };
  const key = keyOf(provider, env);
  if (!key) return { skip: `no ${provider.env.join(' or ')} set` };
  const contentType = Object.entries(x.request.headers).find(([n]) => n.toLowerCase() === 'content-type')?.[1];
  if (isMultipart(contentType)) return { skip: 'a multipart upload: its files are not in the recording, so it cannot be re-sent' };
  const base = new URL(bases.get(provider.name) ?? provider.origin);
  const url = new URL(base.pathname.replace(/\/$/, '') + recorded.pathname, base.origin);
  for (const [k, v] of recorded.searchParams) if (!v.includes(REDACTED)) url.searchParams.append(k, v);
  const headers: Record<string, string> = {};
  for (const [n, v] of Object.entries(x.request.headers)) {
    const name = n.toLowerCase();
    if (NOT_COPIED.test(name) || HOP_BY_HOP.has(name) || name.startsWith(':') || String(v).includes(REDACTED)) continue;
    headers[name] = String(v);
  }
  const b = x.request.body;
  const body = b === undefined || b === null ? undefined : typeof b === 'string' ? b : JSON.stringify(b);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  return { provider, url: url.href, method: x.request.method, headers: { ...headers, ...provider.auth(key, headers) }, body };
}

/** A recording's answer, for its shape; `[DONE]` and events kept only as raw text count too. */
export function recordedAnswer(x: Interaction): Answer {
  const { status, framing, body, events, terminator } = x.response;
  if (!isStreamFraming(framing)) return { status, framing, body };
  const all: { event?: string; data?: unknown }[] = [];
  for (const e of events ?? []) {
    if (e.data === undefined && e.raw !== undefined) all.push(...splitStream(framing, e.raw).events);
    else all.push(e);
  }
  if (terminator) all.push({ data: terminator.data });
  return { status, framing, events: all };
}

/** Sends a live request and reads its whole answer. Throws (with undici's cause) when the API cannot be reached. */
export async function liveAnswer(r: Extract<LiveRequest, { url: string }>, timeoutMs: number): Promise<Answer> {
  const res = await fetch(r.url, { method: r.method, headers: r.headers, body: r.body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  const bytes = Buffer.from(await res.arrayBuffer());
  const framing = framingOf(res.headers.get('content-type') ?? undefined);
  if (isStreamFraming(framing)) return { status: res.status, framing, events: splitStream(framing, bytes).events };
  if (framing !== 'json') return { status: res.status, framing };
  try {
    return { status: res.status, framing, body: JSON.parse(bytes.toString('utf8')) };
  } catch {
    return { status: res.status, framing, body: bytes.toString('utf8') };
  }
}

/** Why a request did not get an answer, in one line: undici's cause (ECONNREFUSED, ENOTFOUND…) when it has one. */
export function unreachable(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : undefined;
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return 'no answer in time (--timeout)';
  return cause ? `${(cause as { code?: string }).code ?? cause.name}: ${cause.message}` : detailOf(err);
}

/** The drift of one recording: the ways today's answer differs in shape from the recorded one. */
export function driftOf(x: Interaction, live: Answer): string[] {
  return compareShapes(shapeOf(recordedAnswer(x)), shapeOf(live));
}
