// `node --import playwright-llm-replay/register server.js`: the Node transport inside the app's
// own server. Each incoming request (or WebSocket handshake) that carries a test's signed
// attribution header is handled inside that test's session (AsyncLocalStorage), so the LLM calls
// (and sockets) the server makes for it are replayed from, and recorded into, that test's folder. Calls outside any test use the shared folder.
// On SIGTERM / SIGINT it waits (briefly) for calls still being recorded, and reports those it
// could not finish to their tests, before the server exits.
import http from 'node:http';
import https from 'node:https';
import { AsyncLocalStorage } from 'node:async_hooks';
import { TEST_HEADER } from './core/attribution.js';
import { OWN_ATTRIBUTION, attributedSessions } from './core/attributed.js';
import { UnfinishedCallError } from './core/errors.js';
import type { Session } from './core/session.js';
import { createSession } from './options.js';
import { serverOptions } from './server-env.js';
import { installDispatcher } from './node/index.js';

const INSTALLED = Symbol.for('playwright-llm-replay.register');
const g = globalThis as { [INSTALLED]?: boolean };
const STOP_GRACE_MS = 10_000;

if (!g[INSTALLED]) {
  g[INSTALLED] = true;
  const options = serverOptions();
  const current = new AsyncLocalStorage<Session>();
  const tests = attributedSessions(options);
  let shared: Session | undefined;
  /** Server start-up and requests from outside tests: settings from the environment llmServerEnv() set. */
  const sharedSession = () => (shared ??= createSession(options));

  for (const Server of [http.Server, https.Server] as const) {
    const emit = Server.prototype.emit as (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;
    Server.prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
      const own = (this as unknown as Record<symbol, unknown>)[OWN_ATTRIBUTION];
      // A request, or a WebSocket's handshake (`upgrade`): the sockets the app opens for it are the test's too.
      const session = (event === 'request' || event === 'upgrade') && !own ? tests.forHeader((args[0] as http.IncomingMessage).headers[TEST_HEADER]) : undefined;
      if (session) return current.run(session, () => emit.call(this, event, ...args));
      return emit.call(this, event, ...args);
    } as typeof Server.prototype.emit;
  }

  installDispatcher(() => current.getStore() ?? sharedSession(), 'server');

  const onSignal = async (signal: NodeJS.Signals) => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    const sessions = [...tests.all(), ...(shared ? [shared] : [])];
    const left = await Promise.all(sessions.map((s) => s.ledger.idle(STOP_GRACE_MS)));
    sessions.forEach((s, i) => {
      for (const call of left[i]) {
        s.ledger.fail(new UnfinishedCallError(`the app server got ${signal} while recording ${call.method} ${call.url}${call.model ? ` (model ${call.model})` : ''}; the recording was not stored. Wait for the answer in the test, or record it again.`));
      }
    });
    // Nobody else handles the signal: end as Node would have.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
