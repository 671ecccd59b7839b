// The browser transport: the context's requests to LLM URLs are served by the core's exchange.
// route.fulfill cannot stream, so this transport does not: it gets the whole answer with each
// chunk's delay (a recorded call's answer once it is stored) and fulfills it at once, with the
// chunk plan in a header that the page script turns back into the recorded stream. Calls are
// recorded from Node (the upstream is reached through Node's dispatcher), so chunk timing is captured.
// The context's WebSockets to LLM URLs go through socket-route.ts, installed with it.
import fs from 'node:fs';
import type { BrowserContext, Route } from '@playwright/test';
import type { Dispatcher } from 'undici';
import { type ResponseHead, type Transport, serve } from '../core/exchange.js';
import { headerList } from '../core/headers.js';
import type { Session } from '../core/session.js';
import { llmUrlPatterns } from '../core/urls.js';
import { upstreamVia } from '../upstream.js';
import { CHUNKS_HEADER, encodeChunks } from './chunk-header.js';
import type { PageScriptArgs } from './page-script.js';
import { installSocketRoute } from './socket-route.js';

let bundle: string | undefined;
/** The page script with its imports, built by scripts/build-page-script.mjs. */
function pageScriptSource(args: PageScriptArgs): string {
  bundle ??= fs.readFileSync(new URL('./page-script.iife.js', import.meta.url), 'utf8');
  return `(() => {\n${bundle}\nllmReplayPage.pageScript(${JSON.stringify(args)});\n})();`;
}

/** Routes the context's LLM requests, and its WebSockets to LLM URLs (socket-route.ts), through `session`. Returns the undo. */
export async function installBrowserTransport(context: BrowserContext, session: Session, upstream: () => Dispatcher): Promise<() => Promise<void>> {
  const patterns = llmUrlPatterns(session.options.urls).map((re) => ({ source: re.source, flags: re.flags.replace('g', '') }));
  await context.addInitScript({ content: pageScriptSource({ patterns }) });
  const matches = (url: URL) => session.recordings.intercepts(url.href);
  const handler = async (route: Route) => {
    const request = route.request();
    const body = request.postDataBuffer() ?? Buffer.alloc(0);
    // The headers the page set (no round trip to the browser); a recording's upstream call gets all of them.
    const headers = headerList(request.headers());
    await serve(session, { method: request.method(), url: request.url(), headers, body }, routeTransport(route, upstream));
  };
  await context.route(matches, handler);
  const undoSockets = await installSocketRoute(context, session);
  return async () => {
    undoSockets();
    await context.unroute(matches, handler).catch(() => {});
  };
}

/** A route as the exchange's Transport: collects the answer, then fulfills it whole. */
function routeTransport(route: Route, dispatcher: () => Dispatcher): Transport {
  const reach = upstreamVia(dispatcher);
  // The browser adds headers the page cannot see (cookies…): the upstream gets those too.
  const upstream: Transport['upstream'] = async (req, signal) => {
    const all = headerList(await route.request().allHeaders()).filter(([n]) => !req.headers.some(([m]) => m === n));
    return reach({ ...req, headers: [...req.headers, ...all] }, signal);
  };
  let head: ResponseHead | undefined;
  const chunks: Buffer[] = [];
  const delays: number[] = [];
  let clock = false;
  const fulfill = (broken: boolean) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of head!.headers) {
      // Hop-by-hop and encoding headers describe the upstream connection, not this body.
      if (/^(content-encoding|transfer-encoding|connection|keep-alive|content-length)$/.test(name)) continue;
      // Cookies are not joined with commas (an Expires date has one): Playwright splits set-cookie at newlines, as its HAR router joins them.
      headers[name] = name in headers ? `${headers[name]}${name === 'set-cookie' ? '\n' : ', '}${value}` : value;
    }
    // The page script must read the chunk header cross-origin; every other header is exposed as the upstream exposed it.
    const expose = headers['access-control-expose-headers'];
    headers['access-control-expose-headers'] = expose ? `${expose}, ${CHUNKS_HEADER}` : CHUNKS_HEADER;
    headers[CHUNKS_HEADER] = encodeChunks({ sizes: chunks.map((c) => c.length), delays, broken, exposeAdded: !expose, clock });
    route.fulfill({ status: head!.status, headers, body: Buffer.concat(chunks) }).catch(ignoreClosed);
  };
  return {
    where: 'page',
    streams: false,
    respond: (h) => ((head = h), true),
    write: (chunk, delay) => (chunks.push(chunk), delays.push(delay), true),
    // One delay more than chunks: the wait before the end.
    stallEnd: (delay) => void delays.push(delay),
    drain: () => Promise.resolve(),
    taken: () => Promise.resolve(),
    onClock: () => void (clock = true),
    end: () => fulfill(false),
    // No answer at all reaches the page as a network error, as it would have; a broken stream as its chunks, then an error.
    fail: () => (head ? fulfill(true) : void route.abort('failed').catch(ignoreClosed)),
    onAbort: () => {},
    upstream,
  };
}

// The page may be gone (closed, navigated, request cancelled by a Stop button) by the time an
// answer is ready; the recording is kept all the same.
function ignoreClosed(): void {}
