// `playwright-llm-replay/chromium`: finds a Chromium for the browser tests, and on a bare machine
// gets one. The one place that knows how, used by this project's config (hence `npm run demo`,
// `npm test` and CI) and exported for users whose machines cannot reach Playwright's download CDN.
//
//   // playwright.config.ts
//   import { chromiumPath } from 'playwright-llm-replay/chromium';
//   export default defineConfig({
//     globalSetup: 'playwright-llm-replay/chromium',            // provisions once, before any test
//     use: { launchOptions: { executablePath: chromiumPath() } },
//   });
//
// Order: LLM_REPLAY_CHROMIUM (an explicit path), Playwright's own Chromium, a system Chromium
// (`chromium`, `chromium-browser` on PATH); otherwise `playwright install chromium`; when that
// cannot download and the machine has apt-get and root, Debian's `chromium`; otherwise one error
// saying what was tried and what to run. When a browser is there, nothing runs.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { ChromiumError, PREFIX } from './core/errors.js';

/** The environment variable that names the Chromium to use (and carries the found one to workers). */
export const CHROMIUM_ENV = 'LLM_REPLAY_CHROMIUM';

/** Flags that keep a system Chromium from reaching for the network (updates, sync, first-run pages). */
export const QUIET_CHROMIUM_ARGS: readonly string[] = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** What the search needs from the machine; replaced in tests. */
export interface Machine {
  env: NodeJS.ProcessEnv;
  exists(file: string): boolean;
  /** An executable on PATH, or undefined. */
  which(name: string): string | undefined;
  /** Playwright's own Chromium executable path (whether or not it is installed). */
  playwrightChromium(): string | undefined;
  /** Runs a command; resolves with its exit status and the tail of its output. */
  run(command: string, args: string[], env?: NodeJS.ProcessEnv): { ok: boolean; output: string };
  isRoot: boolean;
}

export interface Found {
  path: string;
  /** How it was found: `env`, `playwright`, `system`; or how it was installed: `playwright install`, `apt-get`. */
  how: 'env' | 'playwright' | 'system' | 'playwright install' | 'apt-get';
}

/** The Chromium already on this machine, without installing anything. */
export function findChromium(m: Machine = machine()): Found | undefined {
  const given = m.env[CHROMIUM_ENV];
  if (given) {
    if (!m.exists(given)) throw new ChromiumError(`${CHROMIUM_ENV} is ${given}, which does not exist. Point it at a Chromium executable, or unset it to let the plugin find or install one.`);
    return { path: given, how: 'env' };
  }
  const own = m.playwrightChromium();
  if (own && m.exists(own)) return { path: own, how: 'playwright' };
  for (const name of ['chromium', 'chromium-browser']) {
    const system = m.which(name);
    if (system) return { path: system, how: 'system' };
  }
  return undefined;
}

/** For `launchOptions.executablePath`: the Chromium found, or undefined (Playwright's default). Cheap; never installs. */
export function chromiumPath(): string | undefined {
  try {
    return findChromium()?.path;
  } catch {
    return undefined; // the global setup reports a bad LLM_REPLAY_CHROMIUM
  }
}

export { ChromiumError };

/**
 * Finds a Chromium or installs one. Returns what it found, logs one line when it installed one,
 * and throws a ChromiumError that names everything it tried when there is no way to get one.
 */
export function ensureChromium(m: Machine = machine(), log: (line: string) => void = (l) => console.log(l)): Found {
  const there = findChromium(m);
  if (there) return there;
  const tried: string[] = [`${CHROMIUM_ENV} (not set)`, `Playwright's Chromium (${m.playwrightChromium() ?? 'unknown path'}: not installed)`, 'chromium / chromium-browser on PATH (none)'];

  const cli = playwrightCli();
  if (cli) {
    const install = m.run(process.execPath, [cli, 'install', 'chromium']);
    const own = m.playwrightChromium();
    if (install.ok && own && m.exists(own)) {
      log(`${PREFIX}no browser was installed; ran \`npx playwright install chromium\` → ${own}`);
      return { path: own, how: 'playwright install' };
    }
    tried.push(`\`npx playwright install chromium\` (failed: ${lastLine(install.output)})`);
  }

  if (m.which('apt-get') && m.isRoot) {
    const env = { ...m.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = m.run('apt-get', ['update', '-qq'], env);
    const install = update.ok ? m.run('apt-get', ['install', '-y', '-qq', 'chromium'], env) : update;
    const system = m.which('chromium');
    if (install.ok && system) {
      log(`${PREFIX}no browser was installed and Playwright's download was unreachable; installed Debian's chromium with apt-get → ${system}`);
      return { path: system, how: 'apt-get' };
    }
    tried.push(`\`apt-get install chromium\` (failed: ${lastLine(install.output)})`);
  } else {
    tried.push(m.which('apt-get') ? 'apt-get (not root)' : 'apt-get (not on this machine)');
  }

  throw new ChromiumError(
    [
      'no Chromium for the browser tests, and no way to get one. Tried:',
      ...tried.map((t) => `  - ${t}`),
      'Do one of these, then run the tests again:',
      '  npx playwright install chromium          (needs access to Playwright\'s download CDN)',
      '  sudo apt-get install -y chromium         (Debian / Ubuntu)',
      `  export ${CHROMIUM_ENV}=/path/to/chromium   (a Chromium or Chrome you already have)`,
    ].join('\n'),
  );
}

/** Playwright `globalSetup`: provisions a browser once, before any test, and hands its path to the workers. */
export default function globalSetup(): void {
  const found = ensureChromium();
  process.env[CHROMIUM_ENV] = found.path;
}

/** The line of a command's output that says why it failed: its first `Error:` / `E:` line, else its last. */
function lastLine(output: string): string {
  const lines = output.replace(/\x1b\[[0-9;]*m/g, '').split('\n').map((l) => l.trim()).filter(Boolean);
  const error = lines.find((l) => /^(E|Error|ERROR|error):/.test(l)) ?? lines.filter((l) => /fail|unable|could not/i.test(l)).at(-1);
  return (error ?? lines.at(-1) ?? 'no output').slice(0, 200);
}

function playwrightCli(): string | undefined {
  const require = createRequire(import.meta.url);
  for (const id of ['@playwright/test/cli', 'playwright/cli']) {
    try {
      return require.resolve(id, { paths: [process.cwd(), path.dirname(new URL(import.meta.url).pathname)] });
    } catch {
      // try the next
    }
  }
  return undefined;
}

function machine(): Machine {
  return {
    env: process.env,
    exists: (file) => fs.existsSync(file),
    which: (name) => {
      for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
        const file = path.join(dir, name);
        try {
          fs.accessSync(file, fs.constants.X_OK);
          if (fs.statSync(file).isFile()) return file;
        } catch {
          // not here
        }
      }
      return undefined;
    },
    playwrightChromium: () => {
      try {
        const require = createRequire(import.meta.url);
        const core = require(require.resolve('playwright-core', { paths: [process.cwd(), path.dirname(new URL(import.meta.url).pathname)] })) as { chromium: { executablePath(): string } };
        return core.chromium.executablePath();
      } catch {
        return undefined;
      }
    },
    run: (command, args, env) => {
      const r = spawnSync(command, args, { env: env ?? process.env, encoding: 'utf8', timeout: 15 * 60_000, maxBuffer: 64 * 1024 * 1024 });
      return { ok: r.status === 0, output: `${r.stderr ?? ''}\n${r.stdout ?? ''}\n${r.error?.message ?? ''}` };
    },
    isRoot: process.getuid?.() === 0,
  };
}
