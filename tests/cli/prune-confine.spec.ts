// `prune --yes` deletes what the last run's verdict lists, and the verdict is a file anyone can edit:
// it removes only files inside the recordings folders the run named. A verdict that lists anything
// else (`../x`, an absolute path elsewhere, a path through a symlink that leads out) is refused
// whole, with a message that says so, and nothing is removed, inside or out.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { test, expect } from '@playwright/test';
import { fromRoot } from '../support/paths.js';

const LAST_RUN_FILE = '.llm-replay-last-run.json';
const recording = fs.readFileSync(fromRoot('fixtures/llm/examples/chat.spec.ts/calls-a-tool/chat-completions.77f80bfb83c1.json'));

/** A recordings root with one unused recording, files outside it, a folder symlink that leads out, and the CLI run from a folder beside it. */
function layout(testInfo: { outputPath(...p: string[]): string }) {
  const base = testInfo.outputPath('prune');
  const root = path.join(base, 'llm');
  const outside = path.join(base, 'outside');
  const cwd = path.join(base, 'cwd');
  const unused = path.join(root, 'old.spec.ts', 'gone', 'chat-completions.77f80bfb83c1.json');
  const files = {
    unused,
    outsideAbs: path.join(outside, 'chat-completions.000000000000.json'),
    beside: path.join(base, 'beside.json'),
    throughLink: path.join(outside, 'victim.json'),
    linkTarget: path.join(outside, 'target.json'),
  };
  for (const f of Object.values(files)) {
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, recording);
  }
  fs.mkdirSync(cwd, { recursive: true });
  // A folder inside the root that is a symlink to the outside folder.
  fs.symlinkSync(outside, path.join(root, 'linked'), 'dir');
  // All written well before the run, so that none counts as changed since.
  const old = new Date(Date.now() - 3_600_000);
  for (const f of Object.values(files)) fs.utimesSync(f, old, old);
  const results = path.join(base, 'results');
  fs.mkdirSync(results, { recursive: true });
  const verdict = (unusedList: string[]) =>
    fs.writeFileSync(path.join(results, LAST_RUN_FILE), JSON.stringify({ version: 1, at: new Date().toISOString(), incomplete: [], roots: [root], unused: unusedList, written: [] }));
  const prune = (...args: string[]) => spawnSync(process.execPath, [fromRoot('dist/cli.js'), 'prune', '--results', results, ...args], { encoding: 'utf8', cwd });
  const exist = () => Object.fromEntries(Object.entries(files).map(([k, f]) => [k, fs.existsSync(f)]));
  return { base, root, outside, cwd, files, verdict, prune, exist };
}

const allThere = { unused: true, outsideAbs: true, beside: true, throughLink: true, linkTarget: true };

const OUTSIDERS: [string, (l: ReturnType<typeof layout>) => string][] = [
  ['a relative path leading up', () => '../beside.json'],
  ['a path with .. inside the root', (l) => path.join(l.root, '..', 'beside.json')],
  ['an absolute path elsewhere', (l) => l.files.outsideAbs],
  ['a path through a symlink that leads out', (l) => path.join(l.root, 'linked', 'victim.json')],
];

for (const [what, outsider] of OUTSIDERS) {
  test(`prune refuses a verdict that lists ${what}, and removes nothing`, ({}, testInfo) => {
    const l = layout(testInfo);
    const listed = outsider(l);
    l.verdict([l.files.unused, listed]);
    for (const args of [['--yes'], []]) {
      const out = l.prune(...args);
      // Nothing outside is touched, nor the recording inside that the same verdict lists.
      expect(l.exist(), `${out.stdout}${out.stderr}`).toEqual(allThere);
      expect(out.status, `${out.stdout}${out.stderr}`).toBe(1);
      expect(out.stderr).toContain(`playwright-llm-replay: the run summary ${path.relative(l.cwd, path.join(l.base, 'results', LAST_RUN_FILE))} lists ${listed}, which is not inside the recordings folders of the run (${l.root})`);
      expect(out.stderr).toContain('Nothing removed. Run the whole suite again');
      expect(out.stdout).toBe('');
    }
  });
}

test('prune --yes removes an unused recording inside the root, and the folders it leaves empty', ({}, testInfo) => {
  const l = layout(testInfo);
  l.verdict([l.files.unused]);
  const out = l.prune('--yes');
  expect(out.status, out.stderr).toBe(0);
  expect(out.stdout).toContain('1 unused recording removed.');
  expect(l.exist()).toEqual({ ...allThere, unused: false });
  expect(fs.existsSync(path.join(l.root, 'old.spec.ts'))).toBe(false);
  expect(fs.existsSync(path.join(l.root, 'linked'))).toBe(true);
});

test('a recording that is a symlink to a file outside: prune removes the link, not what it points to', ({}, testInfo) => {
  const l = layout(testInfo);
  const link = path.join(l.root, 'old.spec.ts', 'gone', 'chat-completions.111111111111.json');
  fs.symlinkSync(l.files.linkTarget, link);
  l.verdict([link]);
  const out = l.prune('--yes');
  expect(out.status, out.stderr).toBe(0);
  expect(out.stdout).toContain('1 unused recording removed.');
  expect(fs.existsSync(link)).toBe(false);
  expect(l.exist()).toEqual(allThere);
});

test('a verdict without its lists is refused as damaged', ({}, testInfo) => {
  const l = layout(testInfo);
  fs.writeFileSync(path.join(l.base, 'results', LAST_RUN_FILE), JSON.stringify({ version: 1, at: new Date().toISOString(), incomplete: [], roots: l.root, unused: l.files.outsideAbs }));
  const out = l.prune('--yes');
  expect(out.status).toBe(1);
  expect(out.stderr).toContain('is damaged (no list of roots and unused recordings). Run the whole suite again');
  expect(l.exist()).toEqual(allThere);
});
