// The recordings under one root, read and written by one set of rules (which URLs are LLM calls,
// what the match leaves out, what is redacted): a request described as stored, its key, the
// recording stored. Needs no test: a test's own view (its folder, mode, occurrences) is a Shelf.
import { requestModel } from '../../wire/providers.js';
import { type Ignore, type KeyRules, canonicalEndpoint, keyHash, requestKey } from '../key.js';
import { type UrlPattern, urlMatcher } from '../urls.js';
import type { Interaction } from '../recording.js';
import { type RedactOptions, Redactor } from '../redact.js';
import { headerValue } from '../headers.js';
import { Store } from '../store.js';
import { MULTIPART, isMultipart, parseMultipart } from '../../wire/multipart.js';
import { RequestBodyError } from '../errors.js';
import type { LlmRequest } from '../call.js';

export interface RecordingsOptions {
  /** The recordings root (`llmDir`), absolute. */
  root: string;
  urls: readonly UrlPattern[];
  ignore: Ignore;
  redact: RedactOptions;
}

interface SeenUrl {
  llm: boolean;
  /** The URL with credentials replaced, as stored. */
  redacted?: string;
  endpoint?: string;
}

const sharedRules = new Map<string, KeyRules>();

/**
 * The rules requests are keyed by. Recordings with the same ignore paths and redaction share one
 * object, so a recording's key, computed once per rules, serves every test of the process.
 */
function keyRules(ignore: Ignore, redact: RedactOptions): KeyRules {
  const list = typeof ignore === 'function' ? [ignore] : ignore;
  if (list.some((i) => typeof i === 'function')) return { ignore, redactor: new Redactor(redact) };
  const signature = JSON.stringify([list, redact], (_k, v) => (v instanceof RegExp ? `/${v.source}/${v.flags}` : v));
  let rules = sharedRules.get(signature);
  if (!rules) {
    rules = { ignore, redactor: new Redactor(redact) };
    sharedRules.set(signature, rules);
  }
  return rules;
}

export class Recordings {
  readonly store: Store;
  readonly rules: KeyRules;
  readonly redactor: Redactor;
  private readonly isLlm: (url: string) => boolean;
  /** Per URL seen lately: whether it is an LLM call, and (once described) its redacted form and endpoint. */
  private readonly seenUrls = new Map<string, SeenUrl>();
  /** The last request described, and its key: an identical request (a retry, a repeat) is not parsed again. */
  private last?: { req: LlmRequest; contentType: string | undefined; request: Interaction['request']; key?: string; hash?: string };

  constructor(options: RecordingsOptions) {
    this.store = Store.for(options.root);
    this.rules = keyRules(options.ignore, options.redact);
    this.redactor = this.rules.redactor;
    this.isLlm = urlMatcher(options.urls);
  }

  /** Whether a URL is an LLM call these rules handle (the answer is kept for the URLs seen last). */
  intercepts(url: string): boolean {
    return this.urlInfo(url).llm;
  }

  private urlInfo(url: string): SeenUrl {
    let seen = this.seenUrls.get(url);
    if (seen === undefined) {
      seen = { llm: this.isLlm(url) };
      if (this.seenUrls.size > 1000) this.seenUrls.clear();
      this.seenUrls.set(url, seen);
    }
    return seen;
  }

  /**
   * The request as stored: URL and body with secrets replaced, the model it names. Its headers,
   * only needed to store a recording, are added by `withHeaders`.
   */
  describe(req: LlmRequest): Interaction['request'] {
    const contentType = headerValue(req.headers, 'content-type');
    const last = this.last;
    if (last && last.req.url === req.url && last.req.method === req.method && last.contentType === contentType && last.req.body.equals(req.body)) return last.request;
    const seen = this.urlInfo(req.url);
    const endpoint = (seen.endpoint ??= canonicalEndpoint(req.url, this.redactor));
    const url = (seen.redacted ??= this.redactor.url(req.url));
    const { body: parsed, text } = isMultipart(contentType) ? formBody(req, url, contentType!) : parseBody(req.body, contentType);
    const body = this.redactor.body(parsed, text);
    const request = { method: req.method.toUpperCase(), url, endpoint, headers: {}, body, model: requestModel(endpoint, body) };
    // Its own copy of the bytes: a caller may reuse its buffer for the next request (undici's request() hands it over as it is).
    this.last = { req: { ...req, body: Buffer.from(req.body) }, contentType, request };
    return request;
  }

  /** The match key of a request these recordings described, and the key's hash (what recordings are named by). */
  keyed(request: Interaction['request']): { key: string; hash: string } {
    const last = this.last?.request === request ? this.last : undefined;
    if (last?.key !== undefined && last.hash !== undefined) return { key: last.key, hash: last.hash };
    const key = requestKey(request, this.rules, true);
    const hash = keyHash(key);
    if (last) Object.assign(last, { key, hash });
    return { key, hash };
  }

  /** The described request with its headers, as stored (credentials replaced, transport details gone). */
  withHeaders(request: Interaction['request'], req: LlmRequest): Interaction['request'] {
    const headers = this.redactor.requestHeaders(req.headers);
    // A multipart body's boundary is new on every call: kept out of the file, so a re-recording diffs clean.
    if (isMultipart(headers['content-type'])) headers['content-type'] = MULTIPART;
    return { ...request, headers };
  }

  /**
   * Stores a finished recording of a described request in `folder` (absolute, inside the root). With
   * an `owner` (a test's title), the folder is that test's: one another test already owns is refused.
   */
  save(folder: string, interaction: Interaction, owner?: string, key = requestKey(interaction.request, this.rules, true)): string {
    if (owner !== undefined) this.store.claim(folder, owner);
    return this.store.save(folder, interaction, key, this.rules);
  }
}

/** A multipart body as its fields (files by name, type, size and hash), or an error naming the call: nothing is sent or stored. */
function formBody(req: LlmRequest, url: string, contentType: string): { body: unknown; text?: string } {
  const form = parseMultipart(req.body, contentType);
  if ('problem' in form) {
    throw new RequestBodyError(`${req.method.toUpperCase()} ${url}: the multipart/form-data body cannot be read: ${form.problem}. Nothing was sent or stored; check how the request's FormData is built.`);
  }
  return { body: form.fields };
}

/** A request body as JSON when it is JSON (with its text), else as text, else base64. */
function parseBody(body: Buffer, contentType = ''): { body: unknown; text?: string } {
  if (!body.length) return { body: null };
  const text = body.toString('utf8');
  try {
    return { body: JSON.parse(text), text };
  } catch {
    return { body: /^text\/|json|x-www-form-urlencoded/.test(contentType) || Buffer.from(text, 'utf8').equals(body) ? text : body.toString('base64') };
  }
}
