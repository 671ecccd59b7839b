// The browser transport: the context's requests to LLM URLs are served by the core's exchange.
// route.fulfill cannot stream, so a replay is fulfilled whole, with each chunk's delay: the chunk
// plan goes in a header that the page script turns back into the recorded stream. An answer from
// the upstream (recording, passthrough) to a call the page script made is passed on as it arrives,
// over a live channel (live.ts). Calls are recorded from Node (the upstream is reached through
// Node's dispatcher), so chunk timing is captured.
// The context's WebSockets to LLM URLs go through socket-route.ts, installed with it.
import fs from 'node:fs';
import type { BrowserContext, Route } from '@playwright/test';
import type { Dispatcher } from 'undici';
import { type ResponseHead, type Transport, serve } from '../core/exchange.js';
import { headerList } from '../core/headers.js';
import type { Session } from '../core/session.js';
import { llmUrlPatterns } from '../core/urls.js';
import { upstreamVia } from '../upstream.js';
import { type ChunkPlan, CHUNKS_HEADER, LIVE_REQUEST_HEADER, encodeChunks } from './chunk-header.js';
import { type LiveChannel, LiveChannels } from './live.js';
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
  const live = new LiveChannels();
  const handler = async (route: Route) => {
    const request = route.request();
    const body = request.postDataBuffer() ?? Buffer.alloc(0);
    // The headers the page set (no round trip to the browser); a recording's upstream call gets all of them.
    const pageHeaders = request.headers();
    const headers = headerList(pageHeaders).filter(([n]) => notOurs(n));
    const channels = LIVE_REQUEST_HEADER in pageHeaders ? live : undefined;
    await serve(session, { method: request.method(), url: request.url(), headers, body }, routeTransport(route, upstream, channels));
  };
  await context.route(matches, handler);
  const undoSockets = await installSocketRoute(context, session);
  // Registered after the LLM sockets' route, so it is asked first: the live channel's URL is never an LLM's.
  await live.install(context);
  return async () => {
    undoSockets();
    live.dispose();
    await context.unroute(matches, handler).catch(() => {});
  };
}

/** The page script's request header is for the route alone. */
const notOurs = (name: string) => name !== LIVE_REQUEST_HEADER;

/**
 * A route as the exchange's Transport: collects the answer, then fulfills it whole. Given `live`
 * (the page script made the call), an answer from the upstream goes to the page as it arrives instead.
 */
function routeTransport(route: Route, dispatcher: () => Dispatcher, live?: LiveChannels): Transport {
  const reach = upstreamVia(dispatcher);
  // The browser adds headers the page cannot see (cookies…): the upstream gets those too.
  const upstream: Transport['upstream'] = async (req, signal) => {
    const all = headerList(await route.request().allHeaders()).filter(([n]) => notOurs(n) && !req.headers.some(([m]) => m === n));
    return reach({ ...req, headers: [...req.headers, ...all] }, signal);
  };
  let head: ResponseHead | undefined;
  const chunks: Buffer[] = [];
  const delays: number[] = [];
  let clock = false;
  let channel: LiveChannel | undefined;
  let aborted: ((reason: Error) => void) | undefined;
  const fulfill = (body: Buffer, plan: Omit<ChunkPlan, 'exposeAdded'>) => {
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
    headers[CHUNKS_HEADER] = encodeChunks({ ...plan, exposeAdded: !expose });
    return route.fulfill({ status: head!.status, headers, body });
  };
  const whole = (broken: boolean) => void fulfill(Buffer.concat(chunks), { sizes: chunks.map((c) => c.length), delays, broken, clock }).catch(ignoreClosed);
  return {
    where: 'page',
    streams: false,
    live: () => {
      if (!live) return false;
      channel = live.create();
      channel.onGone(() => aborted?.(new DOMException('The page stopped reading the answer', 'AbortError') as Error));
      return true;
    },
    respond: (h) => {
      head = h;
      // The page reads the answer from the channel: a request cancelled before it could is the page giving up.
      if (channel) fulfill(Buffer.alloc(0), { sizes: [], delays: [], broken: false, live: channel.id }).catch(() => channel!.abandon());
      return true;
    },
    write: (chunk, delay) => (channel ? channel.send(chunk) : (chunks.push(chunk), delays.push(delay)), true),
    // One delay more than chunks: the wait before the end.
    stallEnd: (delay) => void delays.push(delay),
    drain: () => Promise.resolve(),
    taken: () => Promise.resolve(),
    onClock: () => void (clock = true),
    end: () => (channel ? channel.close(false) : whole(false)),
    // No answer at all reaches the page as a network error, as it would have; a broken stream as its chunks, then an error.
    fail: () => (!head ? void route.abort('failed').catch(ignoreClosed) : channel ? channel.close(true) : whole(true)),
    onAbort: (listener) => void (aborted = listener),
    upstream,
  };
}

// The page may be gone (closed, navigated, request cancelled by a Stop button) by the time an
// answer is ready; the recording is kept all the same.
function ignoreClosed(): void {}
