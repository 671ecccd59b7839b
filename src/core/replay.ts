// An interaction turned into what a transport sends: status, headers, and the body as the
// recorded chunks (one per stream event, exactly the bytes the upstream sent for it), each with
// the time it arrived. Prepared once per recording and kept; the pace only scales the waits.
import { STATUS_CODES } from 'node:http';
import { renderEvent } from '../wire/framing.js';
import { type HeaderList, headerList } from './headers.js';
import { type Interaction, jsonText } from './recording.js';

export interface Answer {
  status: number;
  statusText: string;
  headers: HeaderList;
  chunks: Buffer[];
  /** When each chunk arrived, in ms from the start of the response. */
  times: number[];
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
  const chunks: Buffer[] = [];
  const times: number[] = [];
  if (rs.events) {
    const framing = rs.framing === 'ndjson' ? 'ndjson' : 'sse';
    for (const e of rs.events) {
      chunks.push(Buffer.from(renderEvent(framing, e, rs.eol)));
      times.push(e.t);
    }
    if (rs.terminator) {
      chunks.push(Buffer.from(renderEvent(framing, { data: rs.terminator.data }, rs.eol)));
      times.push(rs.terminator.t);
    }
  } else {
    const body = Buffer.isBuffer(rs.body) ? rs.body : Buffer.from(typeof rs.body === 'string' ? rs.body : jsonText(rs.body, rs.json));
    headers.push(['content-length', String(body.length)]);
    if (body.length) {
      chunks.push(body);
      times.push(0);
    }
  }
  return { status: rs.status, statusText: STATUS_CODES[rs.status] ?? '', headers, chunks, times };
}

/**
 * The wait before each chunk at a pace: 0 means none, 1 the recorded timing, 2 twice as fast.
 * A chunk never waits for time already spent (times that go backwards count as no wait).
 */
export function delays(times: readonly number[], pace: number): number[] {
  if (!(pace > 0)) return times.map(() => 0);
  let last = 0;
  return times.map((t) => {
    const wait = Math.max(0, t - last) / pace;
    last = Math.max(last, t);
    return wait;
  });
}

/**
 * What the caller gets for a miss in replay mode: no upstream connection, an error response in
 * the common `{"error": {...}}` shape that SDKs show, marked not to be retried.
 */
export function missAnswer(error: Error): Answer {
  const body = Buffer.from(JSON.stringify({ error: { message: error.message, type: 'llm_replay_miss', code: 'llm_replay_miss' } }));
  return {
    status: 404,
    statusText: 'Not Found',
    headers: [
      ['content-type', 'application/json'],
      ['content-length', String(body.length)],
      ['x-should-retry', 'false'],
    ],
    chunks: [body],
    times: [0],
  };
}
