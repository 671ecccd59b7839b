// An interaction turned into what a transport sends: status, headers, and the body as the
// recorded chunks, each with the delay before it (already scaled by the pace).
import { STATUS_CODES } from 'node:http';
import { renderEvent } from '../wire/framing.js';
import type { Interaction } from './recording.js';

export interface ReplayChunk {
  data: Buffer;
  /** Milliseconds to wait before sending this chunk. */
  delay: number;
}

export interface ReplayPlan {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  chunks: ReplayChunk[];
}

/** @param pace 0: no waiting; 1: the recorded timing; 2: twice as fast, and so on. */
export function replayPlan(x: Interaction, pace: number): ReplayPlan {
  const rs = x.response;
  const headers = { ...rs.headers };
  const chunks: ReplayChunk[] = [];
  let last = 0;
  const push = (data: Buffer, t: number) => {
    chunks.push({ data, delay: pace > 0 ? Math.max(0, t - last) / pace : 0 });
    last = Math.max(last, t);
  };
  if (rs.events) {
    const framing = rs.framing === 'ndjson' ? 'ndjson' : 'sse';
    for (const e of rs.events) push(Buffer.from(renderEvent(framing, e)), e.t);
    if (rs.terminator) push(Buffer.from(renderEvent(framing, { data: rs.terminator.data })), rs.terminator.t);
  } else {
    const body = Buffer.isBuffer(rs.body) ? rs.body : Buffer.from(typeof rs.body === 'string' ? rs.body : JSON.stringify(rs.body));
    headers['content-length'] = String(body.length);
    if (body.length) push(body, 0);
  }
  return { status: rs.status, statusText: STATUS_CODES[rs.status] ?? '', headers, chunks };
}

/**
 * What the caller gets for a miss in replay mode: no upstream connection, an error response in
 * the common `{"error": {...}}` shape that SDKs show, marked not to be retried.
 */
export function missResponse(error: Error): ReplayPlan {
  const body = Buffer.from(JSON.stringify({ error: { message: error.message, type: 'llm_replay_miss', code: 'llm_replay_miss' } }));
  return {
    status: 404,
    statusText: 'Not Found',
    headers: { 'content-type': 'application/json', 'content-length': String(body.length), 'x-should-retry': 'false' },
    chunks: [{ data: body, delay: 0 }],
  };
}
