// `playwright-llm-replay/node`: the Node transport by hand, for code outside Playwright Test.
import { type Dispatcher, getGlobalDispatcher, setGlobalDispatcher } from 'undici';
import type { Ignore } from '../core/key.js';
import type { Session } from '../core/session.js';
import type { LlmCall, Where } from '../core/call.js';
import { type LlmOptions, createSession, resolveOptions } from '../options.js';
import type { LlmMode } from '../core/mode.js';
import { LlmDispatcher } from './dispatcher.js';

export { LlmDispatcher } from './dispatcher.js';
export type { LlmCall } from '../core/call.js';

/**
 * Sets a dispatcher that sends every request for which `sessionFor()` gives a session through
 * it, and everything else to the dispatcher that was global before. Returns the undo.
 */
export function installDispatcher(sessionFor: () => Session | undefined, where: Where = 'worker'): () => void {
  const previous: Dispatcher = getGlobalDispatcher();
  const ours = new LlmDispatcher(previous, sessionFor, where);
  setGlobalDispatcher(ours);
  return () => {
    if (getGlobalDispatcher() === ours) setGlobalDispatcher(previous);
  };
}

/** The dispatcher that reaches the network: the one our transport forwards to, when installed. */
export function upstreamDispatcher(): Dispatcher {
  const global = getGlobalDispatcher();
  return global instanceof LlmDispatcher ? global.upstream : global;
}

export interface InstallOptions extends Partial<Omit<LlmOptions, 'llmMode' | 'llmIgnore'>> {
  /** Body field paths and functions left out of the match key; a single function is fine here. */
  llmIgnore?: Ignore;
  /** As `llmMode`; `auto` here means: record misses, but only replay when CI is set. */
  llmMode?: LlmMode;
  /** The folder of this run's recordings under llmDir. Default `_shared`. */
  folder?: string;
}

export interface Installed {
  /** The calls made since install, with what happened to each. */
  readonly calls: readonly LlmCall[];
  /** Misses and write failures so far (a miss has already failed its caller). */
  readonly errors: readonly Error[];
  /** Resolves when every call being recorded has been stored or has failed (or after `timeoutMs`). */
  settled(timeoutMs?: number): Promise<void>;
  uninstall(): void;
}

/** Installs the Node transport in this process: global fetch and undici are recorded / replayed. */
export function install(options: InstallOptions = {}): Installed {
  const llmIgnore = typeof options.llmIgnore === 'function' ? [options.llmIgnore] : options.llmIgnore;
  const { folder, ...rest } = options;
  const resolved = resolveOptions({ ...rest, llmIgnore }, { baseDir: process.cwd() });
  const session = createSession(resolved, folder ? { folder, title: folder, location: '' } : undefined);
  const uninstall = installDispatcher(() => session);
  const { ledger } = session;
  return { calls: ledger.calls, errors: ledger.errors, settled: async (timeoutMs = 30_000) => void (await ledger.idle(timeoutMs)), uninstall };
}
