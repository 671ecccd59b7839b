// The match key: method + canonical endpoint + canonical JSON body. Headers are not part of it
// (SDKs send OS- and retry-specific headers), nor are the host and port (a local upstream's port
// changes from run to run; the endpoint and body say what was asked).
import crypto from 'node:crypto';
import { canonicalPath } from '../wire/providers.js';
import { isFilePart } from '../wire/multipart.js';
import { type Redactor, defaultRedactor, isSecretQueryParam } from './redact.js';

export type IgnoreFn = (body: unknown, request: { method: string; url: string; endpoint: string }) => unknown;
/**
 * A masking rule: in every string at `path` (or inside it), what `match` matches is replaced by
 * MASK before keying, so the rest of the field still counts. Unlike a function, it is plain data:
 * it reaches the app's server and the proxy.
 */
export interface IgnoreMatch {
  /** A dotted body path, `*` for any key or index: `messages.*.content`. */
  path: string;
  /** `/Today is \S+/`: every match is masked (as if the RegExp had the `g` flag). */
  match: RegExp;
}
/**
 * Dotted body paths (`metadata.user_id`, `messages.*.id`), masking rules, and functions that
 * return the body to key on. In Playwright `use:` put a function inside the list: a bare function
 * there is a fixture.
 */
export type Ignore = readonly (string | IgnoreMatch | IgnoreFn)[] | IgnoreFn;

/** What a masking rule puts in place of each match, in the key only. */
export const MASK = '<llmIgnore>';

/** `/v1/chat/completions`, plus the query string (minus credentials) sorted, when there is one. */
export function canonicalEndpoint(url: string, redactor: Redactor = defaultRedactor): string {
  // Most calls have no query and no user info: the path is all there is to it.
  if (!url.includes('?') && !url.includes('@')) {
    const afterScheme = url.indexOf('//');
    const slash = url.indexOf('/', afterScheme + 2);
    const hash = url.indexOf('#');
    if (afterScheme > 0 && slash > 0 && (hash < 0 || hash > slash)) return canonicalPath(url.slice(slash, hash < 0 ? undefined : hash));
  }
  const u = new URL(redactor.url(url));
  for (const name of [...u.searchParams.keys()]) if (isSecretQueryParam(name)) u.searchParams.delete(name);
  u.searchParams.sort();
  const query = u.searchParams.toString();
  return canonicalPath(u.pathname) + (query ? `?${query}` : '');
}

/** JSON with object keys sorted at every depth, so key order and whitespace never matter. */
export function canonicalJson(value: unknown): string {
  return stringify(value) ?? 'null';
}

/** JSON.stringify with sorted keys, written directly (no sorted copy of the value is made). */
function stringify(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return stringify((value as { toJSON(): unknown }).toJSON());
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + (stringify(value[i]) ?? 'null');
    return out + ']';
  }
  const keys = Object.keys(value);
  // Most objects have a few keys: an insertion sort in place (Array#sort allocates its work space on every call).
  if (keys.length > 16) keys.sort();
  else {
    for (let i = 1; i < keys.length; i++) {
      const k = keys[i];
      let j = i - 1;
      for (; j >= 0 && keys[j] > k; j--) keys[j + 1] = keys[j];
      keys[j + 1] = k;
    }
  }
  let out = '';
  for (const k of keys) {
    const v = stringify((value as Record<string, unknown>)[k]);
    if (v !== undefined) out += (out ? ',' : '') + JSON.stringify(k) + ':' + v;
  }
  return '{' + out + '}';
}

/** Removes a dotted path (`metadata.user_id`, `messages.*.id`) from a copy of the body. */
function withoutPath(body: unknown, path: string[]): unknown {
  if (!path.length || !body || typeof body !== 'object') return body;
  const [head, ...rest] = path;
  if (Array.isArray(body)) {
    if (head === '*') return rest.length ? body.map((v) => withoutPath(v, rest)) : [];
    const i = Number(head);
    if (!Number.isInteger(i) || i < 0 || i >= body.length) return body;
    const copy = body.slice();
    if (rest.length) copy[i] = withoutPath(copy[i], rest);
    else copy.splice(i, 1);
    return copy;
  }
  const copy: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  for (const k of head === '*' ? Object.keys(copy) : [head]) {
    if (!(k in copy)) continue;
    if (rest.length) copy[k] = withoutPath(copy[k], rest);
    else delete copy[k];
  }
  return copy;
}

/** A copy of the body with the matches of `re` masked in every string at a dotted path, or inside it. */
function maskedAt(body: unknown, path: string[], re: RegExp): unknown {
  if (!path.length) return masked(body, re);
  if (!body || typeof body !== 'object') return body;
  const [head, ...rest] = path;
  if (Array.isArray(body)) {
    if (head === '*') return body.map((v) => maskedAt(v, rest, re));
    const i = Number(head);
    if (!Number.isInteger(i) || i < 0 || i >= body.length) return body;
    const copy = body.slice();
    copy[i] = maskedAt(copy[i], rest, re);
    return copy;
  }
  const copy: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  for (const k of head === '*' ? Object.keys(copy) : [head]) if (k in copy) copy[k] = maskedAt(copy[k], rest, re);
  return copy;
}

function masked(value: unknown, re: RegExp): unknown {
  if (typeof value === 'string') return value.replace(re, MASK);
  if (Array.isArray(value)) return value.map((v) => masked(v, re));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, masked(v, re)]));
  return value;
}

const everyMatch = new WeakMap<RegExp, RegExp>();
/** The rule's RegExp with the `g` flag, so every match is masked (made once per RegExp). */
function global(re: RegExp): RegExp {
  if (re.global) return re;
  let g = everyMatch.get(re);
  if (!g) everyMatch.set(re, (g = new RegExp(re.source, re.flags + 'g')));
  return g;
}

export interface KeyedRequest {
  method: string;
  url: string;
  body: unknown;
}

/** How a session keys requests: the body fields it ignores and the secrets it redacts. */
export interface KeyRules {
  ignore: Ignore;
  redactor: Redactor;
}

/** The body as it takes part in the key: secrets redacted (unless `redacted` says they are), ignored fields out. */
export function keyBody(req: KeyedRequest, rules: KeyRules, redacted = false): unknown {
  const list = typeof rules.ignore === 'function' ? [rules.ignore] : rules.ignore;
  const body = redacted ? req.body : rules.redactor.body(req.body);
  if (!list.length) return body;
  const info = { method: req.method, url: req.url, endpoint: canonicalEndpoint(req.url, rules.redactor) };
  return list.reduce<unknown>((b, rule) => {
    if (typeof rule === 'function') return rule(structuredClone(b), info);
    if (typeof rule === 'string') return withoutPath(b, rule.split('.'));
    return maskedAt(b, rule.path.split('.'), global(rule.match));
  }, body);
}

/**
 * The match key: method, canonical endpoint, canonical body. For a request the session has
 * already described (URL and body redacted, endpoint computed by the same rules), pass `described`.
 */
export function requestKey(req: KeyedRequest & { endpoint?: string }, rules: KeyRules, described = false): string {
  const endpoint = described && req.endpoint !== undefined ? req.endpoint : canonicalEndpoint(req.url, rules.redactor);
  return `${req.method.toUpperCase()} ${endpoint}\n${canonicalJson(keyBody(req, rules, described))}`;
}

export function keyHash(key: string): string {
  return crypto.hash('sha256', key, 'hex').slice(0, 12);
}

/** One leaf where two bodies differ: its path, the llmIgnore entry that leaves it out, both values. */
export interface Difference {
  /** `messages[0].tool_calls[0].id` */
  path: string;
  /** `messages.*.tool_calls.*.id` */
  ignore: string;
  recorded: unknown;
  wanted: unknown;
}

/** The leaves where two bodies differ, for the "closest recording" hint of a miss. */
export function differences(recorded: unknown, wanted: unknown, prefix = '', ignore = ''): Difference[] {
  if (canonicalJson(recorded) === canonicalJson(wanted)) return [];
  const bothObjects = recorded && wanted && typeof recorded === 'object' && typeof wanted === 'object' && Array.isArray(recorded) === Array.isArray(wanted);
  // A file part differs as a whole: its name, size and hash are shown together.
  if (!bothObjects || isFilePart(recorded) || isFilePart(wanted)) return [{ path: prefix || '(body)', ignore, recorded, wanted }];
  const keys = new Set([...Object.keys(recorded as object), ...Object.keys(wanted as object)]);
  const out: Difference[] = [];
  for (const k of keys) {
    const path = Array.isArray(recorded) ? `${prefix}[${k}]` : prefix ? `${prefix}.${k}` : k;
    const entry = Array.isArray(recorded) ? (ignore ? `${ignore}.*` : '*') : ignore ? `${ignore}.${k}` : k;
    out.push(...differences((recorded as Record<string, unknown>)[k], (wanted as Record<string, unknown>)[k], path, entry));
  }
  return out;
}

/** The leaf paths where two bodies differ. */
export function diffPaths(a: unknown, b: unknown): string[] {
  return differences(a, b).map((d) => d.path);
}

// Values that change on every run by nature: ids made up by a provider or an SDK, and timestamps.
const VOLATILE: RegExp[] = [
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, // UUID
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/, // ISO timestamp
  /^(call|toolu|chatcmpl|msg|resp|req|run|thread|fc|rs|item|tool|srvtoolu|cmpl|batch|file|asst)[_-][A-Za-z0-9_-]{6,}$/, // provider ids
];

/** Whether a value looks like an id or a timestamp that changes on every run. */
export function looksVolatile(v: unknown): boolean {
  if (typeof v === 'number') return Number.isInteger(v) && v > 1e12 && v < 1e13; // epoch milliseconds
  return typeof v === 'string' && VOLATILE.some((re) => re.test(v));
}
