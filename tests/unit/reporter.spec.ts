// The run summary reporter in a run that no command line describes (an editor's or UI mode's):
// it cannot know which tests were left out, so it calls no recording unused.
import fs from 'node:fs';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import type { FullConfig, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import LlmReplayReporter, { LAST_RUN_FILE, type LastRun } from '../../src/reporter.js';
import { CALLS_ATTACHMENT, type CallsAttachment } from '../../src/reporter-data.js';
import { LlmOptionError } from '../../src/core/errors.js';
import { parseRecording } from '../../src/core/recording.js';
import { describeCall } from '../../src/core/transcript.js';
import { drive, passed, suiteOf, testRun } from '../support/reporter.js';

test('a run without a command line is not complete: the gate passes and no recording is called unused', async ({}, testInfo) => {
  const root = testInfo.outputPath('llm');
  const used = path.join(root, 'a.spec.ts/ran/chat-completions.111111111111.json');
  const other = path.join(root, 'b.spec.ts/not-run/chat-completions.222222222222.json');
  for (const f of [used, other]) {
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, '{}');
  }
  const config = { argv: [], rootDir: testInfo.outputPath(), configFile: '', projects: [{ name: '', use: { llmDir: root }, outputDir: testInfo.outputPath('results') }] } as unknown as FullConfig;
  const ran = { outcome: () => 'expected' } as unknown as TestCase;
  const suite = { allTests: () => [ran] } as unknown as Suite;
  const calls: CallsAttachment = { version: 1, root, folder: path.dirname(used), mode: 'replay', calls: [{ outcome: 'replayed', file: used } as CallsAttachment['calls'][number]] };
  const result = { attachments: [{ name: CALLS_ATTACHMENT, contentType: 'application/json', body: Buffer.from(JSON.stringify(calls)) }] } as unknown as TestResult;

  const printed = await runReporter(config, suite, ran, result);
  expect(printed).toContain('unused recordings: not reported, this run was not complete (its command line is unknown: not a `playwright test` run)');
  expect(printed).not.toContain('b.spec.ts');
});

/** A run of one test through the reporter with failOnUnused (the gate must pass): what it printed. */
async function runReporter(config: FullConfig, suite: Suite, ran: TestCase, result: TestResult): Promise<string> {
  const { text, status } = await drive(new LlmReplayReporter({ failOnUnused: true }), config, suite, [ran, result]);
  expect(status).toBeUndefined();
  return text;
}

test('a side file is no unused recording; the recording written in the run is listed with its side file', async ({}, testInfo) => {
  const root = testInfo.outputPath('llm');
  const folder = path.join(root, 'a.spec.ts/speaks');
  const written = path.join(folder, 'audio-speech.111111111111.json');
  const side = path.join(folder, '0123456789abcdef.mp3');
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(written, '{}');
  fs.writeFileSync(side, Buffer.alloc(100 * 1024));
  const config = { argv: ['node', 'playwright', 'test'], rootDir: testInfo.outputPath(), configFile: '', projects: [{ name: '', use: { llmDir: root }, outputDir: testInfo.outputPath('results') }] } as unknown as FullConfig;
  const ran = { outcome: () => 'expected', title: 'speaks' } as unknown as TestCase;
  const suite = { allTests: () => [ran] } as unknown as Suite;
  const calls: CallsAttachment = { version: 1, root, folder, mode: 'record', calls: [{ outcome: 'recorded', file: written, sideFile: side } as CallsAttachment['calls'][number]] };
  const result = { attachments: [{ name: CALLS_ATTACHMENT, contentType: 'application/json', body: Buffer.from(JSON.stringify(calls)) }] } as unknown as TestResult;

  const text = await runReporter(config, suite, ran, result);
  expect(text).toContain(`  written in this run (1):\n    ${path.relative(process.cwd(), written)} + side file 0123456789abcdef.mp3 (100.0 KB)\n`);
  expect(text).toContain('  every recording under');
  expect(text).not.toContain('unused recordings (');
});

/** A run of one test that replayed `calls` through a reporter with `options`: what it printed and the status it returned. */
async function runWith(options: ConstructorParameters<typeof LlmReplayReporter>[0], root: string, outputDir: string, calls: CallsAttachment['calls']) {
  const config = { argv: ['node', 'playwright', 'test'], rootDir: outputDir, configFile: '', projects: [{ name: '', use: { llmDir: root }, outputDir }] } as unknown as FullConfig;
  const ran = { outcome: () => 'expected', title: 'ran' } as unknown as TestCase;
  const suite = { allTests: () => [ran] } as unknown as Suite;
  const data: CallsAttachment = { version: 1, root, folder: root, mode: 'replay', calls };
  const result = { attachments: [{ name: CALLS_ATTACHMENT, contentType: 'application/json', body: Buffer.from(JSON.stringify(data)) }] } as unknown as TestResult;
  return drive(new LlmReplayReporter(options), config, suite, [ran, result]);
}

test('maxAge names the old recordings a run replayed and lists those of unknown age apart; failOnOld fails the run', async ({}, testInfo) => {
  const root = testInfo.outputPath('llm');
  const day = 24 * 3_600_000;
  const file = (name: string) => {
    const f = path.join(root, 'a.spec.ts/ran', name);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, '{}');
    return f;
  };
  const old = { file: file('chat-completions.111111111111.json'), recordedAt: new Date(Date.now() - 100 * day).toISOString() };
  const fresh = { file: file('chat-completions.222222222222.json'), recordedAt: new Date().toISOString() };
  const unknown = { file: file('chat-completions.333333333333.json') };
  const calls = [old, fresh, unknown].map((c) => ({ outcome: 'replayed', ...c }) as CallsAttachment['calls'][number]);
  const rel = (f: string) => path.relative(process.cwd(), f);

  const warned = await runWith({ maxAge: '30d' }, root, testInfo.outputPath('results'), calls);
  expect(warned.status).toBeUndefined();
  expect(warned.text).toContain(`  old recordings (1) replayed in this run, recorded more than 30d ago (maxAge):\n    ${rel(old.file)}  recorded ${old.recordedAt}, 100 days ago\n`);
  expect(warned.text).toContain(`  recordings of unknown age (1) replayed in this run (no recorded_at: recorded before it was kept, or imported):\n    ${rel(unknown.file)}`);
  expect(warned.text).not.toContain(rel(fresh.file));
  expect(warned.text).not.toContain('failing the run');

  const failed = await runWith({ maxAge: '30d', failOnOld: true }, root, testInfo.outputPath('results'), calls);
  expect(failed.status).toEqual({ status: 'failed' });
  expect(failed.text).toContain('playwright-llm-replay: failing the run: 1 recording older than 30d replayed (failOnOld).');

  // Nothing older than maxAge: the gate passes, and says so.
  const passed = await runWith({ maxAge: '15w', failOnOld: true }, root, testInfo.outputPath('results'), calls);
  expect(passed.status).toBeUndefined();
  expect(passed.text).toContain('  no recording replayed in this run is older than 15w (maxAge)');
  // Without maxAge, ages are not looked at.
  expect((await runWith({}, root, testInfo.outputPath('results'), calls)).text).not.toMatch(/old recordings|unknown age|\(maxAge\)/);
});

test("the reporter's options are checked: a bad maxAge, failOnOld without maxAge, a wrong type are each named", () => {
  expect(() => new LlmReplayReporter({ maxAge: '90 days' })).toThrow(LlmOptionError);
  expect(() => new LlmReplayReporter({ maxAge: '90 days' })).toThrow('invalid option of the reporter playwright-llm-replay/reporter\n  - maxAge takes an age: a whole number above 0 and a unit, h (hours), d (days) or w (weeks), e.g. 90d, 12h, 2w; got "90 days".');
  expect(() => new LlmReplayReporter({ failOnOld: true })).toThrow("  - failOnOld: it fails on recordings older than maxAge, which is not set: add maxAge (e.g. '90d').");
  expect(() => new LlmReplayReporter({ maxAge: 90 } as never)).toThrow(/ {2}- maxAge: Invalid input: expected string, received number/);
  expect(() => new LlmReplayReporter({ failOnUnused: 'yes' } as never)).toThrow(/ {2}- failOnUnused: /);
  expect(() => new LlmReplayReporter({ maxAge: '2w', failOnOld: true, failOnUnused: false, llmDir: ['a'] })).not.toThrow();
});

test("each call a test reports carries its recording's recorded time, which the run summary reads", () => {
  const x = parseRecording(JSON.stringify({ request: { url: 'https://api.openai.com/v1/models' }, response: { is_streaming: false, body: [] }, recorded_at: '2026-08-24T11:15:04.000Z' }), 'm.json');
  const call = { id: '1', method: 'GET', url: 'https://api.openai.com/v1/models', outcome: 'replayed', where: 'worker', file: 'm.json' } as const;
  expect(describeCall(call, x).recordedAt).toBe('2026-08-24T11:15:04.000Z');
  expect(describeCall(call, { ...x, recordedAt: undefined })).not.toHaveProperty('recordedAt');
});

/** Empty recordings at `files` (relative to `root`): what the reporter looks for under llmDir. */
function place(root: string, ...files: string[]): string[] {
  return files.map((f) => {
    const file = path.join(root, f);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{}');
    return file;
  });
}

const replayed = (root: string, file: string, test: string, variant?: CallsAttachment['variant']): CallsAttachment => ({
  version: 1,
  root,
  folder: path.dirname(file),
  test,
  mode: 'replay',
  calls: [{ outcome: 'replayed', file } as CallsAttachment['calls'][number]],
  ...(variant && { variant }),
});

test('a plain run checks no answer variant past variant 0: they are not unused, not in the last-run file, and do not fail failOnUnused', async ({}, testInfo) => {
  const root = testInfo.outputPath('llm');
  const out = testInfo.outputPath('results');
  const [used, gone] = place(root, 'a.spec.ts/ran/chat-completions.111111111111.json', 'b.spec.ts/gone/chat-completions.222222222222.json');
  place(root, 'a.spec.ts/ran/@variant-1/chat-completions.111111111111.json', 'a.spec.ts/ran/@variant-2/chat-completions.333333333333.json');
  const runs = [passed('ran', 0, replayed(root, used, 'a.spec.ts > ran'))];
  const lastRun = () => JSON.parse(fs.readFileSync(path.join(out, LAST_RUN_FILE), 'utf8')) as LastRun;

  const strict = await drive(new LlmReplayReporter({ failOnUnused: true }), testRun(root, out), suiteOf(runs), ...runs);
  expect(strict.text).toContain(`  unused recordings (1), no test used them in this complete run:\n    ${path.relative(process.cwd(), gone)}\n`);
  expect(strict.text).not.toContain('@variant-');
  expect(strict.text).toContain('  2 recordings of answer variants this run did not repeat to (--repeat-each=3 runs them) were not checked');
  expect(strict.text).toContain('failing the run: 1 unused recording (failOnUnused).');
  expect(lastRun().unused).toEqual([gone]);

  // Without the unused one, the variants alone do not fail the gate.
  fs.rmSync(gone);
  const clean = await drive(new LlmReplayReporter({ failOnUnused: true }), testRun(root, out), suiteOf(runs), ...runs);
  expect(clean.status).toBeUndefined();
  expect(clean.text).toContain('  every recording under');
  expect(lastRun().unused).toEqual([]);
  // A plain run says nothing of variants served.
  expect(clean.text).not.toContain('answer variants (');
});

test('a run with --repeat-each checks the variants it repeated to, and says which tests were served a variant again', async ({}, testInfo) => {
  const root = testInfo.outputPath('llm');
  const [v0, v1, gone] = place(
    root,
    'a.spec.ts/ran/chat-completions.111111111111.json',
    'a.spec.ts/ran/@variant-1/chat-completions.111111111111.json',
    'b.spec.ts/other/@variant-1/chat-completions.222222222222.json',
    'a.spec.ts/ran/@variant-2/chat-completions.111111111111.json',
  );
  const [asks] = place(root, 'a.spec.ts/asks/chat-completions.444444444444.json');
  const runs = [
    passed('ran', 0, replayed(root, v0, 'a.spec.ts > ran', { served: 0, of: 3, repetition: 0 })),
    passed('ran', 1, replayed(root, v1, 'a.spec.ts > ran', { served: 1, of: 3, repetition: 1 })),
    passed('asks', 0, replayed(root, asks, 'a.spec.ts > asks', { served: 0, of: 1, repetition: 0 })),
    passed('asks', 1, replayed(root, asks, 'a.spec.ts > asks', { served: 0, of: 1, repetition: 1, cycled: true })),
  ];
  const { text } = await drive(new LlmReplayReporter(), testRun(root, testInfo.outputPath('results')), suiteOf(runs), ...runs);
  expect(text).toContain('  answer variants (--repeat-each=2): 1 test, each repetition its own variant; served again (fewer variants than repetitions): a.spec.ts > asks (1 variant)\n');
  // Variant 1 was run: one no test used is unused; variant 2 was not.
  expect(text).toContain(`  unused recordings (1), no test used them in this complete run:\n    ${path.relative(process.cwd(), gone)}\n`);
  expect(text).toContain('  1 recording of answer variants this run did not repeat to (--repeat-each=3 runs them) was not checked');
});

test('the variants line names five tests served a variant again, then how many more; a test with none recorded says so', async ({}, testInfo) => {
  const root = testInfo.outputPath('llm');
  const runs = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((t) => {
    const [file] = place(root, `x.spec.ts/${t}/chat-completions.111111111111.json`);
    return passed(t, 1, replayed(root, file, `x.spec.ts > ${t}`, { served: 0, of: t === 'a' ? 0 : 1, repetition: 1, cycled: true }));
  });
  const { text } = await drive(new LlmReplayReporter(), testRun(root, testInfo.outputPath('results')), suiteOf(runs), ...runs);
  expect(text).toContain(
    "  answer variants (--repeat-each=2): served again (fewer variants than repetitions): x.spec.ts > a (none recorded), x.spec.ts > b (1 variant), x.spec.ts > c (1 variant), x.spec.ts > d (1 variant), x.spec.ts > e (1 variant), and 2 more (each test's report says it)\n",
  );
});
