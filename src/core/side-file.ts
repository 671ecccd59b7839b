// A binary answer too big to sit in its recording as base64 (speech, an image, a PDF) is kept beside
// it in a file of its own, named by a hash of its bytes, so the JSON stays small and diffable; the
// JSON says which file, how big, and its sha256. Recordings in one folder with the same bytes share
// one side file. It is written before the JSON that points at it (temp file + rename, as the JSON),
// and checked (size, sha256) whenever its recording is read.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { extensionOf } from '../wire/framing.js';
import { RecordingFileError } from './errors.js';

/** A binary body of more than this many bytes goes to a side file; a smaller one stays in the JSON, as base64. */
export const SIDE_FILE_BYTES = 64 * 1024;

/** A side file's name: the first 16 hex digits of its sha256 and an extension. A name, never a path. */
export const SIDE_NAME = /^[0-9a-f]{16}\.[a-z0-9]{1,8}$/;

/** What a recording's response.body holds when the body is in a side file. */
export interface SideFileRef {
  file: string;
  size: number;
  sha256: string;
}

export interface SideFile extends SideFileRef {
  bytes: Buffer;
}

const hashes = new WeakMap<Buffer, string>();

function sha256(bytes: Buffer): string {
  let hash = hashes.get(bytes);
  if (hash === undefined) {
    hash = crypto.createHash('sha256').update(bytes).digest('hex');
    hashes.set(bytes, hash);
  }
  return hash;
}

/** The side file a response body goes to, when it goes to one: a binary body above SIDE_FILE_BYTES. */
export function sideFileOf(body: unknown, contentType: string | undefined): SideFile | undefined {
  if (!Buffer.isBuffer(body) || body.length <= SIDE_FILE_BYTES) return undefined;
  const hash = sha256(body);
  return { file: `${hash.slice(0, 16)}.${extensionOf(contentType)}`, size: body.length, sha256: hash, bytes: body };
}

/** Whether a JSON value is a side file reference (the shape only; the file is checked when read). */
export function isSideFileRef(v: unknown): v is SideFileRef {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const r = v as Record<string, unknown>;
  return Object.keys(r).length === 3 && typeof r.file === 'string' && SIDE_NAME.test(r.file) && Number.isSafeInteger(r.size) && (r.size as number) >= 0 && typeof r.sha256 === 'string' && /^[0-9a-f]{64}$/.test(r.sha256);
}

/**
 * Puts a side file into `folder`, atomically (temp file + rename). One already there with the same
 * bytes (another recording's) is kept as it is.
 */
export function writeSideFile(folder: string, side: SideFile): string {
  const file = path.join(folder, side.file);
  if (holds(file, side)) return file;
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  fs.writeFileSync(tmp, side.bytes);
  fs.renameSync(tmp, file);
  return file;
}

function holds(file: string, side: SideFileRef): boolean {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  return !!stat && stat.isFile() && stat.size === side.size && sha256(fs.readFileSync(file)) === side.sha256;
}

/** Where a recording's side file is: beside it. */
export function sideFilePath(recording: string, name: string): string {
  return path.join(path.dirname(recording), name);
}

/** The body in a recording's side file, checked against the size and sha256 the recording gives. Throws RecordingFileError naming both files. */
export function readSideFile(recording: string, ref: SideFileRef): Buffer {
  const file = sideFilePath(recording, ref.file);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new RecordingFileError(recording, `keeps its response body in the side file ${file}, which is missing. Restore it (commit side files with their recordings: they sit beside them, named by their hash), or delete the recording and record the call again.`);
    }
    throw new RecordingFileError(recording, `keeps its response body in the side file ${file}, which cannot be read: ${(err as Error).message}`);
  }
  if (bytes.length !== ref.size || sha256(bytes) !== ref.sha256) {
    throw new RecordingFileError(
      recording,
      `keeps its response body in the side file ${file}, which has changed since it was recorded (now ${bytes.length} bytes, sha256 ${sha256(bytes).slice(0, 16)}…; recorded ${ref.size} bytes, sha256 ${ref.sha256.slice(0, 16)}…). Restore it from version control, or delete the recording and record the call again.`,
    );
  }
  return bytes;
}

/** The side files in `folder` (not in folders below it), by name. */
export function sideFilesIn(folder: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(folder);
  } catch {
    return [];
  }
  return names.filter((n) => SIDE_NAME.test(n)).sort();
}

/**
 * Which of `names` the recording in `file` points at. Its text is searched for each quoted name
 * rather than parsed, so a recording that cannot be parsed keeps the side files it names too: a side
 * file is never removed while anything may point at it.
 */
export function namedIn(file: string, names: readonly string[]): string[] {
  if (!names.length) return [];
  let text: Buffer;
  try {
    text = fs.readFileSync(file);
  } catch {
    return []; // gone (or never there)
  }
  return names.filter((n) => text.includes(JSON.stringify(n)));
}

/** Which of `names` a recording in `folder` (other than those in `skip`) points at. */
export function referencedIn(folder: string, names: readonly string[], skip: ReadonlySet<string> = new Set()): Set<string> {
  const found = new Set<string>();
  if (!names.length) return found;
  let entries: string[];
  try {
    entries = fs.readdirSync(folder).filter((n) => n.endsWith('.json'));
  } catch {
    return found;
  }
  for (const entry of entries) {
    const file = path.join(folder, entry);
    if (skip.has(file)) continue;
    for (const name of namedIn(file, names.filter((n) => !found.has(n)))) found.add(name);
    if (found.size === names.length) break;
  }
  return found;
}

/** Removes the side files among `names` (default: all) in `folder` that no recording there points at. Returns their paths. */
export function removeUnreferenced(folder: string, names: readonly string[] = sideFilesIn(folder)): string[] {
  const candidates = names.filter((n) => SIDE_NAME.test(n) && fs.existsSync(path.join(folder, n)));
  const kept = referencedIn(folder, candidates);
  const removed: string[] = [];
  for (const name of candidates) {
    if (kept.has(name)) continue;
    fs.rmSync(path.join(folder, name), { force: true });
    removed.push(path.join(folder, name));
  }
  return removed;
}
