// msw 2 as a peer: the in-process mock many teams would write instead of recording. Its own module so
// that only the benches comparing with it load msw (cold-start and big measure a process's cost).
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { rate } from './lib.mjs';

/** A body that enqueues one chunk per pull of its reader, as the plugin's replay delivers them. */
export function pulled(chunks) {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      controller.enqueue(chunks[i++]);
      if (i === chunks.length) controller.close();
    },
  });
}

/** A handler answering POSTs to `url` with `chunks` (a fresh stream each call), one per pull. */
export const streaming = (url, chunks, contentType = 'text/event-stream') =>
  http.post(url, () => new HttpResponse(pulled(chunks), { headers: { 'content-type': contentType } }));

/** A handler answering POSTs to `url` with the JSON text `answer`, as is (the same bytes, not re-serialized). */
export const answering = (url, answer) => http.post(url, () => new HttpResponse(answer, { headers: { 'content-type': 'application/json' } }));

/**
 * msw as a contender: `setupServer(handler)` listening (it patches globalThis.fetch) only while its
 * `n` calls run, as calls/s. `make` is called once listening and returns the call: a client that
 * captures fetch when built (the openai SDK) must be built then, as under msw in a test suite.
 */
export const mocking = (handler, n, make) => async () => {
  const server = setupServer(handler);
  server.listen({ onUnhandledRequest: 'error' });
  try {
    return await rate(n, make());
  } finally {
    server.close();
  }
};
