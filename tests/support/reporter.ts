// The run summary reporter driven without a Playwright run: stand-in config, suite, tests and results.
import type { FullConfig, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import LlmReplayReporter from '../../src/reporter.js';
import { CALLS_ATTACHMENT, type CallsAttachment } from '../../src/reporter-data.js';

/** Runs `reporter` over the tests' results, in order: what it printed and the status its onEnd gave. */
export async function drive(reporter: LlmReplayReporter, config: FullConfig, suite: Suite, ...runs: [TestCase, TestResult][]) {
  const printed: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => printed.push(args.join(' '));
  try {
    reporter.onBegin(config, suite);
    for (const [test, result] of runs) reporter.onTestEnd(test, result);
    const status = await reporter.onEnd({ status: 'passed' } as Parameters<LlmReplayReporter['onEnd']>[0]);
    await reporter.onExit();
    return { text: printed.join('\n'), status };
  } finally {
    console.log = log;
  }
}

/** A complete `playwright test` run's config over one recordings root; the reporter's last-run file goes to `outputDir`. */
export const testRun = (root: string, outputDir: string) => ({ argv: ['node', 'playwright', 'test'], rootDir: outputDir, configFile: '', projects: [{ name: '', use: { llmDir: root }, outputDir }] }) as unknown as FullConfig;

/** A test that passed, in repetition `repeatEachIndex` of the run, and its result carrying `data` as its llm-calls.json. */
export function passed(title: string, repeatEachIndex: number, data: CallsAttachment): [TestCase, TestResult] {
  const test = { outcome: () => 'expected', title, repeatEachIndex } as unknown as TestCase;
  return [test, { attachments: [{ name: CALLS_ATTACHMENT, contentType: 'application/json', body: Buffer.from(JSON.stringify(data)) }] } as unknown as TestResult];
}

/** The suite of those tests. */
export const suiteOf = (runs: [TestCase, TestResult][]) => ({ allTests: () => runs.map(([t]) => t) }) as unknown as Suite;
