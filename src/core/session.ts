// One test's view of the recordings: its folder, mode, pace and call log, and the n-th occurrence
// counter per key. Every transport asks a session what to do with a request and nothing else.
import fs from 'node:fs';
import path from 'node:path';
import type { Mode } from '../mode.js';
import { requestModel } from '../wire/providers.js';
import { type Ignore, canonicalEndpoint, diffPaths, keyBody, requestKey } from './key.js';
import { type UrlPattern, urlMatcher } from './hosts.js';
import type { Interaction } from './recording.js';
import { type ReplayPlan, replayPlan } from './replay.js';
import { Recorder } from './recorder.js';
import { redactBody, redactRequestHeaders, redactUrl } from './redact.js';
import { ReplayMissError } from './errors.js';
import { Store } from './store.js';

export interface SessionOptions {
  /** The recordings root (`llmDir`), absolute. */
  dir: string;
  mode: Mode;
  pace: number;
  hosts: readonly UrlPattern[];
  ignore: Ignore;
  /** The test the calls belong to; without one, calls go to the shared `_shared` folder. */
  test?: TestRef;
  /**
   * A JSON-lines file to append each settled call and each error to: how a session in another
   * process (the app's server, the proxy) reports to the test that caused its calls.
   */
  report?: string;
}

export interface TestRef {
  /** The folder of its recordings, relative to the root. */
  folder: string;
  /** `spec.ts > describe > title`, stored in each recording. */
  title: string;
  /** `tests/chat.spec.ts:12` (with `-c <config>` when needed), for the command that records it. */
  location: string;
}

export interface LlmRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

export type Outcome = 'replayed' | 'recorded' | 'passthrough' | 'missed' | 'not-recorded';

export interface LlmCall {
  method: string;
  url: string;
  model?: string;
  outcome: Outcome;
  /** The recording replayed or written. */
  file?: string;
  /** Why a recording call was not stored (upstream status or connection error). */
  reason?: string;
  /** Set for calls made by the app's server or the proxy on the test's behalf. */
  where?: 'server';
}

export type Decision =
  | { kind: 'replay'; plan: ReplayPlan; call: LlmCall }
  | { kind: 'record'; recording: Recording; call: LlmCall }
  | { kind: 'passthrough'; call: LlmCall }
  | { kind: 'miss'; error: ReplayMissError; call: LlmCall };

/** A call being recorded: the transport feeds it the upstream response, then ends or fails it. */
export interface Recording {
  response(status: number, headers: Record<string, string | string[] | undefined>): void;
  chunk(data: Buffer): void;
  /** Stores the recording when the upstream answered well; returns what was stored. */
  end(): Interaction | undefined;
  fail(error: Error): void;
}

export class Session {
  readonly calls: LlmCall[] = [];
  readonly errors: Error[] = [];
  readonly store: Store;
  private readonly isLlm: (url: string) => boolean;
  private readonly report?: (line: object) => void;
  private readonly seen = new Map<string, number>();

  constructor(readonly options: SessionOptions) {
    this.store = new Store(options.dir, options.test?.folder ?? '_shared');
    this.isLlm = urlMatcher(options.hosts);
    const report = options.report;
    if (report) this.report = (line) => fs.appendFileSync(report, JSON.stringify(line) + '\n');
  }

  /** Records an error that fails the test at its end. */
  fail(error: Error): void {
    this.errors.push(error);
    this.report?.({ error: error.message, name: error.name });
  }

  private settle(call: LlmCall, outcome: Partial<LlmCall>): void {
    Object.assign(call, outcome);
    this.report?.({ call });
  }

  intercepts(url: string): boolean {
    return this.isLlm(url);
  }

  /** Decides what happens to one LLM request. Throws only for a corrupt recording. */
  decide(req: LlmRequest): Decision {
    const request = describe(req);
    const call: LlmCall = { method: request.method, url: request.url, model: request.model, outcome: 'passthrough' };
    this.calls.push(call);
    const { mode, ignore } = this.options;
    if (mode === 'passthrough') {
      this.settle(call, {});
      return { kind: 'passthrough', call };
    }

    const key = requestKey(request, ignore);
    const occurrence = this.seen.get(key) ?? 0;
    this.seen.set(key, occurrence + 1);

    if (mode !== 'record') {
      const found = this.store.find({ request }, ignore, occurrence);
      if (found) {
        this.settle(call, { outcome: 'replayed', file: found.file });
        return { kind: 'replay', plan: replayPlan(found.interaction, this.options.pace), call };
      }
      if (mode === 'replay') {
        const error = this.missError(request);
        this.settle(call, { outcome: 'missed' });
        this.fail(error);
        return { kind: 'miss', error, call };
      }
    }
    return { kind: 'record', recording: this.recording(request, occurrence, call), call };
  }

  private recording(request: Interaction['request'], occurrence: number, call: LlmCall): Recording {
    const recorder = new Recorder(request);
    const notRecorded = (reason: string) => this.settle(call, { outcome: 'not-recorded', reason });
    let status = 0;
    return {
      response: (s, headers) => {
        status = s;
        recorder.response(s, headers);
      },
      chunk: (data) => recorder.chunk(data),
      end: () => {
        if (!recorder.storable) return void notRecorded(`upstream answered ${status}; failed responses are not stored`);
        const interaction = recorder.finish(occurrence, this.options.test?.title);
        const file = this.store.save(interaction, this.options.ignore);
        this.settle(call, { outcome: 'recorded', file });
        return interaction;
      },
      fail: (error) => notRecorded(`upstream failed: ${error.message}`),
    };
  }

  private missError(request: Interaction['request']): ReplayMissError {
    const { test, ignore } = this.options;
    const lines = [
      `playwright-llm-replay: no recording for ${request.method} ${request.url}${request.model ? ` (model ${request.model})` : ''} in replay mode.`,
      `  Looked in ${rel(this.store.folder)}${path.sep} and everywhere under ${rel(this.store.root)}${path.sep}`,
    ];
    const { found, unreadable } = this.store.candidates(request.method, request.endpoint);
    const wanted = keyBody(request, ignore);
    const ranked = found
      .map((f) => ({ f, diff: diffPaths(keyBody(f.interaction.request, ignore), wanted) }))
      .sort((a, b) => a.diff.length - b.diff.length);
    if (ranked.length) {
      const { f, diff } = ranked[0];
      lines.push(`  Closest recording: ${rel(f.file)}`, `    body fields that differ: ${diff.slice(0, 8).join(', ')}${diff.length > 8 ? `, … (${diff.length} in all)` : ''}`);
    } else {
      lines.push(`  No recording of ${request.method} ${request.endpoint} exists yet.`);
    }
    for (const err of unreadable.slice(0, 3)) lines.push(`  Note: ${err.message}`);
    const target = test ? ` ${test.location}` : '';
    lines.push(`  To record it: LLM_REPLAY_MODE=record-missing npx playwright test${target}`);
    return new ReplayMissError(lines.join('\n'));
  }
}

/** The request as stored: URL and headers without credentials, body parsed and redacted. */
function describe(req: LlmRequest): Interaction['request'] {
  const url = redactUrl(req.url);
  const endpoint = canonicalEndpoint(req.url);
  const body = parseBody(req.body, req.headers);
  return { method: req.method.toUpperCase(), url, endpoint, headers: redactRequestHeaders(req.headers), body: redactBody(body), model: requestModel(endpoint, body) };
}

function parseBody(body: Buffer, headers: Record<string, string>): unknown {
  if (!body.length) return null;
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    const type = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
    return /^text\/|json|x-www-form-urlencoded/.test(type) || Buffer.from(text, 'utf8').equals(body) ? text : body.toString('base64');
  }
}

function rel(file: string): string {
  const r = path.relative(process.cwd(), file);
  return r && !r.startsWith('..') ? r : file;
}
