// What a Playwright `webServer` entry needs so that the app's server runs the Node transport:
//   webServer: { command: 'node server.js', url: 'http://localhost:3000', env: llmServerEnv() }
// The options travel in the environment, resolved as the fixture resolves them (llmDir from the
// config file's folder), with the run's secret that signs each test's attribution header.
import path from 'node:path';
import fs from 'node:fs';
import { SECRET_ENV, fromPattern, ignoreFromWire, ignorePaths, ignoreToWire, redactFromWire, redactToWire, runSecret, toPattern } from './core/attribution.js';
import { type LlmOptions, type Resolved, DEFAULTS, resolveOptions } from './options.js';
import { LlmOptionError } from './core/errors.js';

export type ServerEnvOptions = Partial<LlmOptions>;

const OPTIONS_ENV = 'LLM_REPLAY_OPTIONS';

/**
 * Environment for the app's server (or the proxy): NODE_OPTIONS preloads
 * `playwright-llm-replay/register`; the options, the `--update-snapshots` mode and the run's
 * secret reach it. Calls made while handling a test's requests take the mode and pace from that test.
 */
export function llmServerEnv(options: ServerEnvOptions = {}): Record<string, string> {
  const register = new URL('./register.js', import.meta.url).href;
  const baseDir = configDir(process.argv, process.cwd());
  const resolved = resolveOptions(options, { baseDir });
  const wire = {
    llmMode: options.llmMode ?? DEFAULTS.llmMode,
    llmPace: resolved.pace,
    llmUrls: resolved.urls.map(toPattern),
    llmIgnore: ignorePaths(resolved.ignore).map(ignoreToWire),
    llmRedact: redactToWire(resolved.redact),
  };
  const env: Record<string, string> = {
    NODE_OPTIONS: [process.env.NODE_OPTIONS, `--import "${register}"`].filter(Boolean).join(' '),
    LLM_REPLAY_DIR: resolved.root,
    [OPTIONS_ENV]: JSON.stringify(wire),
    [SECRET_ENV]: runSecret(),
  };
  const update = updateSnapshotsFlag(process.argv);
  if (update) env.LLM_REPLAY_UPDATE = update;
  return env;
}

/** The options `llmServerEnv()` put in this process's environment, resolved (for the preload and the proxy). */
export function serverOptions(env: NodeJS.ProcessEnv = process.env, overrides: Partial<LlmOptions> = {}): Resolved {
  let wire: Record<string, any> = {};
  try {
    wire = env[OPTIONS_ENV] ? (JSON.parse(env[OPTIONS_ENV]!) as Record<string, any>) : {};
  } catch {
    throw new LlmOptionError(`${OPTIONS_ENV} is not JSON; let llmServerEnv() set it.`);
  }
  let llmIgnore: unknown = wire.llmIgnore;
  try {
    if (Array.isArray(llmIgnore)) llmIgnore = llmIgnore.map(ignoreFromWire);
  } catch {
    throw new LlmOptionError(`${OPTIONS_ENV} has an llmIgnore RegExp that does not compile; let llmServerEnv() set it.`);
  }
  const options: Partial<LlmOptions> = {
    llmDir: env.LLM_REPLAY_DIR,
    llmMode: wire.llmMode,
    llmPace: wire.llmPace,
    llmUrls: wire.llmUrls?.map(fromPattern),
    llmIgnore: llmIgnore as LlmOptions['llmIgnore'],
    llmRedact: wire.llmRedact ? redactFromWire(wire.llmRedact) : undefined,
    ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)),
  };
  return resolveOptions(options, { baseDir: process.cwd(), updateSnapshots: env.LLM_REPLAY_UPDATE });
}

/** The value of `-u` / `--update-snapshots` on the command line (bare flag: `changed`). */
export function updateSnapshotsFlag(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const m = /^(?:-u|--update-snapshots)(?:=(.*))?$/.exec(argv[i]);
    if (!m) continue;
    if (m[1]) return m[1];
    const next = argv[i + 1];
    return next && /^(all|changed|missing|none)$/.test(next) ? next : 'changed';
  }
  return undefined;
}

/** The folder of the config file Playwright was started with (`-c`/`--config`), as the fixture resolves llmDir from it. */
export function configDir(argv: readonly string[], cwd: string): string {
  for (let i = 0; i < argv.length; i++) {
    const m = /^(?:-c|--config)(?:=(.*))?$/.exec(argv[i]);
    if (!m) continue;
    const given = path.resolve(cwd, m[1] ?? argv[i + 1] ?? '.');
    try {
      return fs.statSync(given).isDirectory() ? given : path.dirname(given);
    } catch {
      return path.dirname(given);
    }
  }
  return cwd;
}
