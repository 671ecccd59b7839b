// The user-facing options, validated in one place for the fixture and for the Node API.
import path from 'node:path';
import fs from 'node:fs';
import { z } from 'zod';
import { LlmOptionError } from './core/errors.js';
import type { IgnoreFn } from './core/key.js';
import type { UrlPattern } from './core/hosts.js';
import { type LlmMode, MODES, checkMode, isCI, resolveMode } from './mode.js';
import { Session, type TestRef } from './core/session.js';

export interface LlmOptions {
  /** Where recordings live. Relative paths are taken from the config file's folder. Default `fixtures/llm`. */
  llmDir: string;
  /** `auto` (default) | `replay` | `record-missing` | `record` | `passthrough`. `LLM_REPLAY_MODE` overrides it. */
  llmMode: LlmMode;
  /** 0: no delays (chunks still one by one); 1: recorded timing; 2: twice as fast… */
  llmPace: number;
  /** Extra URLs that count as LLM calls: Playwright URL globs or RegExps. */
  llmHosts: UrlPattern[];
  /** Body fields (dotted paths, `*` for any key or index) and functions `(body) => body`, left out of the match key. */
  llmIgnore: IgnoreList;
}

export type IgnoreList = readonly (string | IgnoreFn)[];

export const DEFAULTS: LlmOptions = { llmDir: 'fixtures/llm', llmMode: 'auto', llmPace: 0, llmHosts: [], llmIgnore: [] };

/**
 * A session from options, the one way every entry point makes one: options checked (relative
 * llmDir from `baseDir`), mode resolved from LLM_REPLAY_MODE, the option, `updateSnapshots` and CI.
 */
export function createSession(input: Partial<LlmOptions>, context: { baseDir: string; updateSnapshots?: string; test?: TestRef }): Session {
  const given = Object.fromEntries(Object.entries(input).filter(([k, v]) => v !== undefined && k in DEFAULTS));
  const opts = checkOptions({ ...DEFAULTS, ...given }, context.baseDir);
  const mode = resolveMode({ env: process.env.LLM_REPLAY_MODE, option: opts.llmMode, updateSnapshots: context.updateSnapshots, ci: isCI() });
  return new Session({ dir: opts.llmDir, mode, pace: opts.llmPace, hosts: opts.llmHosts, ignore: opts.llmIgnore, test: context.test });
}

const Options = z.object({
  llmDir: z.string({ error: 'llmDir must be a path (string)' }).min(1, 'llmDir must not be empty'),
  llmMode: z.string().refine((m) => (MODES as readonly string[]).includes(m), { error: `llmMode must be one of ${MODES.map((m) => `'${m}'`).join(', ')}` }),
  llmPace: z.number({ error: 'llmPace must be a number' }).finite().nonnegative('llmPace must be 0 (no delays) or a positive speed factor (1 = recorded timing)'),
  llmHosts: z.array(z.union([z.string().min(1), z.instanceof(RegExp)]), { error: 'llmHosts must be a list of URL globs (strings) or RegExps' }),
  llmIgnore: z.array(z.union([z.string().min(1), z.custom<IgnoreFn>((v) => typeof v === 'function')]), {
    error: 'llmIgnore must be a list of body field paths (strings) and functions',
  }),
});

/** Checks the options; throws an LlmOptionError naming each bad option and what it should be. */
export function checkOptions(input: LlmOptions, baseDir: string): LlmOptions {
  checkMode(input.llmMode, 'llmMode');
  const parsed = Options.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.') || 'options'}: ${i.message} (got ${JSON.stringify(valueAt(input, i.path))})`);
    throw new LlmOptionError(`playwright-llm-replay: invalid option\n${lines.join('\n')}`);
  }
  const llmDir = path.resolve(baseDir, input.llmDir);
  if (fs.existsSync(llmDir) && !fs.statSync(llmDir).isDirectory()) {
    throw new LlmOptionError(`playwright-llm-replay: llmDir ${llmDir} is a file, not a folder. Point llmDir at a folder (default: fixtures/llm next to the config).`);
  }
  return { ...input, llmDir };
}

function valueAt(obj: unknown, p: PropertyKey[]): unknown {
  const v = p.reduce<unknown>((o, k) => (o as Record<PropertyKey, unknown>)?.[k], obj);
  return v instanceof RegExp ? String(v) : typeof v === 'function' ? '[function]' : v;
}
