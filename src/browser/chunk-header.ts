// The one definition of how a replayed body's chunks reach the page script: route.fulfill sends the
// whole body, and this header says where each chunk ends, how long to wait before it, and whether
// the stream broke after the last one (as a network failure would look to the page).
// Used by the route (encode) and bundled into the page script (decode).

export const CHUNKS_HEADER = 'x-llm-replay-chunks';

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
}

export function encodeChunks(plan: ChunkPlan): string {
  const flags = [plan.broken && 'broken', plan.exposeAdded && 'expose-added', plan.clock && 'clock'].filter(Boolean).join(',');
  return `${plan.sizes.join(',')};${plan.delays.map((d) => Math.round(d)).join(',')};${flags}`;
}

export function decodeChunks(value: string | null): ChunkPlan | undefined {
  if (value === null) return undefined;
  const [sizes, delays, flags = ''] = value.split(';');
  const list = (s: string | undefined) => (s ? s.split(',').map(Number) : []);
  const set = new Set(flags.split(','));
  return { sizes: list(sizes), delays: list(delays), broken: set.has('broken'), exposeAdded: set.has('expose-added'), clock: set.has('clock') };
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
