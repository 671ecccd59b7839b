// Why a request found no recording in replay mode: where it looked, the closest recording and the
// fields that differ (with a hint for the ones that look volatile), and the command that records it.
import path from 'node:path';
import { variantOfPath } from '../variants.js';
import { differences, keyBody, looksVolatile } from '../key.js';
import type { Interaction } from '../recording.js';
import type { Redactor } from '../redact.js';
import { ReplayMissError } from '../errors.js';
import { isFilePart } from '../../wire/multipart.js';
import type { Recordings } from './recordings.js';
import type { TestRef } from './shelf.js';

/** The miss of `request`, looked up from `folder` (absolute) for `test` (or for no test). */
export function missError({ store, rules, redactor }: Recordings, request: Interaction['request'], folder: string, test?: TestRef): ReplayMissError {
  const lines = [
    `no recording for ${request.method} ${request.url}${request.model ? ` (model ${request.model})` : ''} in replay mode${test?.variant !== undefined ? `, in answer variant ${test.variant}` : ''}.`,
    test?.variant
      ? `  Looked in ${rel(folder)}${path.sep} (variant ${test.variant} replays its own answers, and shared ones) and everywhere under ${rel(store.root)}${path.sep} for shared ones`
      : `  Looked in ${rel(folder)}${path.sep} and everywhere under ${rel(store.root)}${path.sep}`,
  ];
  const candidates = store.candidates(folder, request.method, request.endpoint);
  const wanted = keyBody(request, rules, true);
  // A variant replays its own answers only: the same request in another variant of the test is no closer, and is said apart.
  const elsewhere = test?.variant !== undefined ? candidates.found.filter((f) => path.dirname(f.file) !== folder && variantOfPath(f.file) !== test.variant && f.interaction.test === test.title) : [];
  const found = candidates.found.filter((f) => !elsewhere.includes(f));
  const { unreadable } = candidates;
  // Fewest differing fields first; among those, the values nearest the ones asked for.
  const ranked = found
    .map((f) => {
      const diff = differences(keyBody(f.interaction.request, rules), wanted);
      return { f, diff, far: diff.reduce((sum, d) => sum + distance(d.recorded, d.wanted), 0) };
    })
    .sort((a, b) => a.diff.length - b.diff.length || a.far - b.far);
  if (ranked.length) {
    const { f, diff } = ranked[0];
    lines.push(`  Closest recording: ${rel(f.file)}`, `    body fields that differ: ${diff.slice(0, 8).map((d) => d.path).join(', ')}${diff.length > 8 ? `, … (${diff.length} in all)` : ''}`);
    for (const d of diff.slice(0, 8)) lines.push(`      ${d.path}: ${shown(redactor, d.wanted)} (recorded: ${shown(redactor, d.recorded)})`);
    const volatile = diff.filter((d) => looksVolatile(d.recorded) && looksVolatile(d.wanted));
    for (const entry of [...new Set(volatile.map((d) => d.ignore))]) {
      lines.push(`    ${entry} looks volatile (an id or a time that changes on every run): add '${entry}' to llmIgnore to leave it out of the match.`);
    }
  } else {
    lines.push(`  No recording of ${request.method} ${request.endpoint} exists yet.`);
  }
  const same = elsewhere.find((f) => differences(keyBody(f.interaction.request, rules), wanted).length === 0);
  if (same) lines.push(`  Variant ${variantOfPath(same.file)} of this test holds this very request (${rel(same.file)}), but variant ${test!.variant} replays its own answers only: a conversation stays whole within its variant.`);
  for (const err of unreadable.slice(0, 3)) lines.push(`  Note: ${err.detail}`);
  for (const m of [...store.misnamed.values()].slice(0, 3)) lines.push(`  Note: ${rel(m.file)} holds a different request than its name says (edited by hand?); rename it to ${path.basename(m.expected)}.`);
  const target = test ? ` ${test.location}` : '';
  // Record mode records every call of the test again and removes the ones it no longer makes: no stale file is left.
  // With variants it would record every variant anew: record-missing adds what each variant lacks, keeping the answers it has.
  if (test?.variant !== undefined) lines.push(`  To record it: LLM_REPLAY_MODE=record-missing npx playwright test${target} (records what each variant lacks, and keeps the answers they have; LLM_REPLAY_MODE=record records them all anew)`);
  else lines.push(`  To record it: LLM_REPLAY_MODE=record npx playwright test${target}`);
  return new ReplayMissError(lines.join('\n'));
}

/** A value as a miss message shows it: JSON, cut to about 80 characters, secrets replaced. */
export function shown(redactor: Redactor, v: unknown): string {
  if (v === undefined) return '(absent)';
  if (isFilePart(v)) return `file ${JSON.stringify(redactor.text(v.filename))} (${v.content_type}, ${v.size} bytes, sha256 ${v.sha256.slice(0, 16)}…)`;
  const text = redactor.text(JSON.stringify(v));
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

function rel(file: string): string {
  const r = path.relative(process.cwd(), file);
  return r && !r.startsWith('..') ? r : file;
}

/** How far apart two values are, roughly: for strings, the characters that differ outside a shared start and end. */
function distance(a: unknown, b: unknown): number {
  if (typeof a !== 'string' || typeof b !== 'string') return 1000;
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
  return Math.max(a.length, b.length) - start - end;
}
