// How old a recording is: the time it was recorded (`recorded_at`, an ISO time) against now, and
// the ages a user writes (`90d`, `12h`, `2w`) for `verify --older-than` and the reporter's maxAge.
import { LlmOptionError } from './errors.js';

const UNITS: Record<string, { ms: number; name: string }> = {
  h: { ms: 3_600_000, name: 'hour' },
  d: { ms: 86_400_000, name: 'day' },
  w: { ms: 7 * 86_400_000, name: 'week' },
};

/** `recorded_at`'s form: an ISO date and time with seconds (fractions optional), in UTC (Z) or with an offset. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** Whether `v` is an ISO time a recording may hold as `recorded_at`. */
export function isRecordedAt(v: unknown): v is string {
  return typeof v === 'string' && ISO_TIME.test(v) && !Number.isNaN(Date.parse(v));
}

/**
 * An age as a user writes it — a whole number of hours, days or weeks: `12h`, `90d`, `2w` — in ms.
 * Throws an LlmOptionError naming `what` and saying what is accepted.
 */
export function parseAge(value: string, what: string): number {
  const m = /^\s*(\d{1,6})\s*([hdw])\s*$/i.exec(value);
  if (!m || Number(m[1]) === 0) {
    throw new LlmOptionError(`${what} takes an age: a whole number above 0 and a unit, h (hours), d (days) or w (weeks), e.g. 90d, 12h, 2w; got ${JSON.stringify(value).slice(0, 60)}.`);
  }
  return Number(m[1]) * UNITS[m[2].toLowerCase()].ms;
}

/** An age in ms as a person reads it, in its largest whole unit up to days: "100 days", "5 hours", "under an hour". */
export function formatAge(ms: number): string {
  const days = Math.floor(ms / UNITS.d.ms);
  if (days >= 1) return `${days} day${days === 1 ? '' : 's'}`;
  const hours = Math.floor(ms / UNITS.h.ms);
  if (hours >= 1) return `${hours} hour${hours === 1 ? '' : 's'}`;
  return 'under an hour';
}

/** How long ago `recordedAt` was, in ms, at `now` (epoch ms); never below 0 (a clock ahead of this one). */
export function ageOf(recordedAt: string, now: number): number {
  return Math.max(0, now - Date.parse(recordedAt));
}
