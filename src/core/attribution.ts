// How a test's identity and settings reach another process — the app's server (through the
// preload) or the proxy: a request header on the page's requests to the app, decoded there into
// a session that records into, and replays from, that test's folder.
import { z } from 'zod';
import { LlmOptionError } from './errors.js';
import type { UrlPattern } from './hosts.js';
import { MODES } from '../mode.js';
import { Session, type SessionOptions } from './session.js';

export const TEST_HEADER = 'x-llm-replay-test';

const Wire = z.object({
  v: z.literal(1),
  dir: z.string().min(1),
  mode: z.enum(MODES.filter((m) => m !== 'auto') as ['replay', 'record-missing', 'record', 'passthrough']),
  pace: z.number().nonnegative(),
  hosts: z.array(z.union([z.object({ glob: z.string() }), z.object({ re: z.string(), flags: z.string() })])),
  ignore: z.array(z.string()),
  test: z.object({ folder: z.string(), title: z.string(), location: z.string() }),
  report: z.string().optional(),
});

/** The header value for a session's options. Functions in `ignore` stay in the worker. */
export function encodeAttribution(o: SessionOptions): string {
  const hosts = o.hosts.map((h: UrlPattern) => (typeof h === 'string' ? { glob: h } : { re: h.source, flags: h.flags }));
  const ignore = typeof o.ignore === 'function' ? [] : o.ignore.filter((i): i is string => typeof i === 'string');
  const wire: z.infer<typeof Wire> = { v: 1, dir: o.dir, mode: o.mode, pace: o.pace, hosts, ignore, test: o.test!, report: o.report };
  return Buffer.from(JSON.stringify(wire)).toString('base64url');
}

export function decodeAttribution(value: string): SessionOptions {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    throw new LlmOptionError(`playwright-llm-replay: the ${TEST_HEADER} header is not one this plugin wrote (not base64url JSON).`);
  }
  const parsed = Wire.safeParse(json);
  if (!parsed.success) throw new LlmOptionError(`playwright-llm-replay: the ${TEST_HEADER} header is malformed:\n${z.prettifyError(parsed.error)}\nAre the test runner and the app server on the same version of playwright-llm-replay?`);
  const w = parsed.data;
  return { dir: w.dir, mode: w.mode, pace: w.pace, hosts: w.hosts.map((h) => ('glob' in h ? h.glob : new RegExp(h.re, h.flags))), ignore: w.ignore, test: w.test, report: w.report };
}

/** One session per test (same header → same session, so occurrence counters carry across requests). */
export function sessionCache(): (header: string) => Session {
  const sessions = new Map<string, Session>();
  return (header) => {
    let session = sessions.get(header);
    if (!session) {
      session = new Session(decodeAttribution(header));
      sessions.set(header, session);
      if (sessions.size > 500) sessions.delete(sessions.keys().next().value!);
    }
    return session;
  };
}
