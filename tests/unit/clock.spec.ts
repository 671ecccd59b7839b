// The test's clock in Node (llm.clock): installed as Playwright's is, shared with the app's server
// through its state, and let go at the test's end.
import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { SharedClock, TestClock } from '../../src/core/clock.js';
import { TestChannel } from '../../src/core/run/channel.js';

test('any method installs the clock, as Playwright’s clock does, and shares its state', async () => {
  for (const call of [(c: TestClock) => c.pauseAt(1000), (c: TestClock) => c.runFor(10), (c: TestClock) => c.fastForward(10), (c: TestClock) => c.resume(), (c: TestClock) => c.setFixedTime(5), (c: TestClock) => c.setSystemTime(5)]) {
    const clock = new TestClock();
    const shared: unknown[] = [];
    clock.onChange((s) => shared.push(s));
    await call(clock);
    expect(clock.installed, String(call)).toBe(true);
    expect(shared.length, String(call)).toBeGreaterThan(0);
  }
});

test('released at the test’s end, a paused clock holds no wait: the ones waiting and the ones after', async () => {
  const clock = new TestClock();
  await clock.install({ time: 0 });
  await clock.pauseAt(1000);
  const woke: number[] = [];
  const first = clock.until(5000, () => {}).then(() => woke.push(1));
  clock.release();
  await first;
  await clock.until(9000, () => {});
  woke.push(2);
  expect(woke).toEqual([1, 2]);
});

test('the app server reads the clock only from a state of the right shape', async ({}, testInfo) => {
  const channel = TestChannel.create(`secret-${testInfo.testId}`);
  const file = channel.clockFile;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const clock = new SharedClock(() => channel.clock());
  expect(clock.installed).toBe(false); // no file
  fs.writeFileSync(file, JSON.stringify({ t: 'soon', running: true, since: 0 }));
  expect(clock.installed).toBe(false);
  fs.writeFileSync(file, '{"t": 5');
  expect(clock.installed).toBe(false);
  fs.writeFileSync(file, JSON.stringify({ t: 5000, running: false, since: 0 }));
  expect([clock.installed, clock.now()]).toEqual([true, 5000]);
  // A wait on a state it cannot read ends at once rather than polling for ever.
  fs.writeFileSync(file, JSON.stringify({ t: null, running: false, since: 0 }));
  await clock.until(9000, () => {});
});
