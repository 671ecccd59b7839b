// How a test's identity and settings reach another process — the app's server (through the
// preload) or the proxy: a request header on the page's requests to the app. The header crosses
// the network, so it is untrusted: it carries an HMAC made with a per-run secret that the test
// runner and `llmServerEnv()` share through the environment, and it names no paths. The server
// resolves the test's folder inside its own llmDir, and reports each call through the test's files
// in the run's private folder (run/channel.ts), named by a hex id the header carries.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { UrlPattern } from './urls.js';
import type { Ignore, IgnoreMatch } from './key.js';
import type { RedactOptions } from './redact.js';
import type { Pace } from './session.js';
import type { TestRef } from './recordings/shelf.js';
import type { Mode } from './mode.js';
import { AttributionError } from './errors.js';

export const TEST_HEADER = 'x-llm-replay-test';
/** The per-run secret, shared by the test runner, its workers, the web server and the proxy. */
export const SECRET_ENV = 'LLM_REPLAY_SECRET';

/** The run's secret: made once, in the runner when it loads the config, and inherited by every process it starts. */
export function runSecret(): string {
  return (process.env[SECRET_ENV] ||= randomBytes(32).toString('base64url'));
}

/** What a test tells another process about itself. */
export interface Attribution {
  /** Hex id of this test run: the name of its report file. */
  id: string;
  test: TestRef;
  mode: Mode;
  pace: Pace;
  urls: readonly UrlPattern[];
  ignore: readonly (string | IgnoreMatch)[];
  redact: RedactOptions;
}

export const Pattern = z.union([z.object({ glob: z.string().max(2000) }), z.object({ re: z.string().max(2000), flags: z.string().regex(/^[dgimsuvy]*$/) })]);
/** An llmIgnore entry that travels: a path, or a masking rule with its RegExp as source and flags. */
const IgnoreWire = z.union([z.string().max(500), z.object({ path: z.string().min(1).max(500), re: z.string().max(2000), flags: z.string().regex(/^[dgimsuvy]*$/) })]);
export type IgnoreWire = z.infer<typeof IgnoreWire>;
const Wire = z.object({
  v: z.literal(2),
  id: z.string().regex(/^[0-9a-f]{16,64}$/),
  test: z.object({ folder: z.string().min(1).max(1024), title: z.string().max(4000), location: z.string().max(2000), variant: z.number().int().nonnegative().max(999_999).optional() }),
  mode: z.enum(['replay', 'record-missing', 'record', 'passthrough']),
  pace: z.union([z.literal('clock'), z.number().nonnegative().finite()]),
  urls: z.array(Pattern).max(200),
  ignore: z.array(IgnoreWire).max(500),
  redact: z.object({ headers: z.array(Pattern).max(200), paths: z.array(z.string().max(500)).max(500), values: z.array(Pattern).max(200) }),
});

export const toPattern = (p: UrlPattern) => (typeof p === 'string' ? { glob: p } : { re: p.source, flags: p.flags });
export const fromPattern = (p: z.infer<typeof Pattern>): UrlPattern => ('glob' in p ? p.glob : new RegExp(p.re, p.flags));

/** The entries of `llmIgnore` that can cross a process boundary: paths and masking rules (not functions). */
export function ignorePaths(ignore: Ignore): (string | IgnoreMatch)[] {
  return typeof ignore === 'function' ? [] : ignore.filter((i): i is string | IgnoreMatch => typeof i !== 'function');
}

export const ignoreToWire = (i: string | IgnoreMatch): IgnoreWire => (typeof i === 'string' ? i : { path: i.path, re: i.match.source, flags: i.match.flags });
/** Back from the wire (throws if a RegExp does not compile); anything else, from an environment variable, is left for the options check to name. */
export function ignoreFromWire(w: unknown): unknown {
  if (!w || typeof w !== 'object' || !('re' in w)) return w;
  const { path, re, flags } = w as { path?: unknown; re: unknown; flags?: unknown };
  return { path, match: new RegExp(String(re), typeof flags === 'string' ? flags : '') };
}

export function redactToWire(r: RedactOptions) {
  return { headers: (r.headers ?? []).map(toPattern), paths: [...(r.paths ?? [])], values: (r.values ?? []).map(toPattern) };
}

export function redactFromWire(w: z.infer<typeof Wire>['redact']): RedactOptions {
  return { headers: w.headers.map(fromPattern), paths: w.paths, values: w.values.map((v) => ('glob' in v ? new RegExp(v.glob) : new RegExp(v.re, v.flags))) };
}

const mac = (payload: string, secret: string) => createHmac('sha256', secret).update(payload).digest('base64url');

/** The header value for a test: its settings, signed with the run's secret. */
export function encodeAttribution(a: Attribution, secret: string): string {
  const wire: z.infer<typeof Wire> = { v: 2, id: a.id, test: a.test, mode: a.mode, pace: a.pace, urls: a.urls.map(toPattern), ignore: a.ignore.map(ignoreToWire), redact: redactToWire(a.redact) };
  const payload = Buffer.from(JSON.stringify(wire)).toString('base64url');
  return `${payload}.${mac(payload, secret)}`;
}

export { AttributionError };

/** Checks a header's signature and shape; throws an AttributionError saying why it cannot be used. */
export function decodeAttribution(value: string, secret: string | undefined): Attribution {
  if (!secret) throw new AttributionError(`this process has no ${SECRET_ENV}: start it with llmServerEnv() in the webServer entry, or give it the same ${SECRET_ENV} as the test runner`);
  if (value.length > 64 * 1024) throw new AttributionError('it is too long');
  const [payload, signature, ...rest] = value.split('.');
  if (!payload || !signature || rest.length) throw new AttributionError('it is not a signed value this plugin wrote');
  const expected = Buffer.from(mac(payload, secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new AttributionError(`its signature does not match this process's ${SECRET_ENV} (a client that is not the test runner, or a server started outside this run)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw new AttributionError('it is not base64url JSON');
  }
  const parsed = Wire.safeParse(json);
  if (!parsed.success) throw new AttributionError('its content has the wrong shape: are the test runner and this server on the same version of playwright-llm-replay?');
  const w = parsed.data;
  let ignore: (string | IgnoreMatch)[];
  try {
    ignore = w.ignore.map((i) => ignoreFromWire(i) as string | IgnoreMatch);
  } catch {
    throw new AttributionError('an llmIgnore RegExp in it does not compile: are the test runner and this server on the same version of playwright-llm-replay?');
  }
  return { id: w.id, test: w.test, mode: w.mode, pace: w.pace, urls: w.urls.map(fromPattern), ignore, redact: redactFromWire(w.redact) };
}
