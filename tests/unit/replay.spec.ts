// The waits of a paced replay: the recorded gaps, scaled by the pace.
import { test, expect } from '@playwright/test';
import { delays } from '../../src/core/replay.js';

test('pace 0 never waits; pace 1 waits the recorded gaps; pace 2 half of them, 0.5 twice', () => {
  const times = [5, 30, 30, 100, 90, 120];
  expect(delays(times, 0)).toEqual([0, 0, 0, 0, 0, 0]);
  expect(delays(times, 1)).toEqual([5, 25, 0, 70, 0, 20]); // a time going backwards waits nothing, and is not counted again
  expect(delays(times, 2)).toEqual([2.5, 12.5, 0, 35, 0, 10]);
  expect(delays(times, 0.5)).toEqual([10, 50, 0, 140, 0, 40]);
});
