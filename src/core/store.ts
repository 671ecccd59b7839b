// Where recordings live. Each test has its own folder under the recordings root; a file's name
// carries its key's hash, so the common lookup is one stat/read of a known path. Anything else
// under the root (another test's files, llama-stack files like the seed) is found through an index
// built once, lazily, the first time a test's own folder has no answer.
import fs from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { endpointSlug } from '../wire/providers.js';
import { type Ignore, keyHash, requestKey } from './key.js';
import { type Interaction, parseRecording, serializeRecording } from './recording.js';
import { LlmOptionError, RecordingFileError } from './errors.js';

export interface Found {
  file: string;
  interaction: Interaction;
}

const OWN_NAME = /^[a-z0-9-]+\.([0-9a-f]{12})(?:\.(\d+))?\.json$/;

export function recordingName(endpoint: string, hash: string, occurrence: number): string {
  return `${endpointSlug(endpoint)}.${hash}${occurrence ? `.${occurrence + 1}` : ''}.json`;
}

function readRecording(file: string): Interaction | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RecordingFileError(file, `cannot be read: ${(err as Error).message}`);
  }
  return parseRecording(text, file);
}

interface IndexEntry {
  file: string;
  occurrence: number;
}

/** Every recording under a root, by key hash; files not named by us are parsed to learn their key. */
class RootIndex {
  readonly byHash = new Map<string, IndexEntry[]>();
  readonly foreign: Found[] = [];
  readonly unreadable: RecordingFileError[] = [];

  constructor(root: string) {
    const files = fg.sync('**/*.json', { cwd: root, absolute: true, onlyFiles: true, dot: false, suppressErrors: true });
    for (const file of files.sort()) {
      const m = OWN_NAME.exec(path.basename(file));
      if (m) {
        this.add(m[1], { file, occurrence: m[2] ? Number(m[2]) - 1 : 0 });
        continue;
      }
      try {
        const interaction = readRecording(file);
        if (interaction) this.foreign.push({ file, interaction });
      } catch (err) {
        if (err instanceof RecordingFileError) this.unreadable.push(err);
        else throw err;
      }
    }
  }

  add(hash: string, entry: IndexEntry): void {
    const list = this.byHash.get(hash) ?? [];
    if (!list.some((e) => e.file === entry.file)) list.push(entry);
    list.sort((a, b) => a.occurrence - b.occurrence || a.file.localeCompare(b.file));
    this.byHash.set(hash, list);
  }
}

const indexes = new Map<string, RootIndex>();

export class Store {
  readonly root: string;

  /** @param root the recordings root (`llmDir`); @param testDir this test's folder, relative to it. */
  constructor(
    root: string,
    readonly testDir: string,
  ) {
    this.root = path.resolve(root);
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(this.root);
    } catch {
      stat = undefined; // created on the first recording
    }
    if (stat && !stat.isDirectory()) {
      throw new LlmOptionError(`playwright-llm-replay: llmDir ${this.root} is a file, not a folder. Point llmDir at a folder (default: fixtures/llm next to the config).`);
    }
  }

  get folder(): string {
    return path.join(this.root, this.testDir);
  }

  private index(): RootIndex {
    let index = indexes.get(this.root);
    if (!index) {
      index = new RootIndex(this.root);
      indexes.set(this.root, index);
    }
    return index;
  }

  /**
   * The recording for the `occurrence`-th identical request: this test's own first, then any
   * under the root. Past the last recorded occurrence, the last one repeats.
   */
  find(interaction: Pick<Interaction, 'request'>, ignore: Ignore, occurrence: number): Found | undefined {
    const key = requestKey(interaction.request, ignore);
    const hash = keyHash(key);
    for (let n = occurrence; n >= 0; n--) {
      const file = path.join(this.folder, recordingName(interaction.request.endpoint, hash, n));
      const found = readRecording(file);
      if (found) return { file, interaction: found };
    }
    const index = this.index();
    const entries = index.byHash.get(hash) ?? [];
    const entry = entries.filter((e) => e.occurrence <= occurrence).at(-1) ?? entries[0];
    if (entry) {
      const found = readRecording(entry.file);
      if (found) return { file: entry.file, interaction: found };
    }
    const foreign = index.foreign.filter((f) => requestKey(f.interaction.request, ignore) === key);
    return foreign.find((f) => f.interaction.occurrence === occurrence) ?? foreign.at(-1);
  }

  /** Writes a new recording into this test's folder, atomically (temp file + rename). */
  save(interaction: Interaction, ignore: Ignore): string {
    const hash = keyHash(requestKey(interaction.request, ignore));
    const name = recordingName(interaction.request.endpoint, hash, interaction.occurrence);
    const file = path.join(this.folder, name);
    fs.mkdirSync(this.folder, { recursive: true });
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    fs.writeFileSync(tmp, serializeRecording(interaction));
    fs.renameSync(tmp, file);
    indexes.get(this.root)?.add(hash, { file, occurrence: interaction.occurrence });
    return file;
  }

  /** Recordings of the same method and endpoint, to name the closest one when a request misses. */
  candidates(method: string, endpoint: string): { found: Found[]; unreadable: RecordingFileError[] } {
    const index = this.index();
    const files = new Set<string>();
    for (const list of index.byHash.values()) for (const e of list) files.add(e.file);
    const found: Found[] = [];
    const unreadable = [...index.unreadable];
    const own = [...files].sort((a, b) => Number(!a.startsWith(this.folder)) - Number(!b.startsWith(this.folder)));
    for (const file of own.slice(0, 500)) {
      try {
        const interaction = readRecording(file);
        if (interaction) found.push({ file, interaction });
      } catch (err) {
        if (err instanceof RecordingFileError) unreadable.push(err);
        else throw err;
      }
    }
    found.push(...index.foreign);
    return { found: found.filter((f) => f.interaction.request.method === method && f.interaction.request.endpoint === endpoint), unreadable };
  }
}

/** Drops the cached indexes (tests that write recordings behind the store's back use it). */
export function resetStoreIndexes(): void {
  indexes.clear();
}
