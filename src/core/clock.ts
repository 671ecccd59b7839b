// Virtual time for replays at `llmPace: 'clock'`: recorded delays wait on a clock the test moves,
// not on real time. In the page, that is Playwright's own clock (the page script waits on the
// page's timers). In Node — the test worker, the app's server — it is `TestClock`, which follows
// `page.clock` (the fixture mirrors its calls) or is moved directly with `llm.clock` in a test
// without a page. The app's server reads the test's clock from a file the worker writes.
import { LlmOptionError } from './errors.js';

/** What a replay waits on. */
export interface Sleeper {
  /** Whether the test installed the clock (`page.clock.install()` or `llm.clock.install()`). */
  readonly installed: boolean;
  /** The clock's time, ms. */
  now(): number;
  /**
   * Resolves when the clock reaches `at` (at once if it has). A replay waits for each chunk's due
   * time, counted from its start — so a clock moved past several chunks releases them all.
   * `wake` gets a function that ends the wait early.
   */
  until(at: number, wake: (stop: () => void) => void): Promise<void>;
}

/** The clock's state, as the worker shares it: virtual time `t` (ms) at real time `since` (epoch ms). */
export interface ClockState {
  t: number;
  running: boolean;
  since: number;
}

/** `1000`, `"01:00"` (mm:ss) or `"02:34:10"` (hh:mm:ss), as Playwright's clock takes them. */
export function ticksOf(value: number | string): number {
  if (typeof value === 'number') return value;
  const parts = value.split(':').map(Number);
  if (!parts.length || parts.length > 3 || parts.some((p) => !Number.isFinite(p))) throw new LlmOptionError(`"${value}" is not a duration: use milliseconds, "mm:ss" or "hh:mm:ss".`);
  return parts.reduce((sum, p) => sum * 60 + p, 0) * 1000;
}

/** A point in time as Playwright's clock takes it: epoch ms, a Date, or a date string. */
export function timeOf(value: number | string | Date): number {
  return typeof value === 'number' ? value : new Date(value).getTime();
}

function nowOf(s: ClockState): number {
  return s.t + (s.running ? Date.now() - s.since : 0);
}

/**
 * The test's clock in Node, shaped like Playwright's `page.clock`: not installed until `install`;
 * then it runs with real time until `pauseAt`, and moves on by `runFor` / `fastForward`.
 */
export class TestClock implements Sleeper {
  installed = false;
  private released = false;
  private state: ClockState = { t: 0, running: false, since: 0 };
  private waiters = new Set<{ at: number; done: () => void; timer?: NodeJS.Timeout }>();
  private readonly changed: ((s: ClockState) => void)[] = [];

  /** The clock's time (epoch ms as Playwright's clock keeps it). */
  now(): number {
    return nowOf(this.state);
  }

  async install(options: { time?: number | string | Date } = {}): Promise<void> {
    this.installed = true;
    this.set({ t: options.time === undefined ? Date.now() : timeOf(options.time), running: true, since: Date.now() });
  }

  /** As Playwright's clock does: every other method installs the clock first (at the real time) when the test has not. */
  private installIfNeeded(): void {
    if (this.installed) return;
    this.installed = true;
    this.set({ t: Date.now(), running: true, since: Date.now() });
  }

  /** Moves the clock on by `ticks` (ms, or "mm:ss"), waking every replay due by then. */
  async runFor(ticks: number | string): Promise<void> {
    const ms = ticksOf(ticks);
    if (!(ms >= 0)) throw new LlmOptionError('llm.clock.runFor: the time must be 0 or more.');
    this.installIfNeeded();
    this.set({ ...this.state, t: this.now() + ms, since: Date.now() });
  }

  async fastForward(ticks: number | string): Promise<void> {
    return this.runFor(ticks);
  }

  /** Jumps to `time` and stops there. */
  async pauseAt(time: number | string | Date): Promise<void> {
    this.installIfNeeded();
    this.set({ t: Math.max(this.now(), timeOf(time)), running: false, since: Date.now() });
  }

  /** Runs with real time again. */
  async resume(): Promise<void> {
    this.installIfNeeded();
    this.set({ t: this.now(), running: true, since: Date.now() });
  }

  /** Installs the clock if needed; timers keep running (Playwright's setFixedTime only fixes `Date`). */
  async setFixedTime(_time: number | string | Date): Promise<void> {
    this.installIfNeeded();
  }

  /** Installs the clock if needed; no timer fires (Playwright's setSystemTime only moves `Date`). */
  async setSystemTime(_time: number | string | Date): Promise<void> {
    this.installIfNeeded();
  }

  /** At the test's end: every replay still waiting goes on at once, so nothing waits on a clock no one moves. */
  release(): void {
    this.released = true;
    for (const w of [...this.waiters]) w.done();
  }

  /** Called with the new state whenever the clock moves or starts/stops running. */
  onChange(listener: (s: ClockState) => void): void {
    this.changed.push(listener);
  }

  until(at: number, wake: (stop: () => void) => void): Promise<void> {
    if (this.released) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = { at, done: () => {} };
      waiter.done = () => {
        clearTimeout((waiter as { timer?: NodeJS.Timeout }).timer);
        this.waiters.delete(waiter);
        resolve();
      };
      wake(waiter.done);
      this.waiters.add(waiter);
      this.check();
    });
  }

  private set(state: ClockState): void {
    this.state = state;
    for (const l of this.changed) l(state);
    this.check();
  }

  /** Wakes the waits that are due; while running, sets a real timer for the rest. */
  private check(): void {
    const now = this.now();
    for (const w of [...this.waiters]) {
      clearTimeout(w.timer);
      if (w.at <= now) w.done();
      else if (this.state.running) w.timer = setTimeout(() => this.check(), w.at - now);
    }
  }
}

/**
 * The test's clock seen from the app's server: the state the worker shares (`state`, read from the
 * test's channel), read again every 10 ms while a replay waits. No state: the test has not installed it.
 */
export class SharedClock implements Sleeper {
  constructor(private readonly state: () => ClockState | undefined) {}

  get installed(): boolean {
    return this.state() !== undefined;
  }

  now(): number {
    const s = this.state();
    return s ? nowOf(s) : 0;
  }

  async until(at: number, wake: (stop: () => void) => void): Promise<void> {
    let stopped = false;
    wake(() => (stopped = true));
    for (;;) {
      const s = this.state();
      if (stopped || !s) return;
      const left = at - nowOf(s);
      if (left <= 0) return;
      await new Promise((r) => setTimeout(r, s.running ? Math.min(left, 10) : 10));
    }
  }
}
