// A hint for the next process: where the recordings under a root are, by the first two hex digits
// of their hash, kept in the temp folder (never beside the recordings, where it would be one more
// file to commit and merge). A process that needs a recording outside its test's folder reads the
// one small shard its hash falls in instead of walking the whole tree; every hit is still checked
// against the request, and a miss falls back to the walk, which writes the hint again. A hint is
// only ever taken as relative paths inside the root.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';

const VERSION = 1;

function hintDir(root: string): string {
  return path.join(os.tmpdir(), 'playwright-llm-replay-index', `${crypto.hash('sha256', root, 'hex').slice(0, 16)}-v${VERSION}`);
}

const SAFE = /^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[^\0\\]+\.json$/;

/**
 * The recordings (absolute paths) a previous walk of `root` found whose hash starts like `hash`;
 * undefined when there is no hint (or no such recording in it).
 */
export function readHint(root: string, hash: string): string[] | undefined {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(path.join(hintDir(root), `${hash.slice(0, 2)}.json`), 'utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(json) || !json.every((f) => typeof f === 'string' && SAFE.test(f))) return undefined;
  return json.map((f: string) => `${root}${path.sep}${f}`);
}

/** Below this many recordings a walk is cheap: no hint is kept. */
const WORTH_A_HINT = 500;

/** Keeps where the recordings found under `root` are, for the next process (best effort). */
export function writeHint(root: string, named: readonly { file: string; hash: string }[]): void {
  const dir = hintDir(root);
  if (named.length < WORTH_A_HINT) {
    fs.rmSync(dir, { recursive: true, force: true });
    return;
  }
  const shards = new Map<string, string[]>();
  for (const n of named) {
    const shard = n.hash.slice(0, 2);
    shards.set(shard, [...(shards.get(shard) ?? []), path.relative(root, n.file).split(path.sep).join('/')]);
  }
  try {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const [shard, files] of shards) fs.writeFileSync(path.join(dir, `${shard}.json`), JSON.stringify(files), { mode: 0o600 });
  } catch {
    // A hint that cannot be written only costs the next process a walk.
  }
}
