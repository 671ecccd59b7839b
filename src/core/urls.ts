// Which URLs count as LLM calls: the built-in provider list plus the user's `llmUrls`; and which
// requests to them are no model call (an SDK's telemetry), answered here.
import { STATUS_CODES } from 'node:http';
import { KNOWN_LLM_URLS, NON_MODEL_ENDPOINTS, type NonModelEndpoint } from '../wire/providers.js';
import { REALTIME_URLS } from '../wire/realtime.js';
import type { Answer } from './replay.js';

export type UrlPattern = string | RegExp;

/** A Playwright-style URL glob as a RegExp: `**` any characters, `*` any but `/`, `{a,b}` either. */
export function globToRegExp(glob: string): RegExp {
  let re = '^';
  let inGroup = false;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '{') {
      inGroup = true;
      re += '(?:';
    } else if (c === '}' && inGroup) {
      inGroup = false;
      re += ')';
    } else if (c === ',' && inGroup) re += '|';
    else re += c.replace(/[.+?^$()[\]\\|]/g, '\\$&');
  }
  return new RegExp(re + '$');
}

/** The built-in provider URLs (HTTP, and the realtime WebSockets) and the user's, as RegExps. */
export function llmUrlPatterns(extra: readonly UrlPattern[], withKnown = true): RegExp[] {
  return [...(withKnown ? [...KNOWN_LLM_URLS, ...REALTIME_URLS] : []), ...extra].map((p) => (typeof p === 'string' ? globToRegExp(p) : p));
}

/** Whether a URL matches the patterns (and, with `withKnown`, the built-in provider URLs). */
export function urlMatcher(extra: readonly UrlPattern[], withKnown = true): (url: string) => boolean {
  const patterns = llmUrlPatterns(extra, withKnown);
  return (url) => {
    // Compare without the query string, as page.route globs do for `**` at the end anyway.
    const bare = url.split(/[?#]/)[0];
    return patterns.some((re) => {
      re.lastIndex = 0;
      return re.test(url) || re.test(bare);
    });
  };
}

/** The telemetry endpoint (no model call) a request to an LLM URL is for, if it is one. */
export function nonModelEndpoint(method: string, url: string): NonModelEndpoint | undefined {
  for (const e of NON_MODEL_ENDPOINTS) {
    // Most calls are model calls: a substring test spares them parsing the URL.
    if (!url.includes(e.path) || method.toUpperCase() !== e.method) continue;
    try {
      if (new URL(url).pathname === e.path) return e;
    } catch {
      // not a URL: not this endpoint
    }
  }
  return undefined;
}

/** What the API answers such a request on success, made here: JSON, or no body at all. */
export function nonModelAnswer(endpoint: NonModelEndpoint, body: Buffer): Answer {
  let json: unknown;
  try {
    json = body.length ? JSON.parse(body.toString('utf8')) : undefined;
  } catch {
    json = undefined;
  }
  const made = endpoint.answer(json);
  const bytes = made.body === undefined ? undefined : Buffer.from(JSON.stringify(made.body));
  return {
    status: made.status,
    statusText: STATUS_CODES[made.status] ?? '',
    headers: bytes ? [['content-type', 'application/json'], ['content-length', String(bytes.length)]] : [],
    count: bytes ? 1 : 0,
    chunk: () => bytes!,
    time: () => 0,
  };
}
