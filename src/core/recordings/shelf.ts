// One test's shelf of the recordings: its folder, its mode, which occurrence of an identical
// request each call is. It decides what happens to a request the test makes: replay what is
// there (its own, or another test's it may take a copy of), record it, pass it on, or a miss.
import path from 'node:path';
import type { Mode } from '../mode.js';
import { requestKey } from '../key.js';
import type { Interaction } from '../recording.js';
import type { ReplayMissError } from '../errors.js';
import type { Found } from '../store.js';
import { testFolderPath } from '../confine.js';
import { Occurrences } from '../occurrences.js';
import type { Recordings } from './recordings.js';
import { missError } from './miss.js';
import { variantOfPath } from '../variants.js';

export interface TestRef {
  /** The folder of its recordings, relative to the root. */
  folder: string;
  /** `spec.ts > describe > title`, stored in each recording. */
  title: string;
  /** `tests/chat.spec.ts:12` (with `-c <config>` when needed), for the command that records it. */
  location: string;
  /**
   * Set in a run with --repeat-each: the answer variant this repetition is served (`folder` is the
   * variant's). A variant ≥ 1 replays its own answers only: a conversation stays whole within it.
   */
  variant?: number;
}

/** What the exchange does with a request. */
export type Decision =
  | { kind: 'replay'; found: Found; /** Another test's recording, replayed as it is (replay mode). */ owner?: string; /** Another test's recording this test took a copy of. */ copiedFrom?: string }
  | { kind: 'record'; occurrence: number; key: string }
  | { kind: 'passthrough' }
  | { kind: 'miss'; error: ReplayMissError };

/** Top-level folders of llmDir whose recordings no test owns: any test may replay them. */
const SHARED_FOLDERS = new Set(['_shared', 'imported']);

export class Shelf {
  /** This test's recordings folder, absolute, inside the root. */
  readonly folder: string;
  /** Which occurrence of an identical request each call is (shared with the app's server once it takes part). */
  readonly occurrences = new Occurrences();
  /** Recordings this test already checked on disk: it trusts the store's copy from then on. */
  private readonly checked = new Set<string>();

  /** Without a test, calls go to the shared `_shared` folder. */
  constructor(
    readonly recordings: Recordings,
    readonly mode: Mode,
    readonly test?: TestRef,
  ) {
    this.folder = testFolderPath(recordings.store.root, test?.folder ?? '_shared');
  }

  /** Decides what happens to one LLM request the recordings described. Throws only for a corrupt recording. */
  decide(request: Interaction['request']): Decision {
    const { mode, recordings } = this;
    if (mode === 'passthrough') return { kind: 'passthrough' };
    const { key, hash } = recordings.keyed(request);
    const occurrence = this.occurrences.next(hash);
    if (mode !== 'record') {
      const wanted = { key, hash, endpoint: request.endpoint, method: request.method };
      // Answers from elsewhere: never another folder's answer variant (≥ 1: it answers its own
      // variant's calls only); and a variant ≥ 1 takes no other test's, only a shared file no test owns.
      const root = recordings.store.root;
      const accept = (f: Found) => path.dirname(f.file) === this.folder || (variantOfPath(f.file) === 0 && (!this.test?.variant || ownerOf(f, root) === undefined));
      const found = recordings.store.find(this.folder, wanted, recordings.rules, occurrence, this.checked, this.occurrences.shared, accept);
      if (found) return this.own(found, key);
      if (mode === 'replay') return { kind: 'miss', error: missError(recordings, request, this.folder, this.test) };
    }
    return { kind: 'record', occurrence, key };
  }

  /**
   * A recording found in another test's folder. Re-recording that test may change or remove it, so
   * whenever recording is allowed the test takes its own copy — of every occurrence of the request
   * there, so a conversation that repeats it stays whole; in replay mode (which never writes) it is
   * replayed and the call says whose it was. Files no test owns (`_shared`, `imported`, llama-stack's)
   * are there to be shared.
   */
  private own(found: Found, key: string): Decision {
    const { test, recordings } = this;
    const { store } = recordings;
    if (!test || found.interaction.test === test.title || found.file.startsWith(this.folder + path.sep)) return { kind: 'replay', found };
    const owner = ownerOf(found, store.root);
    if (owner === undefined) return { kind: 'replay', found };
    if (this.mode === 'replay') return { kind: 'replay', found, owner };
    let mine: Found = found;
    for (const file of store.occurrencesOf(found.file)) {
      const theirs = file === found.file ? found.interaction : store.read(file);
      if (!theirs || requestKey(theirs.request, recordings.rules) !== key) continue;
      const copy: Interaction = { ...theirs, test: test.title };
      const saved = this.save(copy, key);
      if (file === found.file) mine = { file: saved, interaction: copy };
    }
    return { kind: 'replay', found: mine, copiedFrom: found.file };
  }

  /** Stores a finished recording of a request the recordings described, in this test's folder. */
  save(interaction: Interaction, key?: string): string {
    return this.recordings.save(this.folder, interaction, this.test?.title, key);
  }
}

/** The test a recording belongs to, when it sits in a test's folder (not in a shared one). */
function ownerOf(found: Found, root: string): string | undefined {
  const test = found.interaction.test;
  if (test === undefined) return undefined;
  const top = path.relative(root, found.file).split(path.sep)[0];
  return SHARED_FOLDERS.has(top) ? undefined : test;
}
