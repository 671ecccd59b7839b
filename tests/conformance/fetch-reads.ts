// The caller of the Node transports: Node's own fetch, its body read one `read()` at a time.
import type { CallRequest, CallResult } from './adapter.js';

/** A fetch from Node, read one `read()` at a time. */
export async function fetchReads(url: string, req: CallRequest, headers: Record<string, string> = {}): Promise<CallResult> {
  const controller = new AbortController();
  const chunks: string[] = [];
  let status = 0;
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(req.body), signal: controller.signal });
    status = res.status;
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      if (req.abortAfterChunks !== undefined && chunks.length >= req.abortAfterChunks) {
        controller.abort();
        return { status, chunks, error: 'aborted' };
      }
      const { done, value } = await reader.read();
      if (done) break;
      const text = decoder.decode(value, { stream: true });
      req.onRead?.(text, chunks.length);
      chunks.push(text);
    }
  } catch (err) {
    return { status, chunks, error: String((err as Error).cause ?? (err as Error).message) };
  }
  return { status, chunks };
}
