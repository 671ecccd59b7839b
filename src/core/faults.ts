// Faults a test injects into its own LLM calls, deterministically, on top of real recordings:
// `llm.fault(url, fault, { times, model, nth })`, shaped like `page.route(url, handler, { times })`.
// A fault changes what the caller gets, never what is recorded.
import { LlmOptionError } from './errors.js';
import { type UrlPattern, urlMatcher } from './urls.js';

export type Fault =
  /** An error answer before any chunk, e.g. `{ status: 429, headers: { 'retry-after': '1' } }`. */
  | { status: number; headers?: Record<string, string>; body?: string | object }
  /** The connection breaks after `n` chunks, as a network failure looks to the client. */
  | { dropAfter: number }
  /** A pause of `ms` after chunk `n`. */
  | { stallAfter: number; ms: number }
  /** After `after` chunks, the provider's own mid-stream error event: its default (`true`), a message, or the event's data. */
  | { errorEvent: true | string | object; after: number }
  /** A wait of `ms` before the first chunk (a WebSocket's first server frame). */
  | { firstChunkDelay: number }
  /** A WebSocket only: the server closes it after `n` of its frames, with this code (default 1011) and reason. */
  | { closeAfter: number; code?: number; reason?: string };

export interface FaultOptions {
  /** How many matching calls get it (default: every one). */
  times?: number;
  /** Only calls for this model (its name, or a RegExp). */
  model?: string | RegExp;
  /** Only the n-th matching call (1 for the first). */
  nth?: number;
}

/** A fault as a session keeps it: what to match, what to do, and how often it matched and applied. */
export interface FaultRule {
  id: string;
  url: UrlPattern;
  fault: Fault;
  times?: number;
  model?: string | RegExp;
  nth?: number;
  /** Calls of this process that matched its URL and model so far. */
  matched: number;
  /** Calls of this process that got it so far. */
  applied: number;
}

/** What one process counted for a fault. */
export interface Counts {
  matched: number;
  applied: number;
}

const NONE: ReadonlyMap<string, Counts> = new Map();

const KINDS = ['status', 'dropAfter', 'stallAfter', 'errorEvent', 'firstChunkDelay', 'closeAfter'] as const;
export type FaultKind = (typeof KINDS)[number];

export function kindOf(fault: Fault): FaultKind {
  return KINDS.find((k) => k in fault)!;
}

/** How a fault reads in messages and in `llm.calls`, as it was written: `{ dropAfter: 3 }`. */
export function describeFault(fault: unknown): string {
  const show = (v: unknown): string => {
    if (v instanceof RegExp) return String(v);
    if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
    if (v && typeof v === 'object' && !Object.keys(v).length) return '{}';
    if (v && typeof v === 'object') return `{ ${Object.entries(v).map(([k, x]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${show(x)}`).join(', ')} }`;
    return JSON.stringify(v) ?? String(v);
  };
  return show(fault);
}

let nextId = 0;

/** Checks a fault as `llm.fault` gets it; throws an LlmOptionError naming the fault and what is wrong. */
export function checkFault(url: unknown, fault: unknown, options: unknown = {}): FaultRule {
  const shown = (() => {
    try {
      return describeFault(fault as Fault);
    } catch {
      return String(fault);
    }
  })();
  const bad = (why: string) => new LlmOptionError(`llm.fault(${url instanceof RegExp ? String(url) : JSON.stringify(url)}, ${shown}): ${why}`);
  if (!(url instanceof RegExp) && (typeof url !== 'string' || !url)) throw bad('the URL must be a glob (as in page.route) or a RegExp.');
  if (!fault || typeof fault !== 'object' || Array.isArray(fault)) throw bad(`the fault must be one of { status }, { dropAfter }, { stallAfter, ms }, { errorEvent, after }, { firstChunkDelay }, { closeAfter } (WebSockets).`);
  const f = fault as Record<string, unknown>;
  const kinds = KINDS.filter((k) => k in f);
  if (kinds.length !== 1) throw bad(kinds.length ? `it has ${kinds.join(' and ')}: give one kind of fault per call.` : `unknown kind of fault (${Object.keys(f).join(', ') || 'empty'}); use { status }, { dropAfter }, { stallAfter, ms }, { errorEvent, after }, { firstChunkDelay } or, for a WebSocket, { closeAfter, code?, reason? }.`);
  const count = (name: string, v: unknown, min = 0) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw bad(`${name} must be a whole number of at least ${min} (got ${JSON.stringify(v)}).`);
  };
  const known = (allowed: string[]) => {
    const extra = Object.keys(f).filter((k) => !allowed.includes(k));
    if (extra.length) throw bad(`unknown field${extra.length > 1 ? 's' : ''} ${extra.join(', ')}.`);
  };
  // A fault goes to the app's server as JSON: what JSON cannot carry (a BigInt, a cycle) is refused here.
  try {
    JSON.stringify(fault);
  } catch (err) {
    throw bad(`it cannot be sent as JSON (${(err as Error).message}); give plain strings, numbers, objects and arrays.`);
  }
  switch (kinds[0]) {
    case 'status':
      count('status', f.status, 100);
      if ((f.status as number) > 599) throw bad(`status must be an HTTP status from 100 to 599 (got ${f.status}).`);
      if (f.headers !== undefined && (typeof f.headers !== 'object' || f.headers === null || Object.values(f.headers).some((v) => typeof v !== 'string'))) throw bad('headers must be an object of strings.');
      if (f.body !== undefined && typeof f.body !== 'string' && (typeof f.body !== 'object' || f.body === null)) throw bad('body must be a string or an object (sent as JSON).');
      known(['status', 'headers', 'body']);
      break;
    case 'dropAfter':
      count('dropAfter', f.dropAfter);
      known(['dropAfter']);
      break;
    case 'stallAfter':
      count('stallAfter', f.stallAfter);
      count('ms', f.ms);
      known(['stallAfter', 'ms']);
      break;
    case 'errorEvent':
      if (f.errorEvent !== true && typeof f.errorEvent !== 'string' && (typeof f.errorEvent !== 'object' || f.errorEvent === null)) throw bad('errorEvent must be true (the provider’s default error), a message, or the event’s data.');
      count('after', f.after);
      known(['errorEvent', 'after']);
      break;
    case 'firstChunkDelay':
      count('firstChunkDelay', f.firstChunkDelay);
      known(['firstChunkDelay']);
      break;
    case 'closeAfter':
      count('closeAfter', f.closeAfter);
      if (f.code !== undefined) {
        count('code', f.code, 1000);
        if ((f.code as number) > 4999 || [1004, 1005, 1006, 1015].includes(f.code as number)) throw bad(`code must be a close code a server may send: 1000–4999, not 1004, 1005, 1006 or 1015 (got ${f.code}).`);
      }
      if (f.reason !== undefined && (typeof f.reason !== 'string' || Buffer.byteLength(f.reason) > 123)) throw bad('reason must be a string of at most 123 bytes.');
      known(['closeAfter', 'code', 'reason']);
      break;
  }
  if (!options || typeof options !== 'object') throw bad('the options must be an object: { times?, model?, nth? }.');
  const o = options as Record<string, unknown>;
  const extra = Object.keys(o).filter((k) => !['times', 'model', 'nth'].includes(k));
  if (extra.length) throw bad(`unknown option${extra.length > 1 ? 's' : ''} ${extra.join(', ')}; use times, model, nth.`);
  if (o.times !== undefined) count('times', o.times, 1);
  if (o.nth !== undefined) count('nth', o.nth, 1);
  if (o.model !== undefined && typeof o.model !== 'string' && !(o.model instanceof RegExp)) throw bad('model must be a model name or a RegExp.');
  return { id: `fault-${process.pid}-${++nextId}`, url: url as UrlPattern, fault: fault as Fault, times: o.times as number | undefined, model: o.model as string | RegExp | undefined, nth: o.nth as number | undefined, matched: 0, applied: 0 };
}

/**
 * How a test's faults are shared with the test's other processes (see run/channel.ts): a test's
 * calls are made by several processes (the test's own, the app's server, the proxy); each counts
 * its own calls, and `times` and `nth` count all of them.
 */
export interface FaultsLink {
  /** In a process that follows the test: the test's rules when they changed since last asked. */
  pull?(): FaultRule[] | undefined;
  /** What the other processes counted, by fault id. */
  others(): ReadonlyMap<string, Counts>;
  /** This process's rules or counts changed. */
  pushed(faults: Faults): void;
}

const ALONE: FaultsLink = { others: () => NONE, pushed: () => {} };

/** The faults of a test, in the order they were added: the first that applies to a call wins. */
export class Faults {
  readonly rules: FaultRule[] = [];
  private readonly matchers = new Map<FaultRule, (url: string) => boolean>();
  private shared: FaultsLink = ALONE;

  /** Counts with the test's other processes from now on. */
  link(link: FaultsLink): void {
    this.shared = link;
  }

  /** Whether a call may get a fault (the rules brought up to date first). */
  active(): boolean {
    const rules = this.shared.pull?.();
    if (rules) this.replace(rules);
    return this.rules.length > 0;
  }

  /** This process's counts, by fault id. */
  counts(): Record<string, Counts> {
    return Object.fromEntries(this.rules.map((r) => [r.id, { matched: r.matched, applied: r.applied }]));
  }

  add(rule: FaultRule): void {
    // A RegExp with g or y keeps its lastIndex between tests: the model is matched without them.
    if (rule.model instanceof RegExp && /[gy]/.test(rule.model.flags)) rule = { ...rule, model: new RegExp(rule.model.source, rule.model.flags.replace(/[gy]/g, '')) };
    this.rules.push(rule);
    this.matchers.set(rule, urlMatcher([rule.url], false));
    this.shared.pushed(this);
  }

  /** Replaces the rules with the test's (in the app's server). A rule it already had keeps this process's counts. */
  private replace(rules: FaultRule[]): void {
    const had = new Map(this.rules.map((r) => [r.id, r]));
    this.rules.length = 0;
    this.matchers.clear();
    for (const r of rules) {
      const old = had.get(r.id);
      const rule = old ? { ...r, matched: old.matched, applied: old.applied } : { ...r, matched: 0, applied: 0 };
      if (rule.model instanceof RegExp && /[gy]/.test(rule.model.flags)) rule.model = new RegExp(rule.model.source, rule.model.flags.replace(/[gy]/g, ''));
      this.rules.push(rule);
      this.matchers.set(rule, urlMatcher([rule.url], false));
    }
  }

  /** The fault for a call, if one applies; counts the calls each rule matched, in every process. */
  for(url: string, model: string | undefined): FaultRule | undefined {
    let chosen: FaultRule | undefined;
    let counted = false;
    let others: ReadonlyMap<string, Counts> | undefined;
    for (const rule of this.rules) {
      if (!this.matchers.get(rule)!(url)) continue;
      if (rule.model !== undefined && !(typeof rule.model === 'string' ? rule.model === model : model !== undefined && rule.model.test(model))) continue;
      rule.matched++;
      counted = true;
      if (chosen) continue;
      const other = (others ??= this.shared.others()).get(rule.id);
      if (rule.nth !== undefined && rule.matched + (other?.matched ?? 0) !== rule.nth) continue;
      if (rule.times !== undefined && rule.applied + (other?.applied ?? 0) >= rule.times) continue;
      rule.applied++;
      chosen = rule;
    }
    if (counted) this.shared.pushed(this);
    return chosen;
  }

  /** At the end of a test: the faults no call got, in any process. */
  unused(): LlmOptionError[] {
    const others = this.shared.others();
    return this.rules
      .filter((rule) => rule.applied + (others.get(rule.id)?.applied ?? 0) === 0)
      .map(
        (rule) =>
          new LlmOptionError(
            `the fault ${describeFault(rule.fault)} for ${rule.url instanceof RegExp ? String(rule.url) : rule.url} got no call: no LLM call of this test matched it${rule.model !== undefined ? ` (model ${String(rule.model)})` : ''}${rule.nth ? ` as call number ${rule.nth}` : ''}. Check the URL pattern, or remove the fault.`,
          ),
      );
  }
}
