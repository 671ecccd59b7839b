// One test's view of the recordings: its folder, mode, pace, the calls it made (with their state,
// pending until stored or failed), and the n-th occurrence counter per key. The exchange asks a
// session what to do with a request; listeners (llm.calls, the app server's report) hear its events.
import path from 'node:path';
import type { Mode } from '../mode.js';
import { requestModel } from '../wire/providers.js';
import { type Ignore, type KeyRules, canonicalEndpoint, differences, keyBody, keyHash, looksVolatile, requestKey } from './key.js';
import { type UrlPattern, urlMatcher } from './urls.js';
import type { Interaction } from './recording.js';
import { type RedactOptions, Redactor } from './redact.js';
import { type HeaderList, headerValue } from './headers.js';
import { LlmOptionError, ReplayMissError } from './errors.js';
import { type Found, Store } from './store.js';
import { testFolderPath } from './confine.js';
import { Faults } from './faults.js';
import type { Sleeper } from './clock.js';
import { Occurrences } from './occurrences.js';

export type Pace = number | 'clock';

/** Checked settings: what every entry point resolves its options into (see options.ts). */
export interface Settings {
  /** The recordings root (`llmDir`), absolute. */
  root: string;
  mode: Mode;
  /** 0: no delays; n: the recorded timing n times as fast; 'clock': the recorded timing on the test's clock. */
  pace: Pace;
  urls: readonly UrlPattern[];
  ignore: Ignore;
  redact: RedactOptions;
}

export interface SessionOptions extends Settings {
  /** The test the calls belong to; without one, calls go to the shared `_shared` folder. */
  test?: TestRef;
}

export interface TestRef {
  /** The folder of its recordings, relative to the root. */
  folder: string;
  /** `spec.ts > describe > title`, stored in each recording. */
  title: string;
  /** `tests/chat.spec.ts:12` (with `-c <config>` when needed), for the command that records it. */
  location: string;
}

export type Where = 'page' | 'worker' | 'server' | 'proxy';

/** A request as every transport hands it to the core. */
export interface LlmRequest {
  method: string;
  url: string;
  headers: HeaderList;
  body: Buffer;
}

export type Outcome = 'pending' | 'replayed' | 'recorded' | 'passthrough' | 'missed' | 'not-recorded' | 'faulted';

export interface LlmCall {
  /** Unique within the process that made the call. */
  id: string;
  method: string;
  url: string;
  model?: string;
  /** `pending` until the answer has been replayed, stored, passed on, or has failed. */
  outcome: Outcome;
  /** The recording replayed or written. */
  file?: string;
  /** Why a recording call was not stored (upstream status or connection error). */
  reason?: string;
  /** Where the call was made: the page, the test worker, the app's server, or the proxy. */
  where: Where;
  /** Replay mode: the test whose recording (in its folder, not this test's) was replayed. Re-recording that test may break this one. */
  owner?: string;
  /** The recording of another test this test took its own copy of (the copy is `file`). */
  copiedFrom?: string;
  /** The fault the test injected into this call (`llm.fault`), as written. */
  fault?: string;
  faultId?: string;
}

interface SeenUrl {
  llm: boolean;
  /** The URL with credentials replaced, as stored. */
  redacted?: string;
  endpoint?: string;
}

export type SessionEvent = { type: 'call'; call: LlmCall } | { type: 'settled'; call: LlmCall } | { type: 'error'; error: Error };

/** What the exchange does with a request. */
export type Decision =
  | { kind: 'replay'; found: Found; /** Another test's recording, replayed as it is (replay mode). */ owner?: string; /** Another test's recording this test took a copy of. */ copiedFrom?: string }
  | { kind: 'record'; occurrence: number; key: string }
  | { kind: 'passthrough' }
  | { kind: 'miss'; error: ReplayMissError };

let nextId = 0;

const sharedRules = new Map<string, KeyRules>();

/**
 * The rules sessions key requests by. Sessions with the same ignore paths and redaction share one
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

export class Session {
  readonly calls: LlmCall[] = [];
  /** The faults the test injects (`llm.fault`). */
  readonly faults = new Faults();
  /** At `pace: 'clock'`: the test's clock, that replays wait on. */
  clock?: Sleeper;
  private clockMissing = false;
  readonly errors: Error[] = [];
  readonly store: Store;
  /** This test's recordings folder, absolute, inside the root. */
  readonly folder: string;
  readonly rules: KeyRules;
  readonly redactor: Redactor;
  private readonly isLlm: (url: string) => boolean;
  /** Which occurrence of an identical request each call is (shared with the app's server once it takes part). */
  readonly occurrences = new Occurrences();
  /** Per URL seen lately: whether it is an LLM call, and (once described) its redacted form and endpoint. */
  private readonly seenUrls = new Map<string, SeenUrl>();
  /** The last request described, and its key: an identical request (a retry, a repeat) is not parsed again. */
  private last?: { req: LlmRequest; contentType: string | undefined; request: Interaction['request']; key?: string; hash?: string };
  private readonly listeners: ((e: SessionEvent) => void)[] = [];
  private readonly pending = new Set<Promise<unknown>>();
  /** Recordings this session already checked on disk: it trusts the store's copy from then on. */
  private readonly checked = new Set<string>();

  constructor(readonly options: SessionOptions) {
    this.store = Store.for(options.root);
    this.folder = testFolderPath(this.store.root, options.test?.folder ?? '_shared');
    this.rules = keyRules(options.ignore, options.redact);
    this.redactor = this.rules.redactor;
    this.isLlm = urlMatcher(options.urls);
  }

  on(listener: (e: SessionEvent) => void): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener) >>> 0, 1);
  }

  private emit(e: SessionEvent): void {
    for (const l of this.listeners) l(e);
  }

  /** Whether a URL is an LLM call this session handles (the answer is kept for the URLs seen last). */
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

  /** Records an error that fails the test at its end. */
  fail(error: Error): void {
    this.errors.push(error);
    this.emit({ type: 'error', error });
  }

  /**
   * At `pace: 'clock'`: whether a replay can wait on the test's clock. When the test has not
   * installed one, the test fails (once) and the replay runs at the recorded timing in real time.
   */
  clockReady(call: LlmCall): boolean {
    if (this.clock?.installed) return true;
    if (!this.clockMissing) {
      this.clockMissing = true;
      const by = { page: 'the page', worker: 'the test worker', server: 'the app server', proxy: 'the proxy' }[call.where];
      this.fail(
        new LlmOptionError(
          `llmPace is 'clock', but the test has not installed a clock: ${call.method} ${call.url}${call.model ? ` (model ${call.model})` : ''}, made by ${by}, was replayed at the recorded timing in real time. Call page.clock.install() before the call (llm.clock.install() in a test without a page), or set llmPace to a number.`,
        ),
      );
    }
    return false;
  }

  /** A new call, pending until `settle`. */
  begin(request: Interaction['request'], where: Where): LlmCall {
    const call: LlmCall = { id: `${process.pid}-${++nextId}`, method: request.method, url: request.url, model: request.model, outcome: 'pending', where };
    this.calls.push(call);
    this.emit({ type: 'call', call });
    return call;
  }

  settle(call: LlmCall, outcome: Partial<LlmCall> & { outcome: Exclude<Outcome, 'pending'> }): void {
    if (call.outcome !== 'pending') return;
    Object.assign(call, outcome);
    this.emit({ type: 'settled', call });
  }

  /** Keeps the test from ending until `work` has settled (see `idle`). */
  track(work: Promise<unknown>): void {
    const p = work.catch(() => {}).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Resolves when every tracked call has settled, or after `timeoutMs`; returns the calls still pending. */
  async idle(timeoutMs: number): Promise<LlmCall[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending.size && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all([...this.pending]), new Promise((r) => (timer = setTimeout(r, deadline - Date.now())))]);
      clearTimeout(timer);
    }
    return this.calls.filter((c) => c.outcome === 'pending');
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
    const { body: parsed, text } = parseBody(req.body, contentType);
    const body = this.redactor.body(parsed, text);
    const request = { method: req.method.toUpperCase(), url, endpoint, headers: {}, body, model: requestModel(endpoint, body) };
    // Its own copy of the bytes: a caller may reuse its buffer for the next request (undici's request() hands it over as it is).
    this.last = { req: { ...req, body: Buffer.from(req.body) }, contentType, request };
    return request;
  }

  /** The match key of a request this session described, and the key's hash (what recordings are named by). */
  private keyed(request: Interaction['request']): { key: string; hash: string } {
    const last = this.last?.request === request ? this.last : undefined;
    if (last?.key !== undefined && last.hash !== undefined) return { key: last.key, hash: last.hash };
    const key = requestKey(request, this.rules, true);
    const hash = keyHash(key);
    if (last) Object.assign(last, { key, hash });
    return { key, hash };
  }

  /** The described request with its headers, as stored (credentials replaced, transport details gone). */
  withHeaders(request: Interaction['request'], req: LlmRequest): Interaction['request'] {
    return { ...request, headers: this.redactor.requestHeaders(req.headers) };
  }

  /** Decides what happens to one LLM request. Throws only for a corrupt recording. */
  decide(request: Interaction['request']): Decision {
    const { mode } = this.options;
    if (mode === 'passthrough') return { kind: 'passthrough' };
    const { key, hash } = this.keyed(request);
    const occurrence = this.occurrences.next(hash);
    if (mode !== 'record') {
      const wanted = { key, hash, endpoint: request.endpoint, method: request.method };
      const found = this.store.find(this.folder, wanted, this.rules, occurrence, this.checked, this.occurrences.shared);
      if (found) return this.own(found, key);
      if (mode === 'replay') return { kind: 'miss', error: this.missError(request) };
    }
    return { kind: 'record', occurrence, key };
  }

  /**
   * A recording found in another test's folder. Re-recording that test may change or remove it, so
   * whenever recording is allowed the test takes its own copy — of every occurrence of the request
   * there, so a conversation that repeats it stays whole; in replay mode (which never writes) it is
   * replayed and the call says whose it was. Files no test owns (`_shared`, `imported`, llama-stack's)
   * are there to be shared.
   */
  private own(found: Found, key: string): Decision {
    const test = this.options.test;
    if (!test || found.interaction.test === test.title || found.file.startsWith(this.folder + path.sep)) return { kind: 'replay', found };
    const owner = ownerOf(found, this.store.root);
    if (owner === undefined) return { kind: 'replay', found };
    if (this.options.mode === 'replay') return { kind: 'replay', found, owner };
    let mine: Found = found;
    for (const file of this.store.occurrencesOf(found.file)) {
      const theirs = file === found.file ? found.interaction : this.store.read(file);
      if (!theirs || requestKey(theirs.request, this.rules) !== key) continue;
      const copy: Interaction = { ...theirs, test: test.title };
      const saved = this.save(copy, key);
      if (file === found.file) mine = { file: saved, interaction: copy };
    }
    return { kind: 'replay', found: mine, copiedFrom: found.file };
  }

  /** Stores a finished recording of a request this session described, in this test's folder. */
  save(interaction: Interaction, key = requestKey(interaction.request, this.rules, true)): string {
    if (this.options.test) this.store.claim(this.folder, this.options.test.title);
    return this.store.save(this.folder, interaction, key, this.rules);
  }

  private missError(request: Interaction['request']): ReplayMissError {
    const { test } = this.options;
    const lines = [
      `no recording for ${request.method} ${request.url}${request.model ? ` (model ${request.model})` : ''} in replay mode.`,
      `  Looked in ${rel(this.folder)}${path.sep} and everywhere under ${rel(this.store.root)}${path.sep}`,
    ];
    const { found, unreadable } = this.store.candidates(this.folder, request.method, request.endpoint);
    const wanted = keyBody(request, this.rules, true);
    // Fewest differing fields first; among those, the values nearest the ones asked for.
    const ranked = found
      .map((f) => {
        const diff = differences(keyBody(f.interaction.request, this.rules), wanted);
        return { f, diff, far: diff.reduce((sum, d) => sum + distance(d.recorded, d.wanted), 0) };
      })
      .sort((a, b) => a.diff.length - b.diff.length || a.far - b.far);
    if (ranked.length) {
      const { f, diff } = ranked[0];
      lines.push(`  Closest recording: ${rel(f.file)}`, `    body fields that differ: ${diff.slice(0, 8).map((d) => d.path).join(', ')}${diff.length > 8 ? `, … (${diff.length} in all)` : ''}`);
      for (const d of diff.slice(0, 8)) lines.push(`      ${d.path}: ${shown(this.redactor, d.wanted)} (recorded: ${shown(this.redactor, d.recorded)})`);
      const volatile = diff.filter((d) => looksVolatile(d.recorded) && looksVolatile(d.wanted));
      for (const entry of [...new Set(volatile.map((d) => d.ignore))]) {
        lines.push(`    ${entry} looks volatile (an id or a time that changes on every run): add '${entry}' to llmIgnore to leave it out of the match.`);
      }
    } else {
      lines.push(`  No recording of ${request.method} ${request.endpoint} exists yet.`);
    }
    for (const err of unreadable.slice(0, 3)) lines.push(`  Note: ${err.detail}`);
    for (const m of [...this.store.misnamed.values()].slice(0, 3)) lines.push(`  Note: ${rel(m.file)} holds a different request than its name says (edited by hand?); rename it to ${path.basename(m.expected)}.`);
    const target = test ? ` ${test.location}` : '';
    // Record mode records every call of the test again and removes the ones it no longer makes: no stale file is left.
    lines.push(`  To record it: LLM_REPLAY_MODE=record npx playwright test${target}`);
    return new ReplayMissError(lines.join('\n'));
  }
}

/** Top-level folders of llmDir whose recordings no test owns: any test may replay them. */
const SHARED_FOLDERS = new Set(['_shared', 'imported']);

/** The test a recording belongs to, when it sits in a test's folder (not in a shared one). */
function ownerOf(found: Found, root: string): string | undefined {
  const test = found.interaction.test;
  if (test === undefined) return undefined;
  const top = path.relative(root, found.file).split(path.sep)[0];
  return SHARED_FOLDERS.has(top) ? undefined : test;
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

/** A value as a miss message shows it: JSON, cut to about 80 characters, secrets replaced. */
function shown(redactor: Redactor, v: unknown): string {
  if (v === undefined) return '(absent)';
  const text = redactor.text(JSON.stringify(v));
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

function rel(file: string): string {
  const r = path.relative(process.cwd(), file);
  return r && !r.startsWith('..') ? r : file;
}

/** How far apart two values are, roughly: for strings, the characters that differ outside a shared start and end. */
function distance(a: unknown, b: unknown): number {
  if (typeof a !== 'string' || typeof b !== 'string') return 1000;
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
  return Math.max(a.length, b.length) - start - end;
}
