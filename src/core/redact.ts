// What never reaches disk: credentials, by the name of a header, query parameter or body field,
// and values that look like keys wherever they appear (headers, query, body strings). Each is
// replaced by a placeholder before anything is written, and the match key is computed from the
// redacted request, so a recording still matches the request it came from. Users extend it with
// `llmRedact`: header names, dotted body paths, RegExps of values.
import { type HeaderList, HOP_BY_HOP, TRANSPORT_ONLY } from './headers.js';

export const REDACTED = '<redacted>';

export interface RedactOptions {
  /** More header names (exact, case-insensitive) or RegExps of names whose values are replaced. */
  headers?: readonly (string | RegExp)[];
  /** Dotted body paths (`metadata.user_email`, `messages.*.name`) whose values are replaced. */
  paths?: readonly string[];
  /** RegExps of secret values, replaced wherever they occur in headers, the query and body strings. */
  values?: readonly RegExp[];
}

/** Header names that mark a credential, or an account the caller would not publish. */
const SECRET_HEADER = [
  /^(proxy-)?authorization$/,
  /-authorization$/,
  /^(set-)?cookie2?$/,
  /(^|-)(keys?|api-?key|token|secrets?|signature|password|passwd|credentials?|session)$/, // not `-tokens`: rate-limit counts
  /secret/,
  /(^|-)(organization|organization-id|org-id|project|project-id)$/,
];

/** Query parameters that carry credentials (Gemini takes `?key=`; Azure SAS URLs `sig=`). */
const SECRET_QUERY = /^(key|api[-_]?key|access[-_]?token|token|secret|sig|signature|password|auth)$/i;

/** Body fields named like credentials. Message content is never matched by name. */
const SECRET_FIELD = /^(api[-_]?key|apikey|access[-_]?token|refresh[-_]?token|id[-_]?token|auth[-_]?token|secret|client[-_]?secret|password|private[-_]?key|authorization)$/i;

/** A field named like a credential, as it appears in JSON text. */
const SECRET_FIELD_IN_TEXT = new RegExp(`"${SECRET_FIELD.source.replace(/^\^|\$$/g, '')}"\\s*:`, 'i');

/** Values that look like keys, wherever they are. */
const SECRET_VALUES: readonly RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{16,}/g, // OpenAI (sk-, sk-proj-, sk-svcacct-), Anthropic (sk-ant-), OpenRouter (sk-or-v1-)
  /\bAIza[0-9A-Za-z_-]{30,}/g, // Google
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // JWT
  /\b(?:gsk|xai|fw|pplx|hf|r8|nvapi|csk|ghp|gho|ghs|ghu|github_pat|glpat|xox[abpr])[-_][A-Za-z0-9_-]{16,}/g, // Groq, xAI, Fireworks, Perplexity, HF, …
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key id
  /\borg-[A-Za-z0-9]{16,}\b/g, // OpenAI organisation id
  /\bproj_[A-Za-z0-9]{16,}\b/g, // OpenAI project id
  /(?<=\bBearer\s+)[A-Za-z0-9._~+/-]{12,}=*/gi, // any bearer token
];

// Request headers that say nothing about the request and differ between machines and runs (the
// SDKs' x-stainless-os / -runtime-version / -retry-count would make every re-record a diff).
const DROPPED_REQUEST_HEADER = /^(content-length|accept-encoding|accept-language|user-agent|sec-fetch-.*|sec-ch-.*|x-stainless-.*|x-llm-replay-.*)$/;

export class Redactor {
  private readonly headerNames: readonly RegExp[];
  private readonly paths: readonly string[][];
  /** The value patterns without flags, in one RegExp: one pass over each string (most are not secrets). */
  private readonly values: RegExp;
  /** Value patterns with flags of their own (`i`…), each matched on its own. */
  private readonly flagged: readonly RegExp[];

  constructor(readonly options: RedactOptions = {}) {
    const exact = (s: string) => new RegExp(`^${s.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    this.headerNames = [...SECRET_HEADER, ...(options.headers ?? []).map((h) => (typeof h === 'string' ? exact(h) : h))];
    this.paths = (options.paths ?? []).map((p) => p.split('.'));
    // Patterns without flags share one RegExp; one with flags (`i`…) keeps them and runs on its own.
    const all = [...SECRET_VALUES, ...(options.values ?? [])];
    const flagged = all.filter((v) => v.flags.replace('g', '') !== '');
    this.values = new RegExp(all.filter((v) => !flagged.includes(v)).map((v) => `(?:${v.source})`).join('|') || '(?!)', 'g');
    this.flagged = flagged.map((v) => new RegExp(v.source, v.flags.includes('g') ? v.flags : `${v.flags}g`));
  }

  isSecretHeader(name: string): boolean {
    const n = name.toLowerCase();
    return this.headerNames.some((re) => re.test(n));
  }

  /** A string with every key-like value replaced. */
  text(value: string): string {
    let out = value.replace(this.values, REDACTED);
    for (const re of this.flagged) out = out.replace(re, REDACTED);
    return out;
  }

  /** Request headers as stored: credentials replaced, transport details gone, sorted by name. */
  requestHeaders(list: HeaderList): Record<string, string> {
    return this.headers(list, (n) => HOP_BY_HOP.has(n) || DROPPED_REQUEST_HEADER.test(n));
  }

  /** Response headers as stored: what the upstream sent, minus hop-by-hop, transport-only and cookies; credentials replaced. */
  responseHeaders(list: HeaderList): Record<string, string> {
    return this.headers(list, (n) => TRANSPORT_ONLY.has(n) || n === 'set-cookie' || n === 'set-cookie2');
  }

  private headers(list: HeaderList, drop: (name: string) => boolean): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of [...list].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (drop(name)) continue;
      const safe = this.isSecretHeader(name) ? REDACTED : this.text(value);
      out[name] = name in out ? `${out[name]}, ${safe}` : safe;
    }
    return out;
  }

  /** The URL with credentials in its query string and user info replaced. */
  url(url: string): string {
    if (!url.includes('?') && !url.includes('@') && this.text(url) === url) return url;
    const u = new URL(url);
    let changed = false;
    for (const [name, value] of [...u.searchParams]) {
      const safe = SECRET_QUERY.test(name) ? REDACTED : this.text(value);
      if (safe !== value) {
        u.searchParams.set(name, safe);
        changed = true;
      }
    }
    if (u.username || u.password) {
      u.username = '';
      u.password = '';
      changed = true;
    }
    return changed ? u.toString() : url;
  }

  /** A JSON body with credential fields, the user's paths and key-like values replaced. `text`: its JSON text, when at hand. */
  body(body: unknown, text?: string): unknown {
    let out = this.mayHoldSecrets(body, text) ? this.scrub(body) : body;
    for (const p of this.paths) out = replaceAt(out, p);
    return out;
  }

  /**
   * False when one look at the body's JSON text finds no key-like value and no field named like a
   * credential: then nothing needs replacing (the common case, and one regex pass instead of many).
   */
  private mayHoldSecrets(body: unknown, json?: string): boolean {
    if (body === null || typeof body !== 'object') return typeof body === 'string';
    // The caller's text will do unless it escapes something (`\/`, `\u…`) a pattern would then miss.
    const text = json !== undefined && !json.includes('\\') ? json : JSON.stringify(body);
    const found = (re: RegExp) => ((re.lastIndex = 0), re.test(text));
    return found(this.values) || this.flagged.some(found) || SECRET_FIELD_IN_TEXT.test(text);
  }

  /** The value with secrets replaced; the very same value when it holds none (no copy is made). */
  private scrub(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const v = this.scrub(value[i]);
        if (v !== value[i]) (copy ??= value.slice())[i] = v;
      }
      return copy ?? value;
    }
    if (value && typeof value === 'object') {
      let copy: Record<string, unknown> | undefined;
      for (const [k, v] of Object.entries(value)) {
        const safe = SECRET_FIELD.test(k) && v != null ? REDACTED : this.scrub(v);
        if (safe !== v) (copy ??= { ...(value as Record<string, unknown>) })[k] = safe;
      }
      return copy ?? value;
    }
    return value;
  }
}

/** Query parameters that are credentials are not part of an endpoint's identity. */
export function isSecretQueryParam(name: string): boolean {
  return SECRET_QUERY.test(name);
}

function replaceAt(body: unknown, path: string[]): unknown {
  if (!path.length || !body || typeof body !== 'object') return body;
  const [head, ...rest] = path;
  const at = (v: unknown) => (rest.length ? replaceAt(v, rest) : v == null ? v : REDACTED);
  if (Array.isArray(body)) {
    if (head === '*') return body.map(at);
    const i = Number(head);
    if (!Number.isInteger(i) || i < 0 || i >= body.length) return body;
    const copy = body.slice();
    copy[i] = at(copy[i]);
    return copy;
  }
  const copy: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  for (const k of head === '*' ? Object.keys(copy) : [head]) if (k in copy) copy[k] = at(copy[k]);
  return copy;
}

/** The redactor with only the built-in rules. */
export const defaultRedactor = new Redactor();
