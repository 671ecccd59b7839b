// Where recordings live. Each test has its own folder under the recordings root; a file's name
// carries its key's hash, so the common lookup is one look into a known folder. Anything else under
// the root (another test's files, llama-stack files like the seed) is found through an index built
// once, lazily, the first time a test's own folder has no answer. A file is served only for the
// request it holds: its content is checked against the key on every hit, and a file whose name no
// longer matches its content (edited by hand) is found by its content.
// Files are parsed once per process and read again only when they change on disk (a recording's
// side file too). A binary body above SIDE_FILE_BYTES is written to a side file beside its
// recording before the recording (see side-file.ts); side files are never taken for recordings.
import fs from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { endpointSlug } from '../wire/providers.js';
import { type KeyRules, keyHash, requestKey } from './key.js';
import { type Interaction, parseRecording, serializeRecording } from './recording.js';
import { LlmOptionError, RecordingFileError, StoreError } from './errors.js';
import { readHint, writeHint } from './index-hint.js';
import { BIG_RECORDING_BYTES, openBigRecording } from './big-recording.js';
import { namedIn, removeUnreferenced, sideFileOf, sideFilePath, sideFilesIn, writeSideFile } from './side-file.js';

export interface Found {
  file: string;
  interaction: Interaction;
}

/** A request as the store looks it up: its key (and the key's hash) under the session's rules. */
export interface Wanted {
  key: string;
  hash: string;
  endpoint: string;
  method: string;
}

const OWN_NAME = /^([a-z0-9-]+)\.([0-9a-f]{12})(?:\.(\d+))?\.json$/;

export function recordingName(endpoint: string, hash: string, occurrence: number): string {
  return `${endpointSlug(endpoint)}.${hash}${occurrence ? `.${occurrence + 1}` : ''}.json`;
}

interface Loaded {
  mtimeMs: number;
  size: number;
  /** Its side file's, when it has one: a change there is a change of the recording. */
  side?: { file: string; mtimeMs: number; size: number };
  interaction: Interaction;
  keys: WeakMap<KeyRules, string>;
}

interface Named {
  file: string;
  hash: string;
  occurrence: number;
}

function nameOf(file: string): Named | undefined {
  const m = OWN_NAME.exec(path.basename(file));
  return m ? { file, hash: m[2], occurrence: m[3] ? Number(m[3]) - 1 : 0 } : undefined;
}

/** Every recording under a root: ours by the hash in their names, others (llama-stack's) as files to parse. */
interface RootIndex {
  named: Named[];
  byHash: Map<string, Named[]>;
  foreign: string[];
}

/** A file that holds another request than its name says. */
export class MisnamedRecording {
  constructor(
    readonly file: string,
    readonly expected: string,
  ) {}
  get message(): string {
    return `${this.file} holds a different request than its name says (edited by hand?); it is used for the request it holds. Rename it to ${path.basename(this.expected)}.`;
  }
}

const stores = new Map<string, Store>();

export class Store {
  private readonly loaded = new Map<string, Loaded>();
  private readonly listings = new Map<string, { mtimeMs: number; byHash: Map<string, Named[]> }>();
  private readonly owners = new Map<string, string>();
  private indexed?: RootIndex;
  /** Files found to hold another request than their names say, reported once each. */
  readonly misnamed = new Map<string, MisnamedRecording>();

  /** The one store of a root in this process (its caches are shared by every session). */
  static for(root: string): Store {
    const abs = path.resolve(root);
    let store = stores.get(abs);
    if (!store) {
      store = new Store(abs);
      stores.set(abs, store);
    }
    return store;
  }

  private constructor(readonly root: string) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(root);
    } catch {
      stat = undefined; // created on the first recording
    }
    if (stat && !stat.isDirectory()) {
      throw new LlmOptionError(`llmDir ${root} is a file, not a folder. Point llmDir at a folder (default: fixtures/llm next to the config).`);
    }
  }

  /** A recording, parsed once and again only when the file changed. Undefined when there is no such file. */
  read(file: string): Interaction | undefined {
    return this.load(file)?.interaction;
  }

  /**
   * A file's parsed recording, read again when it changed on disk. A file in `checked` was already
   * checked by this session: its cached copy is used without looking at the disk again.
   */
  private load(file: string, checked?: Set<string>): Loaded | undefined {
    if (checked?.has(file)) {
      const cached = this.loaded.get(file);
      if (cached) return cached;
    }
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(file, { throwIfNoEntry: false });
    } catch (err) {
      throw new RecordingFileError(file, `cannot be read: ${(err as Error).message}`);
    }
    if (!stat) return undefined;
    const cached = this.loaded.get(file);
    if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size && unchanged(cached.side)) {
      checked?.add(file);
      return cached;
    }
    let interaction: Interaction | undefined;
    try {
      interaction = (stat.size > BIG_RECORDING_BYTES && openBigRecording(file, stat.size)) || parseRecording(fs.readFileSync(file, 'utf8'), file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      if (err instanceof RecordingFileError) throw err;
      throw new RecordingFileError(file, `cannot be read: ${(err as Error).message}`);
    }
    const entry: Loaded = { mtimeMs: stat.mtimeMs, size: stat.size, side: sideStat(file, interaction), interaction, keys: new WeakMap() };
    this.loaded.set(file, entry);
    checked?.add(file);
    return entry;
  }

  private keyOf(entry: Loaded, rules: KeyRules): string {
    let key = entry.keys.get(rules);
    if (key === undefined) {
      key = requestKey(entry.interaction.request, rules);
      entry.keys.set(rules, key);
    }
    return key;
  }

  /** The file, when it holds the wanted request; a misnamed file is noted and skipped. */
  private verified(named: Named, wanted: Wanted, rules: KeyRules, checked?: Set<string>): Found | undefined {
    const entry = this.load(named.file, checked);
    if (!entry) return undefined;
    const key = this.keyOf(entry, rules);
    if (key === wanted.key) return { file: named.file, interaction: entry.interaction };
    if (named.hash === wanted.hash) this.noteMisnamed(named.file, entry, key);
    return undefined;
  }

  private noteMisnamed(file: string, entry: Loaded, key: string): void {
    if (this.misnamed.has(file)) return;
    const expected = path.join(path.dirname(file), recordingName(entry.interaction.request.endpoint, keyHash(key), entry.interaction.occurrence));
    this.misnamed.set(file, new MisnamedRecording(file, expected));
  }

  /**
   * The recordings in one folder with a hash, sorted by occurrence. The listing is kept; it is read
   * again (when the folder changed since) if it lacks the hash, or — when other processes record
   * into the folder too (`occurrence` given) — if it lacks that occurrence.
   */
  private named(folder: string, hash: string, occurrence?: number): Named[] {
    const known = this.listings.get(folder)?.byHash.get(hash);
    if (known && (occurrence === undefined || known.some((n) => n.occurrence === occurrence))) return known;
    return this.listing(folder).get(hash) ?? [];
  }

  private listing(folder: string): Map<string, Named[]> {
    const mtimeMs = fs.statSync(folder, { throwIfNoEntry: false })?.mtimeMs;
    if (mtimeMs === undefined) return new Map();
    const cached = this.listings.get(folder);
    if (cached && cached.mtimeMs === mtimeMs) return cached.byHash;
    const byHash = new Map<string, Named[]>();
    for (const name of fs.readdirSync(folder)) {
      const named = nameOf(path.join(folder, name));
      if (named) byHash.set(named.hash, [...(byHash.get(named.hash) ?? []), named]);
    }
    for (const list of byHash.values()) list.sort((a, b) => a.occurrence - b.occurrence);
    this.listings.set(folder, { mtimeMs, byHash });
    return byHash;
  }

  /** The index of the root: the tree walked once per process, and the hint for the next process written. */
  private index(): RootIndex {
    if (this.indexed) return this.indexed;
    const files = fs.existsSync(this.root) ? fg.sync('**/*.json', { cwd: this.root, absolute: true, onlyFiles: true, dot: false, suppressErrors: true, followSymbolicLinks: false }) : [];
    const index: RootIndex = { named: [], byHash: new Map(), foreign: [] };
    for (const file of files.sort()) {
      const named = nameOf(file);
      if (named) this.addToIndex(index, named);
      else index.foreign.push(file);
    }
    writeHint(this.root, index.named);
    this.indexed = index;
    return index;
  }

  /** Recordings whose names carry `hash`, from the index, or before there is one from the previous process's hint. */
  private withHash(hash: string): { named: Named[]; complete: boolean } {
    if (this.indexed) return { named: this.indexed.byHash.get(hash) ?? [], complete: true };
    const hinted = (readHint(this.root, hash) ?? []).map(nameOf).filter((n): n is Named => !!n && n.hash === hash);
    return { named: hinted.sort((a, b) => a.occurrence - b.occurrence || (a.file < b.file ? -1 : 1)), complete: false };
  }

  private addToIndex(index: RootIndex, named: Named): void {
    const list = index.byHash.get(named.hash) ?? [];
    if (list.some((e) => e.file === named.file)) return;
    list.push(named);
    list.sort((a, b) => a.occurrence - b.occurrence || (a.file < b.file ? -1 : 1));
    index.byHash.set(named.hash, list);
    index.named.push(named);
  }

  /**
   * The recording for the `occurrence`-th identical request: the test folder's own first, then any
   * under the root, then any file that holds it under another name. Past the last recorded
   * occurrence, the last one repeats. `shared`: other processes record into the folder too, so a
   * listing that lacks the occurrence is read again. `accept`: whether a file outside the folder may
   * answer (the shelf's rules: answer variants, other tests). Throws RecordingFileError for a corrupt candidate.
   */
  find(folder: string, wanted: Wanted, rules: KeyRules, occurrence: number, checked?: Set<string>, shared = false, accept: (found: Found) => boolean = () => true): Found | undefined {
    const own = this.named(folder, wanted.hash, shared ? occurrence : undefined);
    for (const named of byOccurrence(own, occurrence)) {
      const found = this.verified(named, wanted, rules, checked);
      if (found) return found;
    }
    for (;;) {
      const { named, complete } = this.withHash(wanted.hash);
      for (const n of byOccurrence(named, occurrence)) {
        const found = this.verified(n, wanted, rules, checked);
        if (found && accept(found)) return found;
      }
      if (complete) break;
      this.index();
    }
    const foreign = this.foreignMatches(wanted, rules).filter(accept);
    const byContent = foreign.length ? foreign : this.namedByContent(wanted, rules).filter(accept);
    return byContent.find((f) => f.interaction.occurrence === occurrence) ?? byContent.filter((f) => f.interaction.occurrence <= occurrence).at(-1) ?? byContent.at(-1);
  }

  /** The recordings beside `file` (in its folder) of the same request: every occurrence of it, in order. */
  occurrencesOf(file: string): string[] {
    const named = nameOf(file);
    if (!named) return [file];
    return (this.listing(path.dirname(file)).get(named.hash) ?? []).map((n) => n.file);
  }

  private foreignMatches(wanted: Wanted, rules: KeyRules): Found[] {
    const out: Found[] = [];
    for (const file of this.index().foreign) {
      const entry = this.tryLoad(file);
      if (entry && this.keyOf(entry, rules) === wanted.key) out.push({ file, interaction: entry.interaction });
    }
    return out;
  }

  /** Our files of the same endpoint whose content holds the request though their names say otherwise. */
  private namedByContent(wanted: Wanted, rules: KeyRules): Found[] {
    const slug = endpointSlug(wanted.endpoint) + '.';
    const out: Found[] = [];
    for (const named of this.index().named) {
      if (named.hash === wanted.hash || !path.basename(named.file).startsWith(slug)) continue;
      const entry = this.tryLoad(named.file);
      if (!entry) continue;
      const key = this.keyOf(entry, rules);
      if (key !== wanted.key) continue;
      this.noteMisnamed(named.file, entry, key);
      out.push({ file: named.file, interaction: entry.interaction });
    }
    return out.sort((a, b) => a.interaction.occurrence - b.interaction.occurrence);
  }

  private tryLoad(file: string): Loaded | undefined {
    try {
      return this.load(file);
    } catch (err) {
      if (err instanceof RecordingFileError) return undefined;
      throw err;
    }
  }

  /**
   * Makes `folder` the recordings folder of the test titled `title`, or throws when it already
   * holds another test's recordings: two tests must never write into one folder.
   */
  claim(folder: string, title: string): void {
    const owner = this.owners.get(folder);
    if (owner === title) return;
    const other = owner ?? this.recordedTitleIn(folder, title);
    if (other !== undefined && other !== title) {
      throw new StoreError(
        `the recordings folder ${folder} belongs to the test "${other}", and "${title}" maps to the same folder. Nothing was written. Rename one of the two tests (their titles must differ in more than what a folder name keeps).`,
      );
    }
    this.owners.set(folder, title);
  }

  private recordedTitleIn(folder: string, title: string): string | undefined {
    for (const list of this.listing(folder).values()) {
      for (const named of list) {
        const test = this.tryLoad(named.file)?.interaction.test;
        if (test && test !== title) return test;
      }
    }
    return undefined;
  }

  /**
   * Writes a recording into `folder`, atomically (temp file + rename); its side file first, when its
   * body goes to one. The side file of the recording it replaces goes when nothing there points at it
   * any more. Returns its path.
   */
  save(folder: string, interaction: Interaction, key: string, rules: KeyRules): string {
    const hash = keyHash(key);
    const file = path.join(folder, recordingName(interaction.request.endpoint, hash, interaction.occurrence));
    fs.mkdirSync(folder, { recursive: true });
    const side = sideFileOf(interaction.response.body, interaction.response.headers['content-type']);
    if (side) writeSideFile(folder, side);
    // The side files the recording it replaces points at: they go unless another recording there points at them too.
    const replaced = namedIn(file, sideFilesIn(folder).filter((n) => n !== side?.file));
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    fs.writeFileSync(tmp, serializeRecording(interaction));
    fs.renameSync(tmp, file);
    if (replaced.length) removeUnreferenced(folder, replaced);
    const stored: Interaction = side ? { ...interaction, response: { ...interaction.response, sideFile: side.file } } : interaction;
    const stat = fs.statSync(file);
    const entry: Loaded = { mtimeMs: stat.mtimeMs, size: stat.size, side: sideStat(file, stored), interaction: stored, keys: new WeakMap() };
    entry.keys.set(rules, key);
    this.loaded.set(file, entry);
    this.listings.delete(folder);
    if (this.indexed) this.addToIndex(this.indexed, { file, hash, occurrence: interaction.occurrence });
    return file;
  }

  /** The recordings in `folder` (not in folders below it), by their names. */
  filesIn(folder: string): string[] {
    return [...this.listing(folder).values()].flatMap((list) => list.map((n) => n.file));
  }

  /**
   * Removes the recordings in `folder` (not in folders below it) that are not in `keep`: what a
   * test re-recorded in full no longer needs; and the side files no recording left there points at.
   * Returns the recordings removed.
   */
  keepOnly(folder: string, keep: readonly (string | undefined)[]): string[] {
    const wanted = new Set(keep.filter((f): f is string => !!f).map((f) => path.resolve(f)));
    const removed: string[] = [];
    for (const file of this.filesIn(folder)) {
      if (wanted.has(file)) continue;
      fs.rmSync(file, { force: true });
      this.loaded.delete(file);
      removed.push(file);
    }
    removeUnreferenced(folder);
    if (removed.length) {
      this.listings.delete(folder);
      if (this.indexed) {
        const gone = new Set(removed);
        this.indexed.named = this.indexed.named.filter((n) => !gone.has(n.file));
        for (const [hash, list] of this.indexed.byHash) this.indexed.byHash.set(hash, list.filter((n) => !gone.has(n.file)));
      }
    }
    return removed;
  }

  /** Recordings of the same method and endpoint, to name the closest one when a request misses. */
  candidates(folder: string, method: string, endpoint: string): { found: Found[]; unreadable: RecordingFileError[] } {
    const index = this.index();
    const slug = endpointSlug(endpoint) + '.';
    const files = index.named.filter((n) => path.basename(n.file).startsWith(slug)).map((n) => n.file);
    files.sort((a, b) => Number(!a.startsWith(folder + path.sep)) - Number(!b.startsWith(folder + path.sep)));
    const found: Found[] = [];
    const unreadable: RecordingFileError[] = [];
    for (const file of [...files.slice(0, 500), ...index.foreign]) {
      try {
        const interaction = this.read(file);
        if (interaction && interaction.request.method === method && interaction.request.endpoint === endpoint) found.push({ file, interaction });
      } catch (err) {
        if (err instanceof RecordingFileError) unreadable.push(err);
        else throw err;
      }
    }
    return { found, unreadable };
  }
}

/** A recording's side file as it is on disk now, to tell later whether it changed. */
function sideStat(file: string, x: Interaction): Loaded['side'] {
  if (!x.response.sideFile) return undefined;
  const side = sideFilePath(file, x.response.sideFile);
  const stat = fs.statSync(side, { throwIfNoEntry: false });
  return { file: side, mtimeMs: stat?.mtimeMs ?? -1, size: stat?.size ?? -1 };
}

function unchanged(side: Loaded['side']): boolean {
  if (!side) return true;
  const stat = fs.statSync(side.file, { throwIfNoEntry: false });
  return !!stat && stat.mtimeMs === side.mtimeMs && stat.size === side.size;
}

/** Files to try for the n-th occurrence: the n-th, then the earlier ones from the latest back. */
function byOccurrence(list: readonly Named[], occurrence: number): readonly Named[] {
  if (list.length < 2) return list;
  const upTo = list.filter((n) => n.occurrence <= occurrence);
  const rest = list.filter((n) => n.occurrence > occurrence);
  return [...upTo.reverse(), ...rest];
}

/** Drops every cached store (tests that write recordings behind the store's back use it). */
export function resetStores(): void {
  stores.clear();
}
