import { test, expect } from '@playwright/test';
import { resolveMode } from '../../src/core/mode.js';

test('auto follows --update-snapshots, and replays only when CI is set', () => {
  expect(resolveMode({ updateSnapshots: 'all' })).toBe('record');
  expect(resolveMode({ updateSnapshots: 'changed' })).toBe('record-missing');
  expect(resolveMode({ updateSnapshots: 'missing', ci: true })).toBe('record-missing');
  expect(resolveMode({ updateSnapshots: 'none' })).toBe('replay');
  expect(resolveMode({ updateSnapshots: 'default' })).toBe('record-missing');
  expect(resolveMode({ updateSnapshots: 'default', ci: true })).toBe('replay');
  expect(resolveMode({ updateSnapshots: 'all', ci: true })).toBe('record');
});

test('LLM_REPLAY_MODE beats llmMode, which beats auto', () => {
  expect(resolveMode({ option: 'passthrough', updateSnapshots: 'all' })).toBe('passthrough');
  expect(resolveMode({ env: 'replay', option: 'record', updateSnapshots: 'all' })).toBe('replay');
  expect(resolveMode({ env: 'auto', option: 'record', ci: true })).toBe('replay');
});

test('an unknown mode is an error that lists the valid ones', () => {
  expect(() => resolveMode({ option: 'recrod' as never })).toThrow(`llmMode is "recrod"; it must be one of 'auto', 'replay', 'record-missing', 'record', 'passthrough'.`);
  expect(() => resolveMode({ env: 'yes' })).toThrow(/LLM_REPLAY_MODE is "yes"/);
});
