// The one definition of how a replayed body's chunks reach the page script: route.fulfill sends the
// whole body, and this header says where each chunk ends, how long to wait before it, and whether
// the stream broke after the last one (as a network failure would look to the page).
// Used by the route (encode) and bundled into the page script (decode).

export const CHUNKS_HEADER = 'x-llm-replay-chunks';

export interface ChunkPlan {
  sizes: number[];
  delays: number[];
  /** The upstream failed after these chunks: the page's reader gets an error, not an end. */
  broken: boolean;
}

export function encodeChunks(plan: ChunkPlan): string {
  return `${plan.sizes.join(',')};${plan.delays.map((d) => Math.round(d)).join(',')}${plan.broken ? ';broken' : ''}`;
}

export function decodeChunks(value: string | null): ChunkPlan | undefined {
  if (value === null) return undefined;
  const [sizes, delays, broken] = value.split(';');
  const list = (s: string | undefined) => (s ? s.split(',').map(Number) : []);
  return { sizes: list(sizes), delays: list(delays), broken: broken === 'broken' };
}
