// Paths that come from elsewhere (a test's folder in an attribution header, a title) stay inside
// the recordings root: relative, no `..`, no absolute or drive paths, and no symlink that leads out.
import fs from 'node:fs';
import path from 'node:path';
import { StoreError } from './errors.js';

/** The absolute folder for a test folder (relative, `/`-separated) inside `root`; throws when it would leave it. */
export function testFolderPath(root: string, folder: string): string {
  const refuse = (why: string) => new StoreError(`refused the test folder ${JSON.stringify(folder.slice(0, 200))}: ${why}. Test folders are relative paths inside llmDir.`);
  if (!folder || folder.length > 1024) throw refuse('it is empty or too long');
  if (/[\0\\:]/.test(folder)) throw refuse('it has a NUL, a backslash or a colon');
  if (folder.startsWith('/')) throw refuse('it is absolute');
  const parts = folder.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) throw refuse('it has an empty, `.` or `..` segment');
  const absRoot = path.resolve(root);
  const target = path.resolve(absRoot, ...parts);
  if (!inside(absRoot, target)) throw refuse('it leads outside llmDir');
  // A symlink on the way may lead elsewhere: compare real paths of what exists.
  const realRoot = realpathOr(absRoot);
  let existing = target;
  while (!fs.existsSync(existing) && existing !== absRoot) existing = path.dirname(existing);
  if (fs.existsSync(existing) && !inside(realRoot, realpathOr(existing))) throw refuse('a symlink in it leads outside llmDir');
  return target;
}

/** Whether `p` is `root` or lies inside it (paths as given: resolve symlinks first where they matter). */
export function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The real path of `p`, or `p` itself when it does not exist. */
export function realpathOr(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}
