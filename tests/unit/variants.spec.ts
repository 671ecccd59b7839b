// Answer variants on their own: which variant a repetition is served, what is said when it cannot,
// and that a variant's answers stay in their variant (the shelf never mixes them). The run as a user
// meets it is tests/fixture/variants.spec.ts.
import fs from 'node:fs';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import { type VariantAsk, chooseVariant, recordedVariants, variantFolder, variantOfPath } from '../../src/core/variants.js';
import { Recordings } from '../../src/core/recordings/recordings.js';
import { Shelf } from '../../src/core/recordings/shelf.js';
import { resetStores } from '../../src/core/store.js';
import type { Interaction } from '../../src/core/recording.js';
import type { Mode } from '../../src/core/mode.js';
import { decodeAttribution, encodeAttribution } from '../../src/core/attribution.js';

const ask = (over: Partial<VariantAsk>): VariantAsk => ({ repetition: 0, repeatEach: 3, recorded: [0, 1, 2], mode: 'replay', policy: 'cycle', title: 'a.spec.ts > asks', location: 'a.spec.ts:3', folder: 'llm/a.spec.ts/asks', ...over });

test('repetition k is served variant k; record mode records variant k', () => {
  expect([0, 1, 2].map((k) => chooseVariant(ask({ repetition: k })))).toEqual([
    { variant: 0, of: 3 },
    { variant: 1, of: 3 },
    { variant: 2, of: 3 },
  ]);
  expect(chooseVariant(ask({ repetition: 2, recorded: [], mode: 'record' }))).toEqual({ variant: 2, of: 3 });
  expect(chooseVariant(ask({ repetition: 1, recorded: [0], mode: 'record-missing' })).variant).toBe(0);
});

test('fewer variants than repetitions: served again in turn, said with the command that records them; exact fails', () => {
  const again = chooseVariant(ask({ repetition: 4, repeatEach: 5, recorded: [0, 1] }));
  expect(again).toEqual({ variant: 0, of: 2, cycled: expect.stringContaining('"a.spec.ts > asks" has 2 recorded variants, fewer than --repeat-each=5') });
  expect(again.cycled).toContain('To record 5: LLM_REPLAY_MODE=record npx playwright test --repeat-each=5 a.spec.ts:3');
  expect(chooseVariant(ask({ repetition: 3, repeatEach: 5, recorded: [0, 1] })).variant).toBe(1);
  expect(chooseVariant(ask({ repetition: 1, recorded: [0], mode: 'record-missing' })).cycled).toContain('record-missing records no new variants');
  const exact = chooseVariant(ask({ repetition: 2, recorded: [0, 1], policy: 'exact' }));
  expect(exact.problem).toMatch(/^repetition 2: "a\.spec\.ts > asks" has 2 recorded variants, fewer than --repeat-each=3, and llmVariants is 'exact'\. Record its variants \(LLM_REPLAY_MODE=record npx playwright test --repeat-each=3 a\.spec\.ts:3\)/);
  // Nothing recorded at all: variant 0, as a plain run (its miss says what to record).
  expect(chooseVariant(ask({ repetition: 0, recorded: [] }))).toEqual({ variant: 0, of: 0 });
  expect(chooseVariant(ask({ repetition: 2, recorded: [] })).variant).toBe(0);
});

test('a gap in the variants: a repetition it leaves without one is a problem naming the gap; the variants there are served', () => {
  const gap = chooseVariant(ask({ repetition: 1, recorded: [0, 2] }));
  expect(gap.problem).toContain('the test "a.spec.ts > asks" has recorded variants 0 and 2 but not 1 (in llm/a.spec.ts/asks)');
  expect(gap.problem).toContain('Nothing was replayed or written.');
  expect(chooseVariant(ask({ repetition: 3, repeatEach: 4, recorded: [0, 1, 4] })).problem).toContain('has recorded variants 0, 1 and 4 but not 2 and 3');
  expect(chooseVariant(ask({ repetition: 2, recorded: [0, 2] }))).toEqual({ variant: 2, of: 3 });
});

test('folders: variant k is @variant-k under the test folder, and a path tells its variant', ({}, testInfo) => {
  expect(variantFolder('a.spec.ts/asks', 0)).toBe('a.spec.ts/asks');
  expect(variantFolder('a.spec.ts/asks', 2)).toBe('a.spec.ts/asks/@variant-2');
  expect(variantOfPath('/r/a.spec.ts/asks/@variant-2/chat.json')).toBe(2);
  expect(variantOfPath('/r/a.spec.ts/asks/chat.json')).toBe(0);
  expect(variantOfPath('/r/@variant-2/x/chat.json')).toBe(2);
  expect(variantOfPath('/r/a/@variant-0/chat.json')).toBe(0); // not a variant folder the plugin writes
  const dir = testInfo.outputPath('t');
  for (const [sub, file] of [['', 'a.json'], ['@variant-1', 'b.json'], ['@variant-3', 'c.json'], ['@variant-2', 'notes.txt'], ['nested-test', 'd.json']]) {
    fs.mkdirSync(path.join(dir, sub), { recursive: true });
    fs.writeFileSync(path.join(dir, sub, file), '{}');
  }
  expect(recordedVariants(dir)).toEqual([0, 1, 3]);
  expect(recordedVariants(path.join(dir, 'missing'))).toEqual([]);
});

function shelf(root: string, mode: Mode, folder: string, title?: string, variant?: number) {
  return new Shelf(new Recordings({ root, urls: [], ignore: [], redact: {} }), mode, title === undefined ? undefined : { folder, title, location: 'a.spec.ts:1', ...(variant !== undefined && { variant }) });
}

function save(s: Shelf, content: string, answer: string): Interaction['request'] {
  const request = s.recordings.describe({ method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: [['content-type', 'application/json']], body: Buffer.from(JSON.stringify({ model: 'm', messages: [{ role: 'user', content }] })) });
  s.save({ request, response: { status: 200, headers: { 'content-type': 'application/json' }, framing: 'json', body: { answer } }, occurrence: 0, test: s.test?.title });
  return request;
}

test('a variant replays its own answers only: not variant 0’s, not another test’s; variant 0 takes no variant’s', ({}, testInfo) => {
  const root = testInfo.outputPath('llm');
  const request = save(shelf(root, 'record', 'a.spec.ts/asks', 'a.spec.ts > asks'), 'hello', 'zero');
  save(shelf(root, 'record', 'b.spec.ts/other', 'b.spec.ts > other'), 'hello', 'other test');
  const onlyInVariant = save(shelf(root, 'record', variantFolder('a.spec.ts/asks', 2), 'a.spec.ts > asks', 2), 'only in variant 2', 'two');
  resetStores();
  const v1 = shelf(root, 'replay', variantFolder('a.spec.ts/asks', 1), 'a.spec.ts > asks', 1);
  const decided = v1.decide(request);
  expect(decided.kind).toBe('miss');
  expect(decided.kind === 'miss' && decided.error.message).toContain('in replay mode, in answer variant 1.');
  // In record-missing, variant 1 records its own answer rather than copying another's.
  expect(shelf(root, 'record-missing', variantFolder('a.spec.ts/asks', 1), 'a.spec.ts > asks', 1).decide(request).kind).toBe('record');
  // Another test's variant 0, asked what only variant 2 of a.spec.ts holds, does not take it.
  expect(shelf(root, 'replay', 'c.spec.ts/third', 'c.spec.ts > third').decide(onlyInVariant).kind).toBe('miss');
  // Variant 2 serves its own.
  const v2 = shelf(root, 'replay', variantFolder('a.spec.ts/asks', 2), 'a.spec.ts > asks', 2).decide(onlyInVariant);
  expect(v2.kind === 'replay' && v2.found.interaction.response.body).toEqual({ answer: 'two' });
});

test('a variant that lacks a request its variant 0 holds: the miss says so, and to fill it in with record-missing', ({}, testInfo) => {
  const root = testInfo.outputPath('llm');
  const request = save(shelf(root, 'record', 'a.spec.ts/asks', 'a.spec.ts > asks'), 'hello', 'zero');
  save(shelf(root, 'record', variantFolder('a.spec.ts/asks', 1), 'a.spec.ts > asks', 1), 'something else', 'one');
  resetStores();
  const decided = shelf(root, 'replay', variantFolder('a.spec.ts/asks', 1), 'a.spec.ts > asks', 1).decide(request);
  const message = decided.kind === 'miss' ? decided.error.message : '';
  expect(message).toMatch(/Closest recording: .*@variant-1\/chat-completions/);
  expect(message).toMatch(/Variant 0 of this test holds this very request \(.*a\.spec\.ts\/asks\/chat-completions\.[0-9a-f]{12}\.json\), but variant 1 replays its own answers only/);
  expect(message).toContain('To record it: LLM_REPLAY_MODE=record-missing npx playwright test a.spec.ts:1 (records what each variant lacks');
});

test('a variant replays a shared recording, even when a test that owns the same request sorts first', ({}, testInfo) => {
  const root = testInfo.outputPath('llm');
  const request = save(shelf(root, 'record', 'chat.spec.ts/asks', 'chat.spec.ts > asks'), 'hello', 'zero');
  save(shelf(root, 'record', '_shared'), 'hello', 'shared');
  resetStores();
  const decided = shelf(root, 'replay', variantFolder('chat.spec.ts/asks', 1), 'chat.spec.ts > asks', 1).decide(request);
  expect(decided.kind === 'replay' && decided.found.interaction.response.body).toEqual({ answer: 'shared' });
});

test('a recording named otherwise (edited by hand) is found in its own variant folder, as in variant 0', ({}, testInfo) => {
  const root = testInfo.outputPath('llm');
  for (const [folder, variant] of [['a.spec.ts/asks', undefined], [variantFolder('b.spec.ts/asks', 1), 1]] as const) {
    const title = `${folder.split('/')[0]} > asks`;
    const request = save(shelf(root, 'record', folder, title, variant), 'hello', 'answer');
    const dir = path.join(root, folder);
    const [file] = fs.readdirSync(dir).filter((n) => n.endsWith('.json'));
    fs.renameSync(path.join(dir, file), path.join(dir, 'chat-completions.000000000000.json'));
    resetStores();
    expect(shelf(root, 'replay', folder, title, variant).decide(request).kind, folder).toBe('replay');
  }
});

test('a variant from the app server’s header is a whole number the folders can name; anything else refuses the header', () => {
  const secret = 'unit-secret';
  const header = (variant: unknown) =>
    encodeAttribution({ id: '0123456789abcdef', test: { folder: 'a.spec.ts/asks', title: 'a.spec.ts > asks', location: 'a.spec.ts:1', variant } as never, mode: 'replay', pace: 0, urls: [], ignore: [], redact: {} }, secret);
  expect(decodeAttribution(header(999_999), secret).test.variant).toBe(999_999);
  expect(variantOfPath(`/r/${variantFolder('a', 999_999)}/x.json`)).toBe(999_999);
  for (const bad of [1_000_000, -1, 1.5, '1']) expect(() => decodeAttribution(header(bad), secret), String(bad)).toThrow(/its content has the wrong shape/);
});
