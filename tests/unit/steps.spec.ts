// CallSteps on a stand-in for Playwright's TestInfo internals (_addStep, _steps, _parentStep): where
// a call's step goes, when it ends, and what it fails with. The JSON report of real runs is
// tests/fixture/steps.spec.ts.
import { test, expect } from '@playwright/test';
import { CallSteps } from '../../src/steps.js';
import { stepTitle } from '../../src/core/transcript.js';
import type { LlmCall } from '../../src/core/call.js';
import { PREFIX } from '../../src/core/errors.js';
import { Ledger } from '../../src/core/ledger.js';
import { TestChannel } from '../../src/core/run/channel.js';
import fs from 'node:fs';

interface FakeStep {
  title: string;
  category: string;
  group?: string;
  endWallTime?: number;
  steps: FakeStep[];
  stack?: { file: string; line: number; column: number }[];
  error?: Error;
  complete(r: { error?: Error }): void;
}

/** The parts of TestInfo CallSteps uses, keeping the steps as Playwright would (a parentless step goes where the zone says). */
class FakeInfo {
  file = '/p/a.spec.ts';
  line = 3;
  column = 1;
  _steps: FakeStep[] = [];
  /** Where a parentless step goes: the zone of the caller (for a page's route, a fixture long ended). */
  zoneStep?: FakeStep;
  _parentStep(): FakeStep | undefined {
    return this.zoneStep;
  }
  _addStep(data: { title: string; category: string; stack: FakeStep['stack'] }, parent?: FakeStep): FakeStep {
    const step: FakeStep = { ...data, steps: [], complete: (r) => ((step.endWallTime = 1), r.error && (step.error = r.error)) };
    (parent ?? this._parentStep())?.steps.push(step) ?? this._steps.push(step);
    return step;
  }
  step(title: string, category = 'test.step', into: FakeStep[] = this._steps, extra: Partial<FakeStep> = {}): FakeStep {
    const s: FakeStep = { title, category, steps: [], stack: [{ file: this.file, line: 10, column: 3 }], complete: () => (s.endWallTime = 1), ...extra };
    into.push(s);
    return s;
  }
}

const call = (over: Partial<LlmCall> = {}): LlmCall => ({ id: `c${Math.random()}`, method: 'POST', url: 'http://api.test/v1/chat/completions', model: 'gpt-4o-mini', outcome: 'pending', where: 'page', ...over });
const make = (info: FakeInfo) => CallSteps.for(info as never, (c) => `LLM ${c.outcome}`)!;

test('a call goes under the innermost running test.step — not an ended one, a grouped one, an expect, or another call', () => {
  const info = new FakeInfo();
  const steps = make(info);
  info.step('done', 'test.step', info._steps, { endWallTime: 5 });
  const outer = info.step('outer');
  const inner = info.step('inner', 'test.step', outer.steps);
  info.step('toHaveText', 'expect', inner.steps);
  info.step('boxed', 'fixture', inner.steps, { group: 'internal' });
  const recording = call();
  steps.saw(recording); // running, under inner
  steps.saw(call({ outcome: 'replayed' }), true); // not under the running recording step
  expect(inner.steps.map((s) => s.title)).toEqual(['toHaveText', 'boxed', 'LLM pending', 'LLM replayed']);
  expect(inner.steps[2].endWallTime).toBeUndefined();
  expect(inner.steps[3].endWallTime).toBe(1);
  // Its location is the step's that made it.
  expect(inner.steps[2].stack).toEqual(inner.stack);
});

test('a call made in a hook goes under it; a fault no call got, at the top even while the after-hooks run', () => {
  const info = new FakeInfo();
  const steps = make(info);
  const before = info.step('Before Hooks', 'hook');
  const each = info.step('beforeEach hook', 'hook', before.steps);
  steps.saw(call({ outcome: 'replayed' }), true);
  expect(each.steps.map((s) => s.title)).toEqual(['LLM replayed']);
  before.endWallTime = each.endWallTime = 2;
  info.step('After Hooks', 'hook');
  steps.failed('LLM fault not used', new Error('the fault got no call'));
  expect(info._steps.map((s) => s.title)).toEqual(['Before Hooks', 'After Hooks', 'LLM fault not used']);
});

test('with no test.step running, a call goes at the top, not under the zone of the route (a fixture long ended); the zone is left as it was', () => {
  const info = new FakeInfo();
  const fixture = info.step('Fixture "context"', 'fixture', info._steps, { endWallTime: 2 });
  info.zoneStep = fixture;
  const steps = make(info);
  steps.saw(call({ outcome: 'replayed' }), true);
  expect(info._steps.map((s) => s.title)).toEqual(['Fixture "context"', 'LLM replayed']);
  expect(fixture.steps).toEqual([]);
  expect(info._steps[1].stack).toEqual([{ file: '/p/a.spec.ts', line: 3, column: 1 }]);
  expect(Object.prototype.hasOwnProperty.call(info, '_parentStep')).toBe(false);
  expect(info._parentStep()).toBe(fixture);
});

test('a step ends when its call is answered, failed with the error about it, or the upstream failure; finish ends the rest', () => {
  const info = new FakeInfo();
  const steps = make(info);
  const missed = call({ outcome: 'missed' });
  steps.saw(missed);
  steps.error(missed.id, new Error('no recording for POST …'));
  steps.saw(missed, true);
  const failed = call();
  steps.saw(failed);
  failed.outcome = 'not-recorded';
  failed.reason = 'upstream answered 500; failed answers are not stored';
  steps.saw(failed, true);
  const passed = call({ outcome: 'passthrough', reason: 'upstream failed: ECONNREFUSED' });
  steps.saw(passed, true);
  const fine = call({ outcome: 'replayed' });
  steps.saw(fine, true);
  steps.saw(fine, true); // told twice: one step
  const stuck = call();
  steps.saw(stuck);
  const open = call({ outcome: 'recorded' });
  steps.saw(open);
  steps.finish(new Map([[stuck.id, new Error('was still being recorded 30 s after the test ended')]]));
  steps.failed('LLM fault not used', new Error('the fault { status: 500 } got no call'));
  steps.saw(call({ outcome: 'replayed' }), true); // after the end: no step
  // The messages are the plugin's, without its stack.
  expect(info._steps.filter((s) => s.error).every((s) => s.error!.message.startsWith(PREFIX))).toBe(true);
  expect(info._steps.map((s) => [s.title, s.endWallTime, s.error?.message.slice(PREFIX.length)])).toEqual([
    ['LLM missed', 1, 'no recording for POST …'],
    ['LLM pending', 1, 'not recorded: upstream answered 500; failed answers are not stored'],
    ['LLM passthrough', 1, 'upstream failed: ECONNREFUSED'],
    ['LLM replayed', 1, undefined],
    ['LLM pending', 1, 'was still being recorded 30 s after the test ended'],
    ['LLM recorded', 1, undefined],
    ['LLM fault not used', 1, 'the fault { status: 500 } got no call'],
  ]);
  // Under the name of the error it was (here a plain Error), with the message as its whole stack.
  expect(info._steps[0].error!.stack).toBe(`Error: ${PREFIX}no recording for POST …`);
});

test('a Playwright without _addStep gets no steps', () => {
  expect(CallSteps.for({} as never, () => '')).toBeUndefined();
});

test('a step title: what happened, where, the endpoint, model, chunks or frames or bytes, the fault, the file cut short', () => {
  const base = { id: '1', method: 'POST', url: 'http://x/v1/chat/completions', model: 'gpt-4o-mini', where: 'page' as const };
  const file = '/repo/fixtures/llm/a.spec.ts/asks/chat-completions.1f0c2a3b4c5d.json';
  expect(stepTitle({ ...base, outcome: 'replayed', chunks: 25, file }, { root: '/repo/fixtures/llm', base: '/repo' })).toBe(
    'LLM replayed · page · POST /v1/chat/completions · gpt-4o-mini · 25 chunks · fixtures/llm/…/chat-completions.1f0c….json',
  );
  expect(stepTitle({ ...base, outcome: 'replayed', file: file.replace('.json', '.2.json') }, { root: '/repo/fixtures/llm', base: '/repo' })).toMatch(/ · fixtures\/llm\/…\/chat-completions\.1f0c…\.2\.json$/);
  expect(stepTitle({ ...base, outcome: 'pending', where: 'server' })).toBe('LLM recording · app server · POST /v1/chat/completions · gpt-4o-mini');
  expect(stepTitle({ ...base, outcome: 'pending', where: 'proxy' }, { passthrough: true })).toBe('LLM passing through · proxy · POST /v1/chat/completions · gpt-4o-mini');
  expect(stepTitle({ ...base, outcome: 'replayed', chunks: 1, fault: '{ dropAfter: 3 }', where: 'worker' })).toBe('LLM replayed · worker · POST /v1/chat/completions · gpt-4o-mini · 1 chunk · fault: { dropAfter: 3 }');
  expect(stepTitle({ ...base, outcome: 'faulted', fault: '{ status: 429 }' })).toBe('LLM faulted · page · POST /v1/chat/completions · gpt-4o-mini · fault: { status: 429 }');
  expect(stepTitle({ ...base, method: 'GET', url: 'wss://x/v1/realtime', outcome: 'replayed', socket: { client: 2, server: 9 } })).toBe('LLM replayed · page · GET /v1/realtime · gpt-4o-mini · 11 frames');
  expect(stepTitle({ ...base, url: 'http://x/v1/audio/speech', outcome: 'replayed', bytes: { size: 2 * 1024 * 1024, type: 'audio/mpeg' }, chunks: 40 })).toBe('LLM replayed · page · POST /v1/audio/speech · gpt-4o-mini · 2.0 MB');
  expect(stepTitle({ ...base, outcome: 'recorded', file: '/elsewhere/x.json' }, { root: '/repo/fixtures/llm', base: '/repo' })).toBe('LLM recorded · page · POST /v1/chat/completions · gpt-4o-mini · ../elsewhere/x.json');
});

test('a ledger listener that throws reaches neither the call nor the process: the test fails with it, once', async () => {
  const ledger = new Ledger();
  const heard: string[] = [];
  ledger.on(() => {
    throw new Error('disk full');
  });
  ledger.on((e) => heard.push(e.type));
  const c = ledger.begin({ method: 'POST', url: 'http://api.test/v1/chat/completions' } as never, 'worker');
  await Promise.resolve();
  ledger.settle(c, { outcome: 'recorded' });
  ledger.answered(c);
  expect(heard).toEqual(['call', 'settled', 'answered']);
  expect(ledger.errors.map((e) => e.message)).toEqual([`${PREFIX}a listener to the test's LLM calls failed (disk full); what it reports (llm.calls of the app server, the calls' steps) may be incomplete.`]);
});

test("what the app server tells a test after it ended is dropped: the test's report is not made again", ({}, testInfo) => {
  const channel = TestChannel.create(`secret-${testInfo.testId}`);
  const report = channel.reporter();
  const c = call({ outcome: 'replayed' });
  report({ type: 'settled', call: c });
  expect(channel.report().calls).toEqual([c]);
  channel.close();
  report({ type: 'answered', call: c });
  expect(fs.existsSync(channel.reportFile)).toBe(false);
});
