// Which occurrence of an identical request a call is: the first, the second… A test's calls can be
// made in several processes (the worker, the app's server, the proxy); once another process may
// take part, they count in one place, a folder of the run's private report folder, where taking
// occurrence n of a key is creating the entry `<hash>.<n>` (atomic across processes). Counted
// apart, two processes would both record `<hash>.json` and the last writer would win.
import fs from 'node:fs';
import path from 'node:path';

export class Occurrences {
  private readonly counts = new Map<string, number>();
  private dir?: string;

  /** True once the count is shared with other processes (see `share`). */
  get shared(): boolean {
    return this.dir !== undefined;
  }

  /**
   * Counts in `dir` from now on, with what this process counted so far: every process that shares
   * the folder takes the next free occurrence of a key.
   */
  share(dir: string): void {
    if (this.dir === dir) return;
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.dir = dir;
    for (const [hash, n] of this.counts) for (let i = 0; i < n; i++) this.take(hash, i);
  }

  /** The occurrence of this call of the request whose key hashes to `hash`, counting it. */
  next(hash: string): number {
    let n = this.counts.get(hash) ?? 0;
    if (this.dir) while (!this.take(hash, n)) n++;
    this.counts.set(hash, n + 1);
    return n;
  }

  private take(hash: string, n: number): boolean {
    try {
      fs.mkdirSync(path.join(this.dir!, `${hash}.${n}`));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      // The folder is gone (the test has ended; the app's server may still call in the background):
      // from here on this process counts alone, as it would for a call outside any test.
      this.dir = undefined;
      return true;
    }
  }
}
