// The one definition of how a body's chunks reach the page script: route.fulfill sends the whole
// body, and this header says where each chunk ends, how long to wait before it, and whether the
// stream broke after the last one (as a network failure would look to the page). While recording,
// the body comes instead as it arrives, over a live channel the header names (src/browser/live.ts).
// Used by the route (encode) and bundled into the page script (decode).

export const CHUNKS_HEADER = 'x-llm-replay-chunks';

/**
 * The request header the page script adds to the LLM calls it makes (fetch, EventSource, an async
 * text XHR): it can take an answer over a live channel. The route takes it off again: the upstream,
 * the key and the recording never see it. A call without it (a worker's) gets its answer whole.
 */
export const LIVE_REQUEST_HEADER = 'x-llm-replay-live';

/** The host of the live channels' WebSocket URLs: a reserved name (RFC 2606) no LLM URL has. */
const LIVE_HOST = 'llm-replay.invalid';

/** The URL the page script opens a live channel at; no server: the context routes it. */
export function liveChannelUrl(id: string): string {
  return `wss://${LIVE_HOST}/live/${id}`;
}

/** The channel id in a live channel's URL; undefined for any other URL. */
export function liveChannelId(url: URL): string | undefined {
  return url.hostname === LIVE_HOST ? /^\/live\/([0-9a-f-]+)$/.exec(url.pathname)?.[1] : undefined;
}

/** How a live channel closes: the answer ended, or broke (the page's reader gets an error). */
export const LIVE_END = 1000;
export const LIVE_BROKEN = 1011;

export interface ChunkPlan {
  sizes: number[];
  /** The wait before each chunk; one more, when there is one, is the wait before the end. */
  delays: number[];
  /** The upstream failed after these chunks: the page's reader gets an error, not an end. */
  broken: boolean;
  /**
   * The route added `access-control-expose-headers` (to let the page script read this header
   * cross-origin) where the upstream sent none: the page script takes it out again.
   */
  exposeAdded: boolean;
  /** The delays are on the page's clock (`llmPace: 'clock'`), not in real time. */
  clock?: boolean;
  /** The body comes as it arrives, over the live channel with this id (no body, no sizes, no delays). */
  live?: string;
}

export function encodeChunks(plan: ChunkPlan): string {
  const flags = [plan.broken && 'broken', plan.exposeAdded && 'expose-added', plan.clock && 'clock'].filter(Boolean).join(',');
  const head = `${plan.sizes.join(',')};${plan.delays.map((d) => Math.round(d)).join(',')};${flags}`;
  return plan.live === undefined ? head : `${head};${plan.live}`;
}

export function decodeChunks(value: string | null): ChunkPlan | undefined {
  if (value === null) return undefined;
  const [sizes, delays, flags = '', live] = value.split(';');
  const list = (s: string | undefined) => (s ? s.split(',').map(Number) : []);
  const set = new Set(flags.split(','));
  return { sizes: list(sizes), delays: list(delays), broken: set.has('broken'), exposeAdded: set.has('expose-added'), clock: set.has('clock'), ...(live && { live }) };
}

/** The headers the page would have seen without the plugin: the chunk header and what exposed it taken out. */
export function withoutPlanHeaders(headers: Headers, plan: ChunkPlan): Headers {
  const out = new Headers(headers);
  out.delete(CHUNKS_HEADER);
  const expose = out.get('access-control-expose-headers');
  if (expose !== null) {
    if (plan.exposeAdded) out.delete('access-control-expose-headers');
    else out.set('access-control-expose-headers', expose.split(',').map((h) => h.trim()).filter((h) => h.toLowerCase() !== CHUNKS_HEADER).join(', '));
  }
  return out;
}
