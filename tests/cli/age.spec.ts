// How old recordings are, through the bin: `ls` shows each one's age, `verify --older-than` names
// the ones recorded longer ago (exit 1) and lists apart those of unknown age. Ages come from the
// files' recorded_at, written relative to now: the test depends on no particular time of day.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { test, expect } from '@playwright/test';
import { fromRoot } from '../support/paths.js';

const bin = JSON.parse(fs.readFileSync(fromRoot('package.json'), 'utf8')).bin['playwright-llm-replay'];
const cli = (...args: string[]) => spawnSync(process.execPath, [fromRoot(bin), ...args], { encoding: 'utf8', cwd: fromRoot() });
const DAY = 24 * 3_600_000;

/** A folder of three committed recordings: one recorded now, one `days` days ago, one with no recorded_at. */
function folder(testInfo: { outputPath(...p: string[]): string }, days: number | undefined) {
  const root = testInfo.outputPath('llm');
  const copy = (test: string, recordedAt?: string) => {
    const from = fromRoot('fixtures/llm/examples/chat.spec.ts', test);
    const name = fs.readdirSync(from).find((f) => f.endsWith('.json'))!;
    const file = path.join(root, test, name);
    const x = JSON.parse(fs.readFileSync(path.join(from, name), 'utf8'));
    delete x.recorded_at;
    if (recordedAt) x.recorded_at = recordedAt;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(x, null, 2) + '\n');
    return { file, shown: path.relative(fromRoot(), file), recordedAt };
  };
  const fresh = copy('calls-a-tool', new Date().toISOString());
  const unknown = copy('keeps-the-conversation-history-across-turns');
  const old = days === undefined ? undefined : copy('streams-an-answer-token-by-token', new Date(Date.now() - days * DAY).toISOString());
  return { root, fresh, unknown, old };
}

/** Every file under `dir` and its text. */
const contents = (dir: string) => Object.fromEntries(fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort().map((f) => [f, fs.statSync(path.join(dir, f)).isFile() ? fs.readFileSync(path.join(dir, f), 'utf8') : '']));

test('verify --older-than passes fresh recordings, lists those of unknown age apart, and fails naming one recorded 100 days ago', ({}, testInfo) => {
  const { root, fresh, unknown } = folder(testInfo, undefined);
  const pass = cli('verify', '--dir', root, '--older-than', '30d');
  expect(pass.status, pass.stdout + pass.stderr).toBe(0);
  expect(pass.stdout).toContain(`1 recording of unknown age (no recorded_at; recorded before it was kept, or imported), not counted as old:\n  ${unknown.shown}\n`);
  expect(pass.stdout).toContain('2 recordings checked: all good.');
  expect(pass.stdout).not.toContain(fresh.shown);

  const { old } = folder(testInfo, 100);
  const fail = cli('verify', '--dir', root, '--older-than', '30d');
  expect(fail.status, fail.stdout + fail.stderr).toBe(1);
  expect(fail.stdout).toContain(`${old!.shown}: recorded ${old!.recordedAt}, 100 days ago (older than 30d); record it again: LLM_REPLAY_MODE=record npx playwright test\n`);
  expect(fail.stdout).toContain('3 recordings checked: 1 problem (1 older than 30d).');
  expect(fail.stdout).not.toContain(`${fresh.shown}:`);
  expect(fail.stdout).toContain(`not counted as old:\n  ${unknown.shown}\n`);
  // A longer age lets it pass; without --older-than age is not checked.
  expect(cli('verify', '--dir', root, '--older-than', '15w').status).toBe(0);
  expect(cli('verify', '--dir', root).stdout).not.toContain('unknown age');
});

test('ls shows when each recording was recorded and how long ago, show its time; a file without recorded_at is of unknown age', ({}, testInfo) => {
  const { root, fresh, unknown, old } = folder(testInfo, 100);
  const out = cli('ls', '--dir', root);
  expect(out.status, out.stderr).toBe(0);
  const line = (file: string) => out.stdout.split('\n').find((l) => l.includes(path.basename(file)))!;
  const minute = (iso: string) => iso.slice(0, 16).replace('T', ' ');
  expect(line(old!.file)).toMatch(new RegExp(` {2}streamed {2}\\d+\\.\\d KB {2}recorded ${minute(old!.recordedAt!)} \\(100 days ago\\)$`));
  expect(line(fresh.file)).toMatch(new RegExp(`recorded ${minute(fresh.recordedAt!)} \\(under an hour ago\\)$`));
  expect(line(unknown.file)).toMatch(/ {2}written \d{4}-\d{2}-\d{2} \d{2}:\d{2} \(age unknown: no recorded_at\)$/);
  // show gives the exact time.
  expect(cli('show', old!.file).stdout.split('\n')[0]).toBe(`test: examples/chat.spec.ts > streams an answer token by token · status 200 · recorded ${old!.recordedAt}`);
  expect(cli('show', unknown.file).stdout.split('\n')[0]).not.toContain('recorded');
});

test('a malformed --older-than is one clear line, exit 2, and no file changes', ({}, testInfo) => {
  const { root } = folder(testInfo, 100);
  const before = contents(root);
  for (const bad of ['30', '30x', '30m', '-3d', '1.5d', '0d']) {
    const out = cli('verify', '--dir', root, '--older-than', bad, '--fix');
    expect(out.status, bad).toBe(2);
    expect(out.stdout, bad).toBe('');
    expect(out.stderr, bad).toContain(`error: option '--older-than <age>' argument '${bad}' is invalid. --older-than takes an age: a whole number above 0 and a unit, h (hours), d (days) or w (weeks), e.g. 90d, 12h, 2w; got "${bad}".`);
  }
  expect(contents(root)).toEqual(before);
});
