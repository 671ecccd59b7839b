// Every benchmark still runs (tiny, BENCH_SMOKE=1) and ends with its ratio line. Nothing is timed here.
import { spawn } from 'node:child_process';
import { test, expect } from '@playwright/test';
import { fromRoot } from '../support/paths.js';
import { BENCHES } from '../../bench/run-all.mjs';

test.describe.configure({ mode: 'parallel' });

for (const bench of BENCHES) {
  test(`bench/${bench} runs`, async () => {
    test.slow(bench === 'page.mjs' || bench === 'cold-start.mjs');
    // As from a shell: without the test runner's NODE_OPTIONS (its loader) in the benchmark's processes.
    const { NODE_OPTIONS: _, ...env } = process.env;
    const child = spawn(process.execPath, ['--expose-gc', '--no-warnings', fromRoot('bench', bench)], { env: { ...env, BENCH_SMOKE: '1' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code, out).toBe(0);
    expect(out.trim().split('\n').at(-1)).toMatch(/^ratio .+: \d+\.\d\d× \(goal .+\)$/);
  });
}

test('bench/ab.mjs runs, a build against itself, every kind', async () => {
  test.slow(); // four child processes one after another
  const { NODE_OPTIONS: _, ...env } = process.env;
  for (const kind of ['fetch', 'openai', 'repeat', 'json']) {
    const child = spawn(process.execPath, ['--expose-gc', '--no-warnings', fromRoot('bench', 'ab.mjs'), fromRoot(), kind], { env: { ...env, BENCH_SMOKE: '1' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code, out).toBe(0);
    expect(out.trim().split('\n').at(-1)).toMatch(/^ratio this build \/ base build: \d+\.\d\d× \(goal .+\)$/);
  }
});

test('bench/zod-cost.mjs runs: the hand checks against zod, each way', async () => {
  test.slow(); // a fresh process per contender and measure
  const { NODE_OPTIONS: _, ...env } = process.env;
  const child = spawn(process.execPath, ['--no-warnings', fromRoot('bench', 'zod-cost.mjs')], { env: { ...env, BENCH_SMOKE: '1' } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  expect(code, out).toBe(0);
  for (const way of ['hand', 'zod jit', 'zod jitless']) expect(out).toMatch(new RegExp(`^${way} +options [\\d.]+ ms`, 'm'));
  expect(out.trim().split('\n').at(-1)).toMatch(/^ratio zod jitless \/ hand checks at a cold start: \d+\.\d\d× \(goal .+\)$/);
});
