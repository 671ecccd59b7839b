// Options are checked by hand first (fast) and by zod when that says no (to name what is wrong):
// the two must agree, and a bad option is named with what it should be.
import { test, expect } from '@playwright/test';
import { DEFAULTS, Options, looksValid, resolveOptions } from '../../src/options.js';

const variants: Record<string, unknown>[] = [
  {},
  { llmDir: '' },
  { llmDir: 3 },
  { llmPace: -1 },
  { llmPace: Infinity },
  { llmPace: '1' },
  { llmUrls: ['http://x/**', /y/] },
  { llmUrls: [''] },
  { llmUrls: 'http://x/**' },
  { llmIgnore: ['a.b', () => ({})] },
  { llmIgnore: [3] },
  { llmRedact: { headers: ['x-a', /b/], paths: ['a.b'], values: [/c/] } },
  { llmRedact: { headers: [3] } },
  { llmRedact: { values: ['not a regexp'] } },
  { llmRedact: { other: [] } },
  { llmRedact: [] },
  { llmRedact: null },
];

test('the hand check agrees with the zod schema', () => {
  for (const v of variants) {
    const opts = { ...DEFAULTS, ...v } as never;
    expect(looksValid(opts), JSON.stringify(v, (_k, x) => (x instanceof RegExp ? String(x) : typeof x === 'function' ? '[fn]' : x))).toBe(Options.safeParse(opts).success);
  }
});

test('a bad option is named, with what it should be and what it got', () => {
  expect(() => resolveOptions({ llmPace: -1 }, { baseDir: '/tmp' })).toThrow(/llmPace: llmPace must be 0 \(no delays\), a positive speed factor \(1 = recorded timing\), or 'clock' .*\(got -1\)/);
  expect(() => resolveOptions({ llmPace: 'clok' as never }, { baseDir: '/tmp' })).toThrow(/llmPace: .*or 'clock'.*\(got "clok"\)/);
  expect(resolveOptions({ llmPace: 'clock' }, { baseDir: '/tmp' }).pace).toBe('clock');
  expect(() => resolveOptions({ llmRedact: { values: ['x'] } as never }, { baseDir: '/tmp' })).toThrow(/llmRedact\.values\.0: .*\(got "x"\)/);
});
