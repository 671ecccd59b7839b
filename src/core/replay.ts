// An interaction turned into what a transport sends: status, headers, and the body as the
// recorded chunks (one per stream event, exactly the bytes the upstream sent for it; a whole body
// in the pieces it arrived in), each with the time it arrived. Prepared once per recording and kept
// (a big recording's chunks are rendered as they are sent instead); the pace only scales the waits.
import { STATUS_CODES } from 'node:http';
import { renderEvent } from '../wire/framing.js';
import { type HeaderList, headerList } from './headers.js';
import { type Interaction, jsonText } from './recording.js';

export interface Answer {
  status: number;
  statusText: string;
  headers: HeaderList;
  /** How many chunks the body has. */
  count: number;
  /** The i-th chunk's bytes. */
  chunk(i: number): Buffer;
  /** When the i-th chunk arrived, in ms from the start of the response. */
  time(i: number): number;
  /** A stream's own line end: what an event added to it (a fault's error event) ends its lines with. */
  eol?: string;
}

/** An answer whose chunks are all at hand: one buffer and where each chunk ends in it (few objects for the heap to keep). */
function listed(status: number, headers: HeaderList, chunks: string[] | Buffer[], times: number[]): Answer {
  const parts = chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c));
  const body = Buffer.concat(parts);
  const ends = new Uint32Array(parts.length);
  let end = 0;
  parts.forEach((p, i) => (ends[i] = end += p.length));
  const at = Float64Array.from(times);
  return { status, statusText: STATUS_CODES[status] ?? '', headers, count: parts.length, chunk: (i) => body.subarray(i ? ends[i - 1] : 0, ends[i]), time: (i) => at[i] };
}

const prepared = new WeakMap<Interaction, Answer>();

/** The answer for a recording, rendered on first use and then reused. */
export function answerOf(x: Interaction): Answer {
  let answer = prepared.get(x);
  if (!answer) {
    answer = render(x);
    prepared.set(x, answer);
  }
  return answer;
}

function render(x: Interaction): Answer {
  const rs = x.response;
  const headers = headerList(rs.headers);
  const chunks: string[] = [];
  const times: number[] = [];
  if (rs.events && !Array.isArray(rs.events)) return rendered(x);
  if (rs.events) {
    const framing = rs.framing === 'ndjson' ? 'ndjson' : 'sse';
    for (const e of rs.events) {
      chunks.push(renderEvent(framing, e, rs.eol));
      times.push(e.t);
    }
    if (rs.terminator) {
      chunks.push(renderEvent(framing, { data: rs.terminator.data }, rs.eol));
      times.push(rs.terminator.t);
    }
  } else {
    const body = Buffer.isBuffer(rs.body) ? rs.body : Buffer.from(typeof rs.body === 'string' ? rs.body : jsonText(rs.body, rs.json));
    headers.push(['content-length', String(body.length)]);
    if (!body.length) return listed(rs.status, headers, [], []);
    // A text or binary body that arrived in pieces (speech as it was synthesized) goes out in them, at their times.
    const pieces = rs.chunks ?? [{ t: 0, size: body.length }];
    let at = 0;
    return listed(rs.status, headers, pieces.map((c) => body.subarray(at, (at += c.size))), pieces.map((c) => c.t));
  }
  return { ...listed(rs.status, headers, chunks, times), eol: rs.eol ?? '\n' };
}

/** A big recording's answer: each chunk rendered when it is sent (the last one asked for is kept). */
function rendered(x: Interaction): Answer {
  const rs = x.response;
  const events = rs.events!;
  const framing = rs.framing === 'ndjson' ? 'ndjson' : 'sse';
  let last: { i: number; event: { data?: unknown; event?: string; id?: string; raw?: string; t: number } } | undefined;
  const eventAt = (i: number) => {
    if (last?.i !== i) last = { i, event: i < events.length ? events.at(i)! : { data: rs.terminator!.data, t: rs.terminator!.t } };
    return last.event;
  };
  return {
    status: rs.status,
    statusText: STATUS_CODES[rs.status] ?? '',
    headers: headerList(rs.headers),
    count: events.length + (rs.terminator ? 1 : 0),
    chunk: (i) => Buffer.from(renderEvent(framing, eventAt(i), rs.eol)),
    time: (i) => eventAt(i).t,
    eol: rs.eol ?? '\n',
  };
}

/** Waits at a pace, chunk after chunk: the recorded gap since the latest time so far, scaled. */
export class Pacer {
  private last = 0;
  constructor(private readonly pace: number) {}

  wait(t: number): number {
    if (!(this.pace > 0)) return 0;
    const wait = Math.max(0, t - this.last) / this.pace;
    this.last = Math.max(this.last, t);
    return wait;
  }
}

/**
 * The wait before each chunk at a pace: 0 means none, 1 the recorded timing, 2 twice as fast.
 * A chunk never waits for time already spent (times that go backwards count as no wait).
 */
export function delays(times: readonly number[], pace: number): number[] {
  const pacer = new Pacer(pace);
  return times.map((t) => pacer.wait(t));
}

/** An answer made here, not recorded: one JSON (or text) body. */
export function madeAnswer(status: number, headers: HeaderList, body: string | object): Answer {
  const bytes = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const list: HeaderList = [...headers.filter(([n]) => n !== 'content-length'), ['content-length', String(bytes.length)]];
  if (!list.some(([n]) => n === 'content-type')) list.unshift(['content-type', typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json']);
  return listed(status, list, [bytes], [0]);
}

/**
 * What the caller gets for a miss in replay mode: no upstream connection, an error response in
 * the common `{"error": {...}}` shape that SDKs show, marked not to be retried.
 */
export function missAnswer(error: Error): Answer {
  const body = Buffer.from(JSON.stringify({ error: { message: error.message, type: 'llm_replay_miss', code: 'llm_replay_miss' } }));
  const headers: HeaderList = [
    ['content-type', 'application/json'],
    ['content-length', String(body.length)],
    ['x-should-retry', 'false'],
  ];
  return listed(404, headers, [body], [0]);
}
