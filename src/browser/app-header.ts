// The page's requests to the app's own origin carry the running test's attribution header, so
// the app's server (with the preload) knows which test a request belongs to. Third-party origins
// never see it.
import type { BrowserContext, Route } from '@playwright/test';
import { TEST_HEADER } from '../core/attribution.js';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `http://localhost:3000` and `http://127.0.0.1:3000` are the same server. */
function originKey(url: URL): string {
  const host = LOOPBACK.has(url.hostname) ? 'loopback' : url.hostname;
  return `${url.protocol}//${host}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
}

export async function addAppHeader(context: BrowserContext, appUrls: string[], value: () => string): Promise<() => Promise<void>> {
  const origins = new Set(appUrls.map((u) => originKey(new URL(u))));
  if (!origins.size) return async () => {};
  const matches = (url: URL) => url.protocol.startsWith('http') && origins.has(originKey(url));
  const handler = async (route: Route) => {
    const headers = await route.request().allHeaders();
    await route.fallback({ headers: { ...headers, [TEST_HEADER]: value() } }).catch(() => {});
  };
  await context.route(matches, handler);
  return () => context.unroute(matches, handler).catch(() => {});
}

/** The app's URLs as the config knows them: `baseURL` and every `webServer` entry. */
export function appUrls(baseURL: string | undefined, webServer: unknown): string[] {
  const servers = (Array.isArray(webServer) ? webServer : webServer ? [webServer] : []) as { url?: string; port?: number }[];
  const urls = servers.map((s) => s.url ?? (s.port ? `http://localhost:${s.port}` : undefined));
  return [baseURL, ...urls].filter((u): u is string => !!u && /^https?:\/\//.test(u));
}
