// The run summary reporter in a run that no command line describes (an editor's or UI mode's):
// it cannot know which tests were left out, so it calls no recording unused.
import fs from 'node:fs';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import type { FullConfig, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import LlmReplayReporter from '../../src/reporter.js';
import { CALLS_ATTACHMENT, type CallsAttachment } from '../../src/reporter-data.js';

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
  const reporter = new LlmReplayReporter({ failOnUnused: true });
  const printed: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => printed.push(args.join(' '));
  try {
    reporter.onBegin(config, suite);
    reporter.onTestEnd(ran, result);
    expect(await reporter.onEnd({ status: 'passed' } as Parameters<LlmReplayReporter['onEnd']>[0])).toBeUndefined();
    await reporter.onExit();
  } finally {
    console.log = log;
  }
  return printed.join('\n');
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
