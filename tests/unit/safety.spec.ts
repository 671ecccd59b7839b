// Safety rules on their own: what is redacted, how test folders are named, which folders a header
// may name, and what a forged or altered attribution header gets.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import { Redactor, REDACTED } from '../../src/core/redact.js';
import { titleSegment, testFolder } from '../../src/core/naming.js';
import { testFolderPath } from '../../src/core/confine.js';
import { type Attribution, AttributionError, decodeAttribution, encodeAttribution } from '../../src/core/attribution.js';
import { TestChannel, runDir } from '../../src/core/run/channel.js';

const KEYS = {
  openai: 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
  anthropic: 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789',
  google: 'AIzaSyAbCdEfGhIjKlMnOpQrStUvWxYz0123456',
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  org: 'org-AbCdEfGhIjKlMnOpQrStUvWx',
  project: 'proj_AbCdEfGhIjKlMnOpQrStUvWx',
};

test.describe('redaction', () => {
  const r = new Redactor();

  test('headers named like credentials or accounts are replaced, transport details dropped, the rest kept', () => {
    const stored = r.requestHeaders([
      ['authorization', `Bearer ${KEYS.openai}`],
      ['proxy-authorization', 'Basic abc'],
      ['x-custom-authorization', 'x'],
      ['openai-organization', KEYS.org],
      ['openai-project', KEYS.project],
      ['x-goog-api-key', KEYS.google],
      ['x-amz-security-token', 'tok'],
      ['x-client-secret-hash', 'h'],
      ['x-webhook-signature', 's'],
      ['x-user-session', 's'],
      ['anthropic-version', '2023-06-01'],
      ['openai-beta', 'assistants=v2'],
      ['content-type', 'application/json'],
      ['user-agent', 'OpenAI/JS 6.0.0'],
      ['x-stainless-os', 'Linux'],
    ]);
    expect(stored).toEqual({
      'anthropic-version': '2023-06-01',
      authorization: REDACTED,
      'content-type': 'application/json',
      'openai-beta': 'assistants=v2',
      'openai-organization': REDACTED,
      'openai-project': REDACTED,
      'proxy-authorization': REDACTED,
      'x-amz-security-token': REDACTED,
      'x-client-secret-hash': REDACTED,
      'x-custom-authorization': REDACTED,
      'x-goog-api-key': REDACTED,
      'x-user-session': REDACTED,
      'x-webhook-signature': REDACTED,
    });
  });

  test('rate-limit counts are not mistaken for tokens', () => {
    const kept = r.responseHeaders([
      ['x-ratelimit-remaining-tokens', '149984'],
      ['anthropic-ratelimit-input-tokens-remaining', '10'],
      ['set-cookie', '__cf_bm=abc'],
      ['date', 'Tue, 01 Jan 2026 00:00:00 GMT'],
      ['content-length', '12'],
      ['x-request-id', 'req_1'],
    ]);
    expect(kept).toEqual({ 'anthropic-ratelimit-input-tokens-remaining': '10', 'x-ratelimit-remaining-tokens': '149984', 'x-request-id': 'req_1' });
  });

  test('values that look like keys are replaced anywhere: header values, the query, body strings', () => {
    for (const key of Object.values(KEYS)) {
      expect(r.text(`before ${key} after`)).toBe(`before ${REDACTED} after`);
      expect(r.requestHeaders([['x-trace', `k=${key}`]])).toEqual({ 'x-trace': `k=${REDACTED}` });
      expect(r.url(`https://api.example.com/v1/x?q=${key}`)).not.toContain(key);
      expect(JSON.stringify(r.body({ messages: [{ role: 'user', content: `my key is ${key}` }], metadata: { note: key } }))).not.toContain(key);
    }
  });

  test('message content stays as it is; fields named like credentials are replaced', () => {
    const body = { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'What is a password manager? Tell me about tokens.' }], api_key: 'abc', password: 'p' };
    expect(r.body(body)).toEqual({ ...body, api_key: REDACTED, password: REDACTED });
  });

  test('the user extends it with header names, dotted body paths and RegExps of values', () => {
    const custom = new Redactor({ headers: ['X-Tenant', /^x-internal-/], paths: ['metadata.email', 'messages.*.name'], values: [/acme-[0-9]{6}/] });
    expect(custom.requestHeaders([['x-tenant', 't1'], ['x-internal-route', 'r'], ['x-other', 'acme-123456 ok']])).toEqual({ 'x-internal-route': REDACTED, 'x-other': `${REDACTED} ok`, 'x-tenant': REDACTED });
    expect(custom.body({ metadata: { email: 'a@b.c', plan: 'pro' }, messages: [{ name: 'ann', content: 'hi acme-654321' }] })).toEqual({
      metadata: { email: REDACTED, plan: 'pro' },
      messages: [{ name: REDACTED, content: `hi ${REDACTED}` }],
    });
  });
});

test.describe('test folders', () => {
  test('titles that differ only in case, spacing, punctuation or emoji get different folders', () => {
    const groups = [
      ['Mixed Case Title', 'mixed  case title', 'mixed case title'],
      ['a-b', 'a b'],
      ['🙂', '🙃'],
      ['..', '.', ''],
    ];
    for (const titles of groups) expect(new Set(titles.map(titleSegment)).size).toBe(titles.length);
    expect(testFolder('x.spec.ts', ['..', '..'])).not.toContain('..');
  });

  test('plain lower-case titles stay readable; the rest keep a readable slug and a hash', () => {
    expect(titleSegment('answers about paris')).toBe('answers-about-paris');
    expect(titleSegment('Answers about Paris')).toMatch(/^answers-about-paris-[0-9a-f]{8}$/);
    expect(titleSegment('🙂')).toMatch(/^untitled-[0-9a-f]{8}$/);
  });

  test('names are portable: no Windows-reserved names, no trailing dots or spaces, bounded length', () => {
    for (const reserved of ['con', 'aux', 'nul', 'prn', 'com1', 'lpt9']) expect(titleSegment(reserved)).toMatch(new RegExp(`^${reserved}-[0-9a-f]{8}$`));
    expect(titleSegment('ends with a dot.')).not.toMatch(/[. ]$/);
    expect(titleSegment('x'.repeat(500)).length).toBeLessThanOrEqual(69);
    expect(titleSegment('x'.repeat(500))).not.toBe(titleSegment('x'.repeat(501)));
  });
});

test.describe('confinement', () => {
  let root: string;
  test.beforeEach(({}, testInfo) => {
    root = testInfo.outputPath('llm');
    fs.mkdirSync(root, { recursive: true });
  });

  test('a test folder resolves inside llmDir, and anything that leads out is refused', () => {
    expect(testFolderPath(root, 'chat.spec.ts/answers')).toBe(path.join(root, 'chat.spec.ts', 'answers'));
    for (const bad of ['../x', 'a/../../x', '/etc', 'a//b', './a', 'a\\..\\b', 'C:/x', 'a\0b', '']) {
      expect(() => testFolderPath(root, bad), bad).toThrow(/refused the test folder/);
    }
  });

  test('a symlink inside llmDir that leads out is refused', () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-outside-'));
    fs.symlinkSync(outside, path.join(root, 'escape'));
    expect(() => testFolderPath(root, 'escape/answers')).toThrow(/a symlink in it leads outside llmDir/);
    fs.rmSync(outside, { recursive: true, force: true });
    // A symlink that stays inside is fine.
    fs.mkdirSync(path.join(root, 'real'));
    fs.symlinkSync(path.join(root, 'real'), path.join(root, 'alias'));
    expect(testFolderPath(root, 'alias/answers')).toBe(path.join(root, 'alias', 'answers'));
  });
});

test.describe('attribution header', () => {
  const secret = 'test-secret-0123456789';
  const a: Attribution = {
    id: '0123456789abcdef0123456789abcdef',
    test: { folder: 'chat.spec.ts/answers', title: 'chat.spec.ts > answers', location: 'chat.spec.ts:3' },
    mode: 'replay',
    pace: 0,
    urls: ['http://127.0.0.1:*/v1/**', /^https:\/\/llm\.internal\//],
    ignore: ['user'],
    redact: { headers: ['x-tenant'], paths: ['metadata.email'], values: [/acme-\d+/] },
  };

  test('a signed header round-trips', () => {
    expect(decodeAttribution(encodeAttribution(a, secret), secret)).toEqual(a);
  });

  test('a forged, altered, or unsigned header is refused with the reason', () => {
    const value = encodeAttribution(a, secret);
    const [payload, mac] = value.split('.');
    const evil = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), test: { folder: '../../x', title: 't', location: 'l' } })).toString('base64url');
    expect(() => decodeAttribution(`${evil}.${mac}`, secret)).toThrow(/signature does not match/);
    expect(() => decodeAttribution(encodeAttribution(a, 'another-secret'), secret)).toThrow(/signature does not match/);
    expect(() => decodeAttribution(payload, secret)).toThrow(/not a signed value/);
    expect(() => decodeAttribution(value, undefined)).toThrow(/has no LLM_REPLAY_SECRET/);
    expect(() => decodeAttribution(value, secret)).not.toThrow();
    expect(() => decodeAttribution('x'.repeat(70_000), secret)).toThrow(AttributionError);
  });

  test('reports go to a private folder derived from the secret, named by a hex id only', () => {
    const channel = TestChannel.open(secret, a.id);
    for (const file of [channel.reportFile, channel.occurrencesDir]) expect(path.dirname(file)).toBe(runDir(secret));
    expect(runDir(secret)).toContain(os.tmpdir());
    expect(runDir(secret)).not.toContain(secret);
    for (const id of ['../../etc/passwd', '/tmp/x', 'abc']) expect(() => TestChannel.open(secret, id)).toThrow(/not hex/);
  });
});

test('a secret in a request body is found however the JSON text escapes it', () => {
  const r = new Redactor();
  const body = { messages: [{ role: 'user', content: 'Bearer abcdefghijklmnop/qrstuvwxyz' }] };
  const escaped = JSON.stringify(body).replace('/', '\\/');
  expect(JSON.parse(escaped)).toEqual(body);
  expect(JSON.stringify(r.body(JSON.parse(escaped), escaped))).not.toContain('qrstuvwxyz');
});
