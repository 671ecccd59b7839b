// Answer variants: a model answers the same conversation differently from run to run, so a test may
// keep several recorded answers — one per repetition of `--repeat-each`. Variant 0 is the test's
// folder as it always was; variant k (k ≥ 1) is its subfolder `@variant-k` (a name no test title
// maps to). Repetition k of a run is served variant k; a plain run, variant 0. Which variant a
// repetition gets, and what is wrong when it cannot get one, is decided here.
import fs from 'node:fs';
import path from 'node:path';
import type { Mode } from './mode.js';

export const VARIANT_PREFIX = '@variant-';

/** The folder of variant `k` of a test whose folder is `folder` (both relative to llmDir, `/`-separated). */
export function variantFolder(folder: string, k: number): string {
  return k === 0 ? folder : `${folder}/${VARIANT_PREFIX}${k}`;
}

/** The variant a recording's path (relative to llmDir or absolute) belongs to: the k of its last `@variant-k` folder, else 0. */
export function variantOfPath(file: string): number {
  const parts = file.split(/[\\/]/).slice(0, -1);
  for (let i = parts.length - 1; i >= 0; i--) {
    const m = /^@variant-([1-9][0-9]{0,5})$/.exec(parts[i]);
    if (m) return Number(m[1]);
  }
  return 0;
}

/** The variants recorded for a test (absolute folder): 0 when its folder holds a recording, k for each `@variant-k` that does. Sorted. */
export function recordedVariants(testDir: string): number[] {
  let names: fs.Dirent[];
  try {
    names = fs.readdirSync(testDir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: number[] = [];
  if (names.some((d) => d.isFile() && d.name.endsWith('.json'))) out.push(0);
  for (const d of names) {
    const k = d.isDirectory() ? variantOfPath(`${d.name}/x`) : 0;
    if (k > 0 && holdsRecording(path.join(testDir, d.name))) out.push(k);
  }
  return out.sort((a, b) => a - b);
}

function holdsRecording(dir: string): boolean {
  try {
    return fs.readdirSync(dir).some((n) => n.endsWith('.json'));
  } catch {
    return false;
  }
}

/** What `llmVariants` says when a test has fewer recorded variants than the run's repetitions. */
export type VariantPolicy = 'cycle' | 'exact';

export interface VariantChoice {
  /** The variant this repetition is served (and records into). */
  variant: number;
  /** How many variants the test has recorded (0..of-1), when they are whole. */
  of: number;
  /** Set when the repetition gets another repetition's variant again: what to say, once. */
  cycled?: string;
  /** Set when the repetition cannot run: what is wrong and what to do. Nothing is served or written. */
  problem?: string;
}

export interface VariantAsk {
  /** This repetition (testInfo.repeatEachIndex) and the run's count (--repeat-each). */
  repetition: number;
  repeatEach: number;
  /** The variants recorded for the test (recordedVariants). */
  recorded: readonly number[];
  mode: Mode;
  policy: VariantPolicy;
  /** The test, as a person reads it, and the command that runs it (`tests/chat.spec.ts:12`). */
  title: string;
  location: string;
  /** The test's folder, as shown. */
  folder: string;
}

/**
 * The variant repetition k is served. Record mode records variant k. Otherwise variant k when it
 * is recorded; when the test has fewer, whole variants (0..n-1), variant k mod n again, said once
 * (or, with `exact`, a problem); variants with a gap cannot be cycled, and are a problem.
 */
export function chooseVariant(ask: VariantAsk): VariantChoice {
  const { repetition: k, recorded, mode } = ask;
  const whole = recorded.every((v, i) => v === i);
  const of = whole ? recorded.length : 0;
  if (mode === 'record' || mode === 'passthrough') return { variant: k, of: Math.max(of, k + 1) };
  if (recorded.includes(k)) return { variant: k, of: whole ? of : Math.max(...recorded) + 1 };
  const record = `LLM_REPLAY_MODE=record npx playwright test --repeat-each=${Math.max(ask.repeatEach, k + 1)} ${ask.location}`;
  if (!whole) {
    const missing = Array.from({ length: Math.max(...recorded) }, (_, i) => i).filter((i) => !recorded.includes(i));
    return {
      variant: k,
      of: 0,
      problem: `the test "${ask.title}" has recorded variants ${list(recorded)} but not ${list(missing)} (in ${ask.folder}), so repetition ${k} of --repeat-each=${ask.repeatEach} has no variant to replay. Record its variants again (${record}), or remove the ones after the gap. Nothing was replayed or written.`,
    };
  }
  if (of === 0) {
    // Nothing recorded: every repetition replays (or records into) variant 0, as a plain run does.
    if (k === 0) return { variant: 0, of: 0 };
    return {
      variant: 0,
      of: 0,
      cycled: `"${ask.title}" has no recorded variants; repetition ${k} of --repeat-each=${ask.repeatEach} is served variant 0, as the first is${mode === 'record-missing' ? ' (record-missing fills in variant 0 and records no new variants)' : ''}. To record ${ask.repeatEach} variants: ${record}`,
    };
  }
  const variant = k % of;
  const why = `"${ask.title}" has ${of} recorded variant${of === 1 ? '' : 's'}, fewer than --repeat-each=${ask.repeatEach}`;
  if (ask.policy === 'exact') {
    return { variant, of, problem: `repetition ${k}: ${why}, and llmVariants is 'exact'. Record its variants (${record}), or set llmVariants to 'cycle' to replay them again. Nothing was replayed or written.` };
  }
  return {
    variant,
    of,
    cycled: `${why}: repetitions past variant ${of - 1} are served them again, in turn${mode === 'record-missing' ? '; record-missing records no new variants' : ''}. To record ${ask.repeatEach}: ${record}`,
  };
}

function list(ns: readonly number[]): string {
  return ns.length === 1 ? String(ns[0]) : `${ns.slice(0, -1).join(', ')} and ${ns.at(-1)}`;
}
