// `node --import playwright-llm-replay/register server.js`: the Node transport inside the app's
// own server. Each incoming request that carries a test's attribution header is handled inside
// that test's session (AsyncLocalStorage), so the LLM calls the server makes for it are replayed
// from, and recorded into, that test's folder. Calls outside any test use the shared folder.
import http from 'node:http';
import https from 'node:https';
import { AsyncLocalStorage } from 'node:async_hooks';
import { TEST_HEADER, sessionCache } from './core/attribution.js';
import type { Session } from './core/session.js';
import { createSession } from './options.js';
import { installDispatcher } from './node/index.js';

const INSTALLED = Symbol.for('playwright-llm-replay.register');
const g = globalThis as { [INSTALLED]?: boolean };

if (!g[INSTALLED]) {
  g[INSTALLED] = true;
  const current = new AsyncLocalStorage<Session>();
  const forTest = sessionCache();
  let shared: Session | undefined;

  /** Server start-up and requests from outside tests: settings from the environment the helper set. */
  const sharedSession = () =>
    (shared ??= createSession(
      { llmDir: process.env.LLM_REPLAY_DIR, llmHosts: process.env.LLM_REPLAY_HOSTS ? (JSON.parse(process.env.LLM_REPLAY_HOSTS) as string[]) : undefined },
      { baseDir: process.cwd(), updateSnapshots: process.env.LLM_REPLAY_UPDATE },
    ));

  for (const Server of [http.Server, https.Server] as const) {
    const emit = Server.prototype.emit as (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;
    Server.prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
      const header = event === 'request' ? (args[0] as http.IncomingMessage).headers[TEST_HEADER] : undefined;
      if (typeof header === 'string') {
        let session: Session | undefined;
        try {
          session = forTest(header);
        } catch (err) {
          console.error((err as Error).message);
        }
        if (session) return current.run(session, () => emit.call(this, event, ...args));
      }
      return emit.call(this, event, ...args);
    } as typeof Server.prototype.emit;
  }

  installDispatcher(() => current.getStore() ?? sharedSession());
}
