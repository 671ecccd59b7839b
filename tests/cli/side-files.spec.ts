// The command line on recordings whose binary answers sit in side files: ls and show name the side
// file and its size, verify checks each one (missing, changed) and finds the ones no recording points
// at, prune takes a recording's side file along unless another recording still points at it.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { test, expect } from '@playwright/test';
import { Recordings } from '../../src/core/recordings/recordings.js';
import { Shelf } from '../../src/core/recordings/shelf.js';
import type { Interaction } from '../../src/core/recording.js';
import { fromRoot } from '../support/paths.js';

const cli = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [fromRoot('dist/cli.js'), ...args], { encoding: 'utf8', cwd });

const AUDIO = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 131) & 0xff));
const OTHER = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 137 + 1) & 0xff));

/** A recordings root with one test folder (or `folder`): speech answers `a` and `b` (the same bytes, one side file) and `c` (its own). */
function recorded(testInfo: { outputPath(...p: string[]): string }, folder = 'speech.spec.ts/speaks') {
  const root = testInfo.outputPath('llm');
  const shelf = new Shelf(new Recordings({ root, urls: [], ignore: [], redact: {} }), 'record', { folder, title: 'speech.spec.ts > speaks', location: 'speech.spec.ts:1' });
  const speech = (input: string, bytes: Buffer): Interaction => ({
    request: shelf.recordings.describe({ method: 'POST', url: 'https://api.openai.com/v1/audio/speech', headers: [['content-type', 'application/json']], body: Buffer.from(JSON.stringify({ model: 'tts-1', voice: 'alloy', input })) }),
    response: { status: 200, headers: { 'content-type': 'audio/mpeg' }, framing: 'binary', body: bytes, chunks: [{ t: 0, size: 40_000 }, { t: 120, size: 60_000 }] },
    occurrence: 0,
    test: shelf.test!.title,
  });
  const [a, b, c] = [shelf.save(speech('a', AUDIO)), shelf.save(speech('b', AUDIO)), shelf.save(speech('c', OTHER))];
  const sideOf = (f: string) => path.join(path.dirname(a), JSON.parse(fs.readFileSync(f, 'utf8')).response.body.file);
  return { root, folder: path.dirname(a), a, b, c, shared: sideOf(a), own: sideOf(c) };
}

test('ls lists each recording once, with its side file and its size; show names the side file', ({}, testInfo) => {
  const r = recorded(testInfo);
  expect(r.shared).toBe(path.join(r.folder, JSON.parse(fs.readFileSync(r.b, 'utf8')).response.body.file));
  const out = cli(r.root, 'ls', '--dir', r.root);
  expect(out.status, out.stderr).toBe(0);
  const lines = out.stdout.split('\n');
  expect(lines[0]).toBe('speech.spec.ts/speaks/');
  const entry = (file: string, side: string) => {
    const at = lines.findIndex((l) => l.includes(path.basename(file)));
    expect(lines[at]).toMatch(/POST \/v1\/audio\/speech {2}tts-1 {2}binary {2}\d+ B/);
    expect(lines[at + 1].trim()).toBe(`+ side file ${path.basename(side)}  97.7 KB`);
  };
  entry(r.a, r.shared);
  entry(r.b, r.shared);
  entry(r.c, r.own);
  // Three recordings, each with its side file line, and no side file taken for a recording.
  expect(lines.filter((l) => l.includes('.json'))).toHaveLength(3);
  expect(lines.filter((l) => l.includes('+ side file'))).toHaveLength(3);

  const show = cli(r.root, 'show', r.c);
  expect(show.status, show.stderr).toBe(0);
  expect(show.stdout).toContain(`   body:     97.7 KB of audio/mpeg in the side file ${path.basename(r.own)}`);
  expect(show.stdout).toContain(`   2 chunks over 120 ms · ${path.relative(r.root, r.c)}`);
});

test('verify checks each side file: a missing or changed one is a problem naming it and its recording', ({}, testInfo) => {
  const r = recorded(testInfo);
  const good = cli(r.root, 'verify', '--dir', r.root);
  expect(good.status, good.stdout).toBe(0);
  expect(good.stdout).toContain('3 recordings and 2 side files checked: all good.');

  const changed = fs.readFileSync(r.own);
  changed[5] ^= 1;
  fs.writeFileSync(r.own, changed);
  fs.rmSync(r.shared);
  const bad = cli(r.root, 'verify', '--dir', r.root);
  expect(bad.status).toBe(1);
  for (const f of [r.a, r.b]) expect(bad.stdout).toContain(`${path.relative(r.root, f)}: keeps its response body in the side file ${r.shared}, which is missing.`);
  expect(bad.stdout).toContain(`${path.relative(r.root, r.c)}: keeps its response body in the side file ${r.own}, which has changed since it was recorded (now 100000 bytes, sha256 `);
  expect(bad.stdout).toContain('3 recordings and 1 side file checked: 3 problems.');
});

test('verify names a side file no recording points at; --fix removes it and leaves the others', ({}, testInfo) => {
  const r = recorded(testInfo);
  fs.rmSync(r.c);
  const orphan = cli(r.root, 'verify', '--dir', r.root);
  expect(orphan.status).toBe(1);
  expect(orphan.stdout).toContain(`${path.relative(r.root, r.own)}: a side file no recording points at (verify --fix removes it)`);
  expect(orphan.stdout).toContain('2 recordings and 2 side files checked: 1 problem.');
  expect(fs.existsSync(r.own)).toBe(true);
  const fixed = cli(r.root, 'verify', '--dir', r.root, '--fix');
  expect(fixed.status, fixed.stdout).toBe(0);
  expect(fixed.stdout).toContain(`removed ${path.relative(r.root, r.own)} (a side file no recording points at)`);
  expect(fs.existsSync(r.own)).toBe(false);
  expect(fs.existsSync(r.shared)).toBe(true);
  expect(cli(r.root, 'verify', '--dir', r.root).status).toBe(0);
});

test('prune takes a recording’s side file along, but never one another recording still points at', ({}, testInfo) => {
  const r = recorded(testInfo);
  const old = new Date(Date.now() - 3_600_000);
  for (const f of [r.a, r.b, r.c]) fs.utimesSync(f, old, old);
  const results = testInfo.outputPath('results');
  fs.mkdirSync(results, { recursive: true });
  fs.writeFileSync(path.join(results, '.llm-replay-last-run.json'), JSON.stringify({ version: 1, at: new Date().toISOString(), incomplete: [], roots: [r.root], unused: [r.a, r.c], written: [] }));
  const prune = (...args: string[]) => cli(r.root, 'prune', '--results', results, ...args);

  const listed = prune();
  expect(listed.status, listed.stderr).toBe(0);
  const lines = listed.stdout.trim().split('\n');
  expect(lines.slice(0, 3)).toEqual([`unused  ${path.relative(r.root, r.a)}`, `unused  ${path.relative(r.root, r.c)}`, `unused    + its side file ${path.basename(r.own)}`]);
  expect(lines.slice(3)).toEqual([expect.stringMatching(/^2 unused recordings \(from the run of .+\)\. Nothing removed: run with --yes to remove them\.$/)]);
  expect([r.a, r.b, r.c, r.shared, r.own].every((f) => fs.existsSync(f))).toBe(true);

  const removed = prune('--yes');
  expect(removed.status, removed.stderr).toBe(0);
  expect(removed.stdout).toContain(`removed    + its side file ${path.basename(r.own)}`);
  expect(removed.stdout).toContain('2 unused recordings removed.');
  expect(fs.readdirSync(r.folder).sort()).toEqual([path.basename(r.b), path.basename(r.shared)].sort());
  expect(cli(r.root, 'verify', '--dir', r.root).status).toBe(0);
});

test("an answer variant's side files sit in its @variant-k folder: ls lists them under the variant, verify finds them good", ({}, testInfo) => {
  const r = recorded(testInfo, 'speech.spec.ts/speaks/@variant-1');
  expect(path.dirname(r.own)).toBe(path.join(r.root, 'speech.spec.ts/speaks/@variant-1'));
  const good = cli(r.root, 'verify', '--dir', r.root);
  expect(good.status, good.stdout).toBe(0);
  expect(good.stdout).toContain('3 recordings and 2 side files checked: all good.');

  const lines = cli(r.root, 'ls', '--dir', r.root).stdout.split('\n');
  expect(lines.slice(0, 2)).toEqual(['speech.spec.ts/speaks/  answer variants 1', '  variant 1 (@variant-1/)']);
  const at = lines.findIndex((l) => l.includes(path.basename(r.c)));
  expect(lines[at]).toMatch(/^ {4}audio-speech\.[0-9a-f]{12}\.json +POST \/v1\/audio\/speech {2}tts-1 {2}binary/);
  expect(lines[at + 1]).toBe(`${' '.repeat(42)} + side file ${path.basename(r.own)}  97.7 KB`);
});
