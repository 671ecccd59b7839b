// The shape of an answer, provider-neutral, for `verify --live`: what a recording's answer looks like
// without its values, to compare with what the live API answers today. For a JSON body: every path
// with its JSON types (an array's items merged: `choices[].delta.content`). For a stream: the kinds
// of its events in order (the SSE `event:` name, else the payload's `type` or `object`), runs of one
// kind collapsed, and each kind's fields. Text and binary bodies: their status and framing only.
import type { Framing } from './framing.js';

/** JSON types by path: `usage.total_tokens` → {number}; `` is the value itself. */
export type Fields = Map<string, Set<string>>;

/** An answer as recorded or received: its status, framing, and parsed body or events. */
export interface Answer {
  status: number;
  framing: Framing;
  /** A JSON body, parsed. */
  body?: unknown;
  /** Stream events: an `event:` name and the payload (parsed JSON or text); events without data (comments) are left out. */
  events?: Iterable<{ event?: string; data?: unknown }>;
}

export interface Shape {
  status: number;
  framing: Framing;
  fields?: Fields;
  /** A stream's kinds of events, in order, each run of one kind once. */
  sequence?: string[];
  /** Each kind's fields, over all its events. */
  kinds?: Map<string, Fields>;
}

const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Every path of a JSON value with its types; array items merged under `[]`. */
export function fieldsOf(value: unknown, into: Fields = new Map(), at = ''): Fields {
  const types = into.get(at) ?? new Set<string>();
  types.add(typeOf(value));
  into.set(at, types);
  if (Array.isArray(value)) for (const item of value) fieldsOf(item, into, `${at}[]`);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) fieldsOf(v, into, at ? `${at}.${k}` : k);
  return into;
}

/** What kind of event this is: its SSE name, else the payload's `type` or `object`, else `data` (or the text, for `[DONE]`). */
export function eventKind(e: { event?: string; data?: unknown }): string {
  if (e.event) return e.event;
  const d = e.data;
  if (d && typeof d === 'object' && !Array.isArray(d)) {
    const o = d as Record<string, unknown>;
    if (typeof o.type === 'string') return o.type;
    if (typeof o.object === 'string') return o.object;
    if (o.error !== undefined) return 'error';
  }
  if (d === '[DONE]') return '[DONE]';
  return 'data';
}

export function shapeOf(a: Answer): Shape {
  const shape: Shape = { status: a.status, framing: a.framing };
  if (a.framing === 'json') shape.fields = fieldsOf(a.body);
  if (a.events) {
    const sequence: string[] = [];
    const kinds = new Map<string, Fields>();
    for (const e of a.events) {
      if (e.data === undefined && e.event === undefined) continue;
      const kind = eventKind(e);
      if (sequence.at(-1) !== kind) sequence.push(kind);
      kinds.set(kind, fieldsOf(e.data, kinds.get(kind)));
    }
    shape.sequence = sequence;
    shape.kinds = kinds;
  }
  return shape;
}

const types = (s: Set<string>) => [...s].sort().join(' | ');
const name = (path: string) => path || '(the body)';

/** How `live` differs from `recorded` in fields: one line each, paths in order. */
function fieldDrift(recorded: Fields, live: Fields, where = ''): string[] {
  const out: string[] = [];
  const paths = [...new Set([...recorded.keys(), ...live.keys()])].sort();
  // A path under one that was added or removed is not told again.
  const told: string[] = [];
  const under = (p: string) => told.some((t) => p.startsWith(`${t}.`) || p.startsWith(`${t}[]`));
  for (const p of paths) {
    if (under(p)) continue;
    const was = recorded.get(p);
    const is = live.get(p);
    if (was && !is) {
      out.push(`${where}field removed: ${name(p)} (was ${types(was)})`);
      told.push(p);
    } else if (!was && is) {
      out.push(`${where}field added: ${name(p)} (${types(is)})`);
      told.push(p);
    } else if (was && is && types(was) !== types(is)) out.push(`${where}type changed: ${name(p)} was ${types(was)}, now ${types(is)}`);
  }
  return out;
}

/** Every way `live` differs in shape from `recorded`, as readable lines; none when they agree. */
export function compareShapes(recorded: Shape, live: Shape): string[] {
  const out: string[] = [];
  if (recorded.status !== live.status) out.push(`status changed: was ${recorded.status}, now ${live.status}`);
  if (recorded.framing !== live.framing) {
    out.push(`framing changed: was ${recorded.framing}, now ${live.framing}`);
    return out; // nothing else compares across framings
  }
  if (recorded.fields && live.fields) out.push(...fieldDrift(recorded.fields, live.fields));
  if (recorded.sequence && live.sequence) {
    if (recorded.sequence.join('\n') !== live.sequence.join('\n')) out.push(`event sequence changed: was ${recorded.sequence.join(', ')}; now ${live.sequence.join(', ')}`);
    for (const [kind, fields] of recorded.kinds ?? []) {
      const now = live.kinds?.get(kind);
      if (now) out.push(...fieldDrift(fields, now, `${kind} events: `));
    }
  }
  return out;
}
