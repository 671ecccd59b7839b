// The sessions of a process that serves tests from afar (the app server's preload, the proxy):
// one per signed attribution header, in this process's own llmDir, reporting to the test's file
// in the run's private folder (run/channel.ts). A header that fails its checks is not used (the call goes
// to the shared session) and is logged once.
import { SECRET_ENV, decodeAttribution } from './attribution.js';
import { SharedClock } from './clock.js';
import { TestChannel } from './run/channel.js';
import { Session } from './session.js';
import { PREFIX, detailOf } from './errors.js';

/** Marks a server that does its own attribution (the proxy), so the preload leaves its requests alone. */
export const OWN_ATTRIBUTION = Symbol.for('playwright-llm-replay.own-attribution');

export interface AttributedSessions {
  /** The session for a request's header value, or undefined when it has none or a bad one. */
  forHeader(value: string | string[] | undefined): Session | undefined;
  /** Every session made so far (the newest 500). */
  all(): Session[];
}

export function attributedSessions(base: { root: string }, log: (line: string) => void = (l) => console.error(l)): AttributedSessions {
  const sessions = new Map<string, Session>();
  const refused = new Set<string>();
  const refuse = (reason: string) => {
    const why = reason.replace(/\.+$/, '');
    if (refused.has(why)) return undefined;
    refused.add(why);
    log(`${PREFIX}ignored an x-llm-replay-test header: ${why}. Such requests are not attributed to a test (their calls use the shared folder). This is logged once per reason.`);
    return undefined;
  };
  return {
    forHeader(value) {
      if (value === undefined) return undefined;
      if (Array.isArray(value)) return refuse('it was sent more than once');
      const secret = process.env[SECRET_ENV];
      let session: Session | undefined;
      try {
        const a = decodeAttribution(value, secret);
        // One session per test run (its id), so occurrence counters carry across its requests; its
        // faults are the ones its latest request carries.
        session = sessions.get(a.id);
        if (!session) {
          const channel = TestChannel.open(secret!, a.id);
          const clock = new SharedClock(() => channel.clock());
          session = new Session({ root: base.root, mode: a.mode, pace: a.pace, urls: a.urls, ignore: a.ignore, redact: a.redact, test: a.test, clock });
          session.ledger.on(channel.reporter());
          // Identical requests are counted with the test's other processes: one `.2.json`, not two `.json`.
          session.shelf.occurrences.share(channel.occurrencesDir);
          session.faults.link(channel.followFaults(session.faults, log, a.test.title));
          sessions.set(a.id, session);
          if (sessions.size > 500) sessions.delete(sessions.keys().next().value!);
        }
      } catch (err) {
        return refuse(detailOf(err));
      }
      return session;
    },
    all: () => [...sessions.values()],
  };
}
