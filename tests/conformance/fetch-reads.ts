// The caller of the Node transports: Node's own fetch, its body read one `read()` at a time.
import type { CallRequest, CallResult } from './adapter.js';

/** What a caller sends for `req`: JSON, a FormData built now (a new boundary), or the raw text. */
export function requestInit(req: CallRequest): { headers: Record<string, string>; body: string | FormData } {
  if (req.raw) return { headers: { 'content-type': req.raw.contentType }, body: req.raw.text };
  if (!req.form) return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(req.body) };
  const form = new FormData();
  for (const [k, v] of Object.entries(req.form.fields)) form.append(k, v);
  const { field, name, type, base64 } = req.form.file;
  form.append(field, new Blob([Buffer.from(base64, 'base64')], { type }), name);
  return { headers: {}, body: form };
}

/** A fetch from Node, read one `read()` at a time. */
export async function fetchReads(url: string, req: CallRequest, headers: Record<string, string> = {}): Promise<CallResult> {
  const controller = new AbortController();
  const chunks: string[] = [];
  const reads: Buffer[] = [];
  const result = () => ({ status, chunks, sizes: reads.map((r) => r.length), bytes: Buffer.concat(reads).toString('base64') });
  let status = 0;
  try {
    const init = requestInit(req);
    const res = await fetch(url, { method: 'POST', headers: { ...init.headers, ...headers }, body: init.body, signal: controller.signal });
    status = res.status;
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      if (req.abortAfterChunks !== undefined && chunks.length >= req.abortAfterChunks) {
        controller.abort();
        return { ...result(), error: 'aborted' };
      }
      const { done, value } = await reader.read();
      if (done) break;
      reads.push(Buffer.from(value));
      const text = decoder.decode(value, { stream: true });
      req.onRead?.(text, chunks.length);
      chunks.push(text);
    }
  } catch (err) {
    return { ...result(), error: String((err as Error).cause ?? (err as Error).message) };
  }
  return result();
}
