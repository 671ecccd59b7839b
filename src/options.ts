// The one resolver of options and mode, used by the fixture, `install()`, the preload, the proxy and
// `llmServerEnv()`: checks every option (naming each bad one), resolves llmDir from a base folder,
// and the mode from LLM_REPLAY_MODE > llmMode > --update-snapshots > CI.
import path from 'node:path';
import fs from 'node:fs';
import { z } from 'zod';
import { LlmOptionError } from './core/errors.js';
import type { IgnoreFn, IgnoreMatch } from './core/key.js';
import type { UrlPattern } from './core/urls.js';
import type { RedactOptions } from './core/redact.js';
import { type LlmMode, MODES, checkMode, isCI, resolveMode } from './core/mode.js';
import type { Sleeper } from './core/clock.js';
import { Session, type Settings } from './core/session.js';
import type { TestRef } from './core/recordings/shelf.js';

export interface LlmOptions {
  /** Where recordings live. Relative paths are taken from the config file's folder. Default `fixtures/llm`. */
  llmDir: string;
  /** `auto` (default) | `replay` | `record-missing` | `record` | `passthrough`. `LLM_REPLAY_MODE` overrides it. */
  llmMode: LlmMode;
  /**
   * 0: no delays (chunks still one by one); 1: recorded timing; 2: twice as fast…; 'clock': the
   * recorded timing on the test's clock — Playwright's `page.clock` (install it), or `llm.clock` in
   * a test without a page — so a test steps a stream with `runFor` and never waits.
   */
  llmPace: number | 'clock';
  /** Extra URLs that count as LLM calls: Playwright URL globs or RegExps. */
  llmUrls: UrlPattern[];
  /**
   * Left out of the match key: body fields (dotted paths, `*` for any key or index), the parts of a
   * field a RegExp matches (`{ path: 'messages.*.content', match: /Today is \S+/ }`), and functions
   * `(body) => body`. Paths and `{ path, match }` rules reach the app's server and the proxy too.
   */
  llmIgnore: IgnoreList;
  /** More secrets to keep off disk: header names, dotted body paths, RegExps of values. */
  llmRedact: RedactOptions;
  /** Attach each test's LLM calls to the report (`llm-calls.txt` to read, `llm-calls.json` for tools). Default true. */
  llmReport: boolean;
  /** A step per LLM call in the HTML report, the trace viewer and UI mode, at the moment of the call. Default true. */
  llmSteps: boolean;
  /**
   * With --repeat-each, repetition k replays answer variant k. When a test has fewer variants than
   * repetitions: 'cycle' (default) serves them again in turn, said once; 'exact' fails the test.
   */
  llmVariants: 'cycle' | 'exact';
}

export type IgnoreList = readonly (string | IgnoreMatch | IgnoreFn)[];

export const DEFAULTS: LlmOptions = { llmDir: 'fixtures/llm', llmMode: 'auto', llmPace: 0, llmUrls: [], llmIgnore: [], llmRedact: {}, llmReport: true, llmSteps: true, llmVariants: 'cycle' };

/** Options after checking: an absolute root and the mode this process runs in. */
export type Resolved = Settings;

export interface ResolveContext {
  /** The folder a relative llmDir is taken from (the config file's). */
  baseDir: string;
  /** Playwright's `--update-snapshots` value. */
  updateSnapshots?: string;
}

const IGNORE_KINDS = "body field paths ('metadata.user_id', 'messages.*.id'), masking rules ({ path: 'messages.*.content', match: /Today is \\S+/ }) and functions (body) => body";
const RULE_EXAMPLE = "{ path: 'messages.*.content', match: /Today is \\S+/ }";

/** What is wrong with one llmIgnore entry, and what to write instead; undefined when it is fine. */
export function ignoreProblem(v: unknown): string | undefined {
  if (typeof v === 'function' || (typeof v === 'string' && v.length > 0)) return undefined;
  if (v instanceof RegExp) return `a RegExp alone does not say which field to mask: write ${RULE_EXAMPLE}`;
  if (!v || typeof v !== 'object' || Array.isArray(v)) return `an llmIgnore entry must be one of: ${IGNORE_KINDS}`;
  const rule = v as Partial<IgnoreMatch>;
  const extra = Object.keys(v).filter((k) => k !== 'path' && k !== 'match');
  if (extra.length) return `a masking rule has a path and a match only (not ${extra.join(', ')}): ${RULE_EXAMPLE}`;
  if (typeof rule.path !== 'string' || !rule.path || rule.path.split('.').some((p) => !p)) {
    return `a masking rule's path must be a dotted body path, \`*\` for any key or index, such as 'messages.*.content' or 'system': ${RULE_EXAMPLE}`;
  }
  if (!(rule.match instanceof RegExp)) return `a masking rule's match must be a RegExp (a string is not one: write it between slashes): ${RULE_EXAMPLE}`;
  if (new RegExp(rule.match.source, rule.match.flags.replace(/[gy]/g, '')).test('')) {
    return `a masking rule's match must not match the empty string (${String(rule.match)} does: it would mask between every character); use + rather than *, as in /Today is \\S+/`;
  }
  return undefined;
}

const Pattern = z.union([z.string().min(1), z.instanceof(RegExp)]);
export const Options = z.object({
  llmDir: z.string({ error: 'llmDir must be a path (string)' }).min(1, 'llmDir must not be empty'),
  llmMode: z.string(),
  llmPace: z.custom<number | 'clock'>((v) => v === 'clock' || (typeof v === 'number' && Number.isFinite(v) && v >= 0), {
    error: "llmPace must be 0 (no delays), a positive speed factor (1 = recorded timing), or 'clock' (recorded timing on the test's clock: page.clock, llm.clock)",
  }),
  llmUrls: z.array(Pattern, { error: 'llmUrls must be a list of URL globs (strings) or RegExps' }),
  llmIgnore: z.array(z.any(), { error: `llmIgnore must be a list of ${IGNORE_KINDS}` }).superRefine((list, ctx) =>
    list.forEach((v, i) => {
      const problem = ignoreProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, path: [i] });
    }),
  ),
  llmRedact: z
    .object(
      {
        headers: z.array(Pattern, { error: 'llmRedact.headers must be a list of header names or RegExps' }).optional(),
        paths: z.array(z.string().min(1), { error: 'llmRedact.paths must be a list of dotted body paths' }).optional(),
        values: z.array(z.instanceof(RegExp), { error: 'llmRedact.values must be a list of RegExps' }).optional(),
      },
      { error: 'llmRedact must be an object: { headers?, paths?, values? }' },
    )
    .strict(),
});

/** Options' rules checked by hand: zod's first parse in a process costs ~1–2 ms of a cold start, this ~0.2 ms (see isRecordingFile). zod names what is wrong. */
export function looksValid(o: LlmOptions): boolean {
  const list = (x: unknown, ok: (v: unknown) => boolean) => Array.isArray(x) && x.every(ok);
  const pattern = (v: unknown) => (typeof v === 'string' && v.length > 0) || v instanceof RegExp;
  const r = o.llmRedact as Record<string, unknown> | undefined;
  return (
    typeof o.llmDir === 'string' &&
    o.llmDir.length > 0 &&
    typeof o.llmMode === 'string' &&
    (o.llmPace === 'clock' || (typeof o.llmPace === 'number' && Number.isFinite(o.llmPace) && o.llmPace >= 0)) &&
    list(o.llmUrls, pattern) &&
    list(o.llmIgnore, (v) => ignoreProblem(v) === undefined) &&
    !!r &&
    typeof r === 'object' &&
    !Array.isArray(r) &&
    Object.keys(r).every((k) => k === 'headers' || k === 'paths' || k === 'values') &&
    (r.headers === undefined || list(r.headers, pattern)) &&
    (r.paths === undefined || list(r.paths, (v) => typeof v === 'string' && v.length > 0)) &&
    (r.values === undefined || list(r.values, (v) => v instanceof RegExp))
  );
}

/** Checks options and resolves llmDir and the mode. Throws an LlmOptionError naming each bad option and what it should be. */
export function resolveOptions(input: Partial<LlmOptions>, context: ResolveContext): Resolved {
  const given = Object.fromEntries(Object.entries(input).filter(([k, v]) => v !== undefined && k in DEFAULTS));
  const opts = { ...DEFAULTS, ...given } as LlmOptions;
  checkMode(opts.llmMode, 'llmMode');
  const parsed = looksValid(opts) ? { success: true as const } : Options.safeParse(opts);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.') || 'options'}: ${i.message} (got ${describe(valueAt(opts, i.path))})`);
    throw new LlmOptionError(`invalid option\n${lines.join('\n')}`);
  }
  const root = path.resolve(context.baseDir, opts.llmDir);
  if (fs.existsSync(root) && !fs.statSync(root).isDirectory()) {
    throw new LlmOptionError(`llmDir ${root} is a file, not a folder. Point llmDir at a folder (default: fixtures/llm next to the config).`);
  }
  const mode = resolveMode({ env: process.env.LLM_REPLAY_MODE, option: opts.llmMode as LlmMode, updateSnapshots: context.updateSnapshots, ci: isCI() });
  return { root, mode, pace: opts.llmPace, urls: opts.llmUrls, ignore: opts.llmIgnore, redact: opts.llmRedact };
}

/** A test's options: the worker's, with the test's own mode and pace (checked the same way). */
export function withTestOptions(worker: Resolved, input: Partial<Pick<LlmOptions, 'llmMode' | 'llmPace'>>, updateSnapshots?: string): Resolved {
  const own = resolveOptions({ llmDir: worker.root, llmMode: input.llmMode, llmPace: input.llmPace }, { baseDir: worker.root, updateSnapshots });
  return { ...worker, mode: own.mode, pace: own.pace };
}

/** A session for resolved options: a test's, or the shared folder's when `test` is not given. */
export function createSession(resolved: Resolved, test?: TestRef, clock?: Sleeper): Session {
  return new Session({ ...resolved, test, clock });
}

export { MODES };

function valueAt(obj: unknown, p: PropertyKey[]): unknown {
  return p.reduce<unknown>((o, k) => (o as Record<PropertyKey, unknown>)?.[k], obj);
}

function describe(v: unknown): string {
  if (v instanceof RegExp) return String(v);
  if (typeof v === 'function') return '[function]';
  try {
    return JSON.stringify(v, (_k, x) => (x instanceof RegExp ? String(x) : typeof x === 'function' ? '[function]' : x)) ?? String(v);
  } catch {
    return String(v);
  }
}
