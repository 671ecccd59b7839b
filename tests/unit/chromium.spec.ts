// Finding or installing Chromium (src/chromium.ts), on a pretend machine: the order of the search,
// that nothing runs when a browser is there, and the one message when there is no way to get one.
import { test, expect } from '@playwright/test';
import { type Machine, CHROMIUM_ENV, ensureChromium, findChromium } from 'playwright-llm-replay/chromium';

interface Pretend {
  files?: string[];
  onPath?: Record<string, string>;
  env?: Record<string, string>;
  isRoot?: boolean;
  /** What each command does: installs files on success, or fails with a message. */
  commands?: Record<string, { installs?: string[]; onPath?: Record<string, string>; fails?: string }>;
}

const OWN = '/home/u/.cache/ms-playwright/chromium-1255/chrome-linux64/chrome';

function pretend(p: Pretend): Machine & { ran: string[] } {
  const files = new Set(p.files ?? []);
  const onPath = { ...p.onPath };
  const ran: string[] = [];
  return {
    ran,
    env: p.env ?? {},
    exists: (f) => files.has(f),
    which: (name) => onPath[name],
    playwrightChromium: () => OWN,
    isRoot: p.isRoot ?? false,
    run: (command, args) => {
      const line = [command.endsWith('node') || command === process.execPath ? 'node' : command, ...args.filter((a) => !a.endsWith('cli.js'))].join(' ');
      ran.push(line);
      const key = Object.keys(p.commands ?? {}).find((k) => line.includes(k));
      const effect = key ? p.commands![key] : { fails: `${line}: command failed` };
      if (effect.fails) return { ok: false, output: `something\nError: ${effect.fails}\n` };
      for (const f of effect.installs ?? []) files.add(f);
      Object.assign(onPath, effect.onPath);
      return { ok: true, output: '' };
    },
  };
}

test('an explicit LLM_REPLAY_CHROMIUM wins, and a wrong one is named', () => {
  const m = pretend({ files: ['/opt/chrome', OWN], env: { [CHROMIUM_ENV]: '/opt/chrome' } });
  expect(findChromium(m)).toEqual({ path: '/opt/chrome', how: 'env' });
  expect(() => findChromium(pretend({ env: { [CHROMIUM_ENV]: '/nope' } }))).toThrow(`${CHROMIUM_ENV} is /nope, which does not exist`);
});

test("Playwright's own Chromium comes before a system one", () => {
  const m = pretend({ files: [OWN], onPath: { chromium: '/usr/bin/chromium' } });
  expect(findChromium(m)).toEqual({ path: OWN, how: 'playwright' });
});

test('a system chromium or chromium-browser is used when Playwright has none', () => {
  expect(findChromium(pretend({ onPath: { chromium: '/usr/bin/chromium' } }))).toEqual({ path: '/usr/bin/chromium', how: 'system' });
  expect(findChromium(pretend({ onPath: { 'chromium-browser': '/usr/bin/chromium-browser' } }))).toEqual({ path: '/usr/bin/chromium-browser', how: 'system' });
});

test('when a browser is there, nothing is installed and nothing is printed', () => {
  const m = pretend({ onPath: { chromium: '/usr/bin/chromium', 'apt-get': '/usr/bin/apt-get' }, isRoot: true });
  const log: string[] = [];
  expect(ensureChromium(m, (l) => log.push(l)).how).toBe('system');
  expect(m.ran).toEqual([]);
  expect(log).toEqual([]);
});

test('a bare machine first tries playwright install chromium', () => {
  const m = pretend({ onPath: { 'apt-get': '/usr/bin/apt-get' }, isRoot: true, commands: { 'install chromium': { installs: [OWN] } } });
  const log: string[] = [];
  expect(ensureChromium(m, (l) => log.push(l))).toEqual({ path: OWN, how: 'playwright install' });
  expect(m.ran).toEqual(['node install chromium']);
  expect(log).toHaveLength(1);
  expect(log[0]).toContain('npx playwright install chromium');
});

test("when Playwright cannot download, root with apt-get installs Debian's chromium", () => {
  const m = pretend({
    onPath: { 'apt-get': '/usr/bin/apt-get' },
    isRoot: true,
    commands: { 'node install chromium': { fails: 'getaddrinfo ENOTFOUND cdn.playwright.dev' }, 'apt-get update': {}, 'apt-get install': { onPath: { chromium: '/usr/bin/chromium' } } },
  });
  const log: string[] = [];
  expect(ensureChromium(m, (l) => log.push(l))).toEqual({ path: '/usr/bin/chromium', how: 'apt-get' });
  expect(m.ran).toEqual(['node install chromium', 'apt-get update -qq', 'apt-get install -y -qq chromium']);
  expect(log).toHaveLength(1);
  expect(log[0]).toContain('apt-get');
});

test('no browser and no way to get one: one error naming what was tried and what to run', () => {
  const m = pretend({ onPath: { 'apt-get': '/usr/bin/apt-get' }, isRoot: false, commands: { 'install chromium': { fails: 'getaddrinfo ENOTFOUND cdn.playwright.dev' } } });
  let error: Error | undefined;
  try {
    ensureChromium(m, () => {});
  } catch (e) {
    error = e as Error;
  }
  expect(error?.message).toContain('no Chromium for the browser tests');
  expect(error?.message).toContain('ENOTFOUND cdn.playwright.dev');
  expect(error?.message).toContain('apt-get (not root)');
  expect(error?.message).toContain('sudo apt-get install -y chromium');
  expect(error?.message).toContain(`export ${CHROMIUM_ENV}=`);
  expect(m.ran).toEqual(['node install chromium']);
});

test('a failing apt-get is reported, not hidden', () => {
  const m = pretend({
    onPath: { 'apt-get': '/usr/bin/apt-get' },
    isRoot: true,
    commands: { 'node install chromium': { fails: 'ENOTFOUND' }, 'apt-get update': { fails: 'E: Could not resolve deb.debian.org' } },
  });
  expect(() => ensureChromium(m, () => {})).toThrow(/apt-get install chromium` \(failed: Error: E: Could not resolve deb.debian.org\)/);
  expect(m.ran).toEqual(['node install chromium', 'apt-get update -qq']);
});
