// What a Playwright `webServer` entry needs so that the app's server runs the Node transport:
//   webServer: { command: 'node server.js', url: 'http://localhost:3000', env: llmServerEnv() }
import path from 'node:path';

export interface ServerEnvOptions {
  /** The recordings root, as in `llmDir`; relative to the current folder. Default `fixtures/llm`. */
  llmDir?: string;
}

/**
 * Environment for the app's server: NODE_OPTIONS preloads `playwright-llm-replay/register`, and
 * the recordings root and the `--update-snapshots` mode reach it for calls made outside tests.
 * Calls made while handling a test's requests take every setting from that test.
 */
export function llmServerEnv(options: ServerEnvOptions = {}): Record<string, string> {
  const register = new URL('./register.js', import.meta.url).href;
  const env: Record<string, string> = {
    NODE_OPTIONS: [process.env.NODE_OPTIONS, `--import "${register}"`].filter(Boolean).join(' '),
    LLM_REPLAY_DIR: path.resolve(options.llmDir ?? 'fixtures/llm'),
  };
  const update = updateSnapshotsFlag(process.argv);
  if (update) env.LLM_REPLAY_UPDATE = update;
  return env;
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
