// The browser transport: the context's requests to LLM URLs go through the session. A replay is
// fulfilled whole (route.fulfill cannot stream) with each chunk's size and delay in a header that
// the page script turns back into the recorded stream. A recording is made from Node through the
// Node transport's own path (so chunk timing is captured), then served to the page the same way.
import type { BrowserContext, Route } from '@playwright/test';
import type { Dispatcher } from 'undici';
import type { Interaction } from '../core/recording.js';
import { type ReplayPlan, missResponse, replayPlan } from '../core/replay.js';
import type { Decision, Recording, Session } from '../core/session.js';
import { llmUrlPatterns } from '../core/hosts.js';
import { LlmReplayError } from '../core/errors.js';
import { forward } from '../node/dispatcher.js';
import type { Sink } from '../node/sink.js';
import { pageScript } from './page-script.js';

export const CHUNKS_HEADER = 'x-llm-replay-chunks';

/** Routes the context's LLM requests through `session`. Returns the undo. */
export async function installBrowserTransport(context: BrowserContext, session: Session, upstream: () => Dispatcher): Promise<() => Promise<void>> {
  const patterns = llmUrlPatterns(session.options.hosts).map((re) => ({ source: re.source, flags: re.flags.replace('g', '') }));
  await context.addInitScript(pageScript, { header: CHUNKS_HEADER, patterns });
  const matches = (url: URL) => session.intercepts(url.href);
  const handler = (route: Route) => handle(route, session, upstream).catch((err) => onRouteError(route, session, err));
  await context.route(matches, handler);
  return () => context.unroute(matches, handler).catch(() => {});
}

async function handle(route: Route, session: Session, upstream: () => Dispatcher): Promise<void> {
  const request = route.request();
  const headers = await request.allHeaders();
  const body = request.postDataBuffer() ?? Buffer.alloc(0);
  const decision: Decision = session.decide({ method: request.method(), url: request.url(), headers, body });
  switch (decision.kind) {
    case 'replay':
      return fulfill(route, decision.plan);
    case 'miss':
      return fulfill(route, missResponse(decision.error));
    case 'passthrough':
      return route.fallback();
    case 'record': {
      const answer = await record(upstream(), request.url(), request.method(), headers, body, decision.recording, session);
      // An upstream that could not be reached reaches the page as a network error, as it would have.
      if (answer.error) return route.abort('failed').catch(ignoreClosed);
      return fulfill(route, answer.saved ? replayPlan(answer.saved, session.options.pace) : answer.raw);
    }
  }
}

/** Makes the upstream call from Node, teeing it into the recording; resolves when it has ended. */
function record(upstream: Dispatcher, url: string, method: string, headers: Record<string, string>, body: Buffer, recording: Recording, session: Session) {
  return new Promise<{ saved?: Interaction; raw: ReplayPlan; error?: Error }>((resolve) => {
    let saved: Interaction | undefined;
    const raw: ReplayPlan = { status: 0, statusText: '', headers: {}, chunks: [] };
    const sink: Sink = {
      start: () => {},
      headers: (status, pairs, statusText) => {
        if (status >= 200) Object.assign(raw, { status, statusText, headers: Object.fromEntries(pairs.map(([k, v]) => [k.toLowerCase(), v])) });
        return true;
      },
      data: (chunk) => (raw.chunks.push({ data: Buffer.from(chunk), delay: 0 }), true),
      complete: () => resolve({ saved, raw }),
      error: (error) => resolve({ raw, error }),
    };
    const u = new URL(url);
    const forwarded = Object.fromEntries(Object.entries(headers).filter(([k]) => !k.startsWith(':') && !/^(host|connection|content-length)$/i.test(k)));
    const keep: Recording = { ...recording, end: () => (saved = recording.end()) };
    forward(upstream, { origin: u.origin, path: u.pathname + u.search, method: method as Dispatcher.HttpMethod, headers: forwarded, body }, sink, keep, session);
  });
}

async function fulfill(route: Route, plan: ReplayPlan): Promise<void> {
  const headers: Record<string, string> = { ...plan.headers };
  // Hop-by-hop and encoding headers describe the upstream connection, not this body.
  for (const h of ['content-encoding', 'transfer-encoding', 'connection', 'keep-alive']) delete headers[h];
  headers[CHUNKS_HEADER] = `${plan.chunks.map((c) => c.data.length).join(',')};${plan.chunks.map((c) => Math.round(c.delay)).join(',')}`;
  const exposed = new Set((headers['access-control-expose-headers'] ?? '').split(',').map((h) => h.trim()).filter(Boolean));
  for (const name of Object.keys(plan.headers)) exposed.add(name);
  exposed.add(CHUNKS_HEADER);
  headers['access-control-expose-headers'] = [...exposed].join(', ');
  await route.fulfill({ status: plan.status, headers, body: Buffer.concat(plan.chunks.map((c) => c.data)) }).catch(ignoreClosed);
}

async function onRouteError(route: Route, session: Session, err: Error): Promise<void> {
  if (!(err instanceof LlmReplayError)) err = new LlmReplayError(`playwright-llm-replay: ${err.message}`, { cause: err });
  session.fail(err);
  await route.abort('failed').catch(ignoreClosed);
}

// The page may be gone (closed, navigated, request cancelled by a Stop button) by the time an
// answer is ready; the recording is kept all the same.
function ignoreClosed(): void {}
