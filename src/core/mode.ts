import { LlmOptionError } from './errors.js';

export const MODES = ['auto', 'replay', 'record-missing', 'record', 'passthrough'] as const;
export type LlmMode = (typeof MODES)[number];
export type Mode = Exclude<LlmMode, 'auto'>;

export function checkMode(value: unknown, where: string): LlmMode {
  if (typeof value === 'string' && (MODES as readonly string[]).includes(value)) return value as LlmMode;
  throw new LlmOptionError(`${where} is ${JSON.stringify(value)}; it must be one of ${MODES.map((m) => `'${m}'`).join(', ')}.`);
}

/**
 * The mode a call runs in. `LLM_REPLAY_MODE` beats the `llmMode` option; `auto` follows
 * Playwright's --update-snapshots: `all` records everything again, `changed`/`missing` record
 * what is missing, `none` only replays, and without the flag misses are recorded locally but
 * never when CI is set.
 */
export function resolveMode(input: { env?: string; option?: LlmMode; updateSnapshots?: string; ci?: boolean }): Mode {
  const chosen = input.env ? checkMode(input.env, 'LLM_REPLAY_MODE') : checkMode(input.option ?? 'auto', 'llmMode');
  if (chosen !== 'auto') return chosen;
  switch (input.updateSnapshots) {
    case 'all':
      return 'record';
    case 'changed':
    case 'missing':
      return 'record-missing';
    case 'none':
      return 'replay';
    default:
      return input.ci ? 'replay' : 'record-missing';
  }
}

export const isCI = (env: NodeJS.ProcessEnv = process.env): boolean => !!env.CI && env.CI !== 'false' && env.CI !== '0';
