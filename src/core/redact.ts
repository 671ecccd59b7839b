// What never reaches disk (nor the match key): credentials in headers, the query string and bodies.

const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'api-key',
  'x-goog-api-key',
  'cookie',
  'set-cookie',
]);

// Transport details that say nothing about the request and differ between machines and runs
// (the SDKs' x-stainless-os / -runtime-version / -retry-count would make every re-record a diff).
const DROPPED_REQUEST_HEADERS = /^(host|connection|content-length|accept-encoding|accept-language|keep-alive|transfer-encoding|user-agent|sec-fetch-.*|x-stainless-.*)$/;

const SECRET_QUERY = /^(key|api[-_]?key|access[-_]?token|token)$/i;
const SECRET_FIELD = /^(api[-_]?key|apikey|access[-_]?token|secret|client[-_]?secret|password)$/i;

export const REDACTED = '<redacted>';

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADERS.has(name.toLowerCase()) || /(^|-)(api-?key|secret|token)$/i.test(name);
}

/** Request headers as stored: lower-cased, secrets and transport details gone, sorted. */
export function redactRequestHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers).map((n) => n.toLowerCase()).sort()) {
    if (isSecretHeader(name) || DROPPED_REQUEST_HEADERS.test(name)) continue;
    out[name] = headers[name] ?? headers[Object.keys(headers).find((k) => k.toLowerCase() === name)!];
  }
  return out;
}

/** The URL without credentials in its query string (Gemini takes `?key=`). */
export function redactUrl(url: string): string {
  const u = new URL(url);
  for (const name of [...u.searchParams.keys()]) if (SECRET_QUERY.test(name)) u.searchParams.delete(name);
  u.username = '';
  u.password = '';
  return u.toString();
}

/** A JSON body with every field named like a credential replaced by a placeholder. */
export function redactBody(body: unknown): unknown {
  if (Array.isArray(body)) return body.map(redactBody);
  if (body && typeof body === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(body)) out[k] = SECRET_FIELD.test(k) && v != null ? REDACTED : redactBody(v);
    return out;
  }
  return body;
}
