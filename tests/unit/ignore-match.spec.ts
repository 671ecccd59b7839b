// llmIgnore masking rules `{ path, match }`: what a RegExp matches in a field is masked before
// keying (a date in a system prompt), the rest of the field still counts, the recording keeps the
// real text, a bad rule is named with what to write, and the rule reaches other processes.
import { test, expect } from '@playwright/test';
import { type Ignore, MASK, keyBody, requestKey as keyWith } from '../../src/core/key.js';
import { Redactor } from '../../src/core/redact.js';
import { Recordings } from '../../src/core/recordings/recordings.js';
import { Shelf } from '../../src/core/recordings/shelf.js';
import { type Attribution, decodeAttribution, encodeAttribution, ignorePaths } from '../../src/core/attribution.js';
import { DEFAULTS, Options, looksValid, resolveOptions } from '../../src/options.js';
import { llmServerEnv, serverOptions } from '../../src/server-env.js';

const redactor = new Redactor();
const key = (body: object, ignore: Ignore) => keyWith({ method: 'POST', url: 'https://api.openai.com/v1/chat/completions', body }, { ignore, redactor });
const chat = (system: string, user = 'What day is it?') => ({ model: 'm', messages: [{ role: 'system', content: system }, { role: 'user', content: user }] });
const today = { path: 'messages.*.content', match: /Today is \S+/ };

test('a masked date keys the same on every day; any other change still counts', () => {
  const monday = chat('You are helpful. Today is 2026-12-02. Be brief.');
  const tuesday = chat('You are helpful. Today is 2026-12-03. Be brief.');
  expect(key(monday, [])).not.toBe(key(tuesday, []));
  expect(key(monday, [today])).toBe(key(tuesday, [today]));
  // The rest of the field is in the key: a different instruction, or a different user message, is another request.
  expect(key(chat('You are terse. Today is 2026-12-03. Be brief.'), [today])).not.toBe(key(monday, [today]));
  expect(key(chat('You are helpful. Today is 2026-12-03. Be brief.', 'What month is it?'), [today])).not.toBe(key(monday, [today]));
  expect(keyBody({ method: 'POST', url: 'https://api.openai.com/v1/chat/completions', body: monday }, { ignore: [today], redactor })).toEqual(chat(`You are helpful. ${MASK} Be brief.`));
});

test('every match is masked, in strings inside the path too (content parts, Anthropic system blocks)', () => {
  const at = (date: string) => ({
    model: 'm',
    system: [{ type: 'text', text: `Today is ${date}. Yesterday was not today; today is ${date}.` }],
    messages: [{ role: 'user', content: [{ type: 'text', text: `Now: ${date}` }] }],
  });
  const rules = [{ path: 'system', match: /\d{4}-\d{2}-\d{2}/ }, { path: 'messages.0.content', match: /\d{4}-\d{2}-\d{2}/ }];
  expect(key(at('2026-12-02'), rules)).toBe(key(at('2027-01-31'), rules));
  const body = keyBody({ method: 'POST', url: 'https://api.anthropic.com/v1/messages', body: at('2026-12-02') }, { ignore: rules, redactor }) as ReturnType<typeof at>;
  expect(body.system[0].text).toBe(`Today is ${MASK}. Yesterday was not today; today is ${MASK}.`);
  expect(body.messages[0].content[0].text).toBe(`Now: ${MASK}`);
  // Only where the path points: the same text elsewhere is left as it is.
  const other = { ...at('2026-12-02'), metadata: { day: '2026-12-02' } };
  expect(key(other, rules)).not.toBe(key({ ...at('2026-12-02'), metadata: { day: '2026-12-03' } }, rules));
});

test('the recording keeps the real text; a request on another day replays it', async ({}, testInfo) => {
  const root = testInfo.outputPath('llm');
  const session = () => new Shelf(new Recordings({ root, urls: [], ignore: [today], redact: {} }), 'record-missing', { folder: 't', title: 't', location: 't:1' });
  const ask = (s: Shelf, system: string) => s.recordings.describe({ method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: [['content-type', 'application/json']], body: Buffer.from(JSON.stringify(chat(system))) });
  const recording = session();
  const request = ask(recording, 'Today is 2026-12-02.');
  const file = recording.save({ request, response: { status: 200, headers: { 'content-type': 'application/json' }, framing: 'json', body: { ok: true } }, occurrence: 0, test: 't' });
  expect(recording.recordings.store.read(file)?.request.body).toEqual(chat('Today is 2026-12-02.'));

  const later = session();
  const decision = later.decide(ask(later, 'Today is 2026-12-03.'));
  expect(decision).toMatchObject({ kind: 'replay', found: { file } });
});

test('a bad masking rule is named, with what to write', () => {
  const bad = (entry: unknown) => {
    try {
      resolveOptions({ llmIgnore: ['user', entry as never] }, { baseDir: '/tmp' });
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error(`accepted ${String(entry)}`);
  };
  const write = "{ path: 'messages.*.content', match: /Today is \\S+/ }";
  expect(bad({ path: 'messages.*.content', match: 'Today is \\S+' })).toContain(`llmIgnore.1: a masking rule's match must be a RegExp (a string is not one: write it between slashes): ${write} (got {"path":"messages.*.content","match":"Today is \\\\S+"})`);
  expect(bad({ path: '', match: /x/ })).toContain(`llmIgnore.1: a masking rule's path must be a dotted body path`);
  expect(bad({ path: 'messages..content', match: /x/ })).toContain(`llmIgnore.1: a masking rule's path must be a dotted body path, \`*\` for any key or index, such as 'messages.*.content' or 'system': ${write} (got {"path":"messages..content","match":"/x/"})`);
  expect(bad({ match: /x/ })).toContain(`llmIgnore.1: a masking rule's path must be a dotted body path`);
  expect(bad({ path: 'system', match: /x/, flags: 'g' })).toContain(`llmIgnore.1: a masking rule has a path and a match only (not flags): ${write}`);
  expect(bad(/Today is \S+/)).toContain(`llmIgnore.1: a RegExp alone does not say which field to mask: write ${write} (got /Today is \\S+/)`);
  expect(bad({ path: 'system', match: /\d*/ })).toContain('llmIgnore.1: a masking rule\'s match must not match the empty string (/\\d*/ does: it would mask between every character)');
  expect(bad(3)).toContain("llmIgnore.1: an llmIgnore entry must be one of: body field paths ('metadata.user_id', 'messages.*.id'), masking rules");
  expect(bad(3)).toMatch(/^playwright-llm-replay: invalid option/);
  expect(resolveOptions({ llmIgnore: ['user', today] }, { baseDir: '/tmp' }).ignore).toEqual(['user', today]);
});

test('the hand check agrees with the zod schema on masking rules', () => {
  const variants: unknown[][] = [[today], [{ path: 'a', match: /x/g }], [{ path: 'a', match: 'x' }], [{ path: 'a' }], [{ path: 'a.', match: /x/ }], [{ path: 'a', match: /x?/ }], [/x/], [{ path: 'a', match: /x/, more: 1 }], [null], [[]]];
  for (const llmIgnore of variants) {
    const opts = { ...DEFAULTS, llmIgnore } as never;
    expect(looksValid(opts), String(llmIgnore[0])).toBe(Options.safeParse(opts).success);
  }
});

test('masking rules travel: in the signed header, and in the environment of the app server and the proxy', () => {
  const ignore: Ignore = ['user', today, { path: 'system', match: /now: \d+/gi }, () => ({})];
  const travelling = ignorePaths(ignore);
  expect(travelling).toEqual(['user', today, { path: 'system', match: /now: \d+/gi }]);
  const a: Attribution = { id: 'a'.repeat(32), test: { folder: 'f', title: 't', location: 'l' }, mode: 'replay', pace: 0, urls: [], ignore: travelling, redact: { headers: [], paths: [], values: [] } };
  const decoded = decodeAttribution(encodeAttribution(a, 'secret'), 'secret');
  expect(decoded.ignore).toEqual(travelling);
  expect(key(chat('Today is 2026-12-02.'), decoded.ignore)).toBe(key(chat('Today is 2026-12-03.'), decoded.ignore));

  const env = llmServerEnv({ llmDir: '/tmp/llm-ignore-match', llmIgnore: ignore as never });
  expect(serverOptions(env).ignore).toEqual(travelling);
});
