import { test, expect } from '@playwright/test';
import { type Ignore, canonicalEndpoint, canonicalJson, diffPaths, keyBody, requestKey as keyWith } from '../../src/core/key.js';
import { Redactor } from '../../src/core/redact.js';
import { urlMatcher } from '../../src/core/urls.js';
import { Recordings } from '../../src/core/recordings/recordings.js';
import { Shelf } from '../../src/core/recordings/shelf.js';

const redactor = new Redactor();
const requestKey = (req: Parameters<typeof keyWith>[0], ignore: Ignore) => keyWith(req, { ignore, redactor });

test('the endpoint is provider-neutral and undoes llama-stack’s doubled /v1', () => {
  expect(canonicalEndpoint('https://api.fireworks.ai/inference/v1/v1/chat/completions')).toBe('/v1/chat/completions');
  expect(canonicalEndpoint('https://api.fireworks.ai/inference/v1/chat/completions')).toBe('/v1/chat/completions');
  expect(canonicalEndpoint('https://api.groq.com/openai/v1/chat/completions')).toBe('/v1/chat/completions');
  expect(canonicalEndpoint('http://localhost:11434/api/chat')).toBe('/api/chat');
  expect(canonicalEndpoint('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:streamGenerateContent?key=AIzaSECRET&alt=sse')).toBe(
    '/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse',
  );
});

test('the key ignores key order, whitespace, host, port and headers', () => {
  const a = { method: 'post', url: 'http://127.0.0.1:4000/v1/chat/completions', body: { model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true } };
  const b = { method: 'POST', url: 'http://127.0.0.1:5000/v1/chat/completions', body: JSON.parse('{ "stream": true,  "messages": [{"content":"hi","role":"user"}], "model":"m" }') };
  expect(requestKey(a, [])).toBe(requestKey(b, []));
  expect(requestKey(a, [])).not.toBe(requestKey({ ...b, body: { ...b.body, stream: false } }, []));
  expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: undefined } })).toBe('{"a":{"d":[2,{"e":0,"f":1}]},"b":1}');
  // Few keys and many (sorted two ways inside), integer-like keys, escapes: JSON with keys in code-unit order.
  const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${(i * 7) % 40}`, i]));
  const sorted = Object.fromEntries(Object.entries(many).sort(([x], [y]) => (x < y ? -1 : 1)));
  expect(canonicalJson(many)).toBe(JSON.stringify(sorted));
  expect(canonicalJson({ z: 'é"\\', '10': [undefined, null], '9': 0, B: 1, a: 2 })).toBe('{"10":[null,null],"9":0,"B":1,"a":2,"z":"é\\"\\\\"}');
});

test('the recordings parse a request again unless it is the very one they described last', () => {
  const recordings = new Recordings({ root: '/nonexistent-llm-root', urls: [], ignore: [], redact: {} });
  const shelf = new Shelf(recordings, 'record');
  const req = (content: string, type = 'application/json') => ({ method: 'POST', url: 'https://api.openai.com/v1/chat/completions', headers: [['content-type', type]] as [string, string][], body: Buffer.from(JSON.stringify({ model: 'm', messages: [{ role: 'user', content }] })) });
  const first = recordings.describe(req('question 1'));
  expect(recordings.describe(req('question 1'))).toBe(first);
  // Same length, another question: another request, with its own key.
  const second = recordings.describe(req('question 2'));
  expect(second.body).toEqual({ model: 'm', messages: [{ role: 'user', content: 'question 2' }] });
  const keys = [shelf.decide(first), shelf.decide(second), shelf.decide(recordings.describe(req('question 2')))];
  expect(keys.map((d) => d.kind === 'record' && d.occurrence)).toEqual([0, 0, 1]);
  expect(keys[0].kind === 'record' && keys[0].key).not.toBe(keys[1].kind === 'record' && keys[1].key);
  // A caller that rewrites its buffer in place for the next request (undici's request() hands it over as it is).
  const reused = req('question 3');
  const third = recordings.describe(reused);
  reused.body.write('question 4', reused.body.indexOf('question 3'));
  expect(recordings.describe(reused)).not.toBe(third);
  expect(recordings.describe(reused).body).toEqual({ model: 'm', messages: [{ role: 'user', content: 'question 4' }] });
  // Another content type is another description (a body that is not JSON is kept as text).
  expect(recordings.describe({ ...req('question 2', 'text/plain'), body: Buffer.from('plain words') }).body).toBe('plain words');
  expect(recordings.describe(req('question 2', 'text/plain'))).not.toBe(recordings.describe(req('question 2')));
});

test('llmIgnore removes dotted paths, wildcards and what functions drop', () => {
  const req = { method: 'POST', url: 'https://api.openai.com/v1/chat/completions', body: { model: 'm', user: 'u-1', metadata: { run: 7, keep: 1 }, messages: [{ id: 'a', content: 'x' }, { id: 'b', content: 'y' }] } };
  expect(keyBody(req, { ignore: ['user', 'metadata.run', 'messages.*.id'], redactor })).toEqual({ model: 'm', metadata: { keep: 1 }, messages: [{ content: 'x' }, { content: 'y' }] });
  expect(keyBody(req, { ignore: [(body: any) => ({ ...body, messages: body.messages.length })], redactor })).toMatchObject({ messages: 2, user: 'u-1' });
  expect(requestKey(req, ['user'])).toBe(requestKey({ ...req, body: { ...req.body, user: 'u-2' } }, ['user']));
});

test('credentials never reach the key nor the stored request', () => {
  expect(redactor.url('https://generativelanguage.googleapis.com/v1beta/models/x:generateContent?key=AIzaSyA&alt=sse')).toBe(
    'https://generativelanguage.googleapis.com/v1beta/models/x:generateContent?key=%3Credacted%3E&alt=sse',
  );
  expect(
    redactor.requestHeaders([
      ['authorization', 'Bearer sk-abc'],
      ['x-api-key', 'k'],
      ['api-key', 'k'],
      ['x-goog-api-key', 'k'],
      ['cookie', 'c'],
      ['content-type', 'application/json'],
      ['x-stainless-os', 'Linux'],
      ['anthropic-version', '2023-06-01'],
    ]),
  ).toEqual({
    'anthropic-version': '2023-06-01',
    'api-key': '<redacted>',
    authorization: '<redacted>',
    'content-type': 'application/json',
    cookie: '<redacted>',
    'x-api-key': '<redacted>',
    'x-goog-api-key': '<redacted>',
  });
  expect(redactor.body({ api_key: 'sk-1', nested: { apiKey: 'x', other: 1 } })).toEqual({ api_key: '<redacted>', nested: { apiKey: '<redacted>', other: 1 } });
  const r = { method: 'POST', url: 'https://api.openai.com/v1/embeddings', body: { input: 'x', api_key: 'sk-one' } };
  expect(requestKey(r, [])).toBe(requestKey({ ...r, body: { input: 'x', api_key: 'sk-two' } }, []));
  // A credential in the query is not part of the endpoint, whether it is the real key or the placeholder.
  expect(canonicalEndpoint('https://x.googleapis.com/v1beta/models/m:generateContent?key=AIzaSyA&alt=sse')).toBe(canonicalEndpoint(redactor.url('https://x.googleapis.com/v1beta/models/m:generateContent?key=AIzaSyA&alt=sse')));
});

test('diffPaths names the body fields that differ', () => {
  expect(diffPaths({ model: 'a', messages: [{ content: 'x' }], t: 1 }, { model: 'a', messages: [{ content: 'y' }], n: 2 })).toEqual(['messages[0].content', 't', 'n']);
});

test('LLM hosts: the built-in list plus llmUrls globs and RegExps; nothing else', () => {
  const isLlm = urlMatcher(['http://127.0.0.1:*/v1/**', /^http:\/\/internal\.example\/llm\//]);
  expect(isLlm('https://api.openai.com/v1/chat/completions')).toBe(true);
  expect(isLlm('https://my-res.openai.azure.com/openai/deployments/x/chat/completions?api-version=2024-10-21')).toBe(true);
  expect(isLlm('http://localhost:11434/api/chat')).toBe(true);
  expect(isLlm('http://127.0.0.1:43211/v1/chat/completions')).toBe(true);
  expect(isLlm('http://internal.example/llm/chat')).toBe(true);
  expect(isLlm('http://127.0.0.1:43211/health')).toBe(false);
  expect(isLlm('https://example.com/v1/chat/completions')).toBe(false);
  expect(isLlm('https://openrouter.ai/docs')).toBe(false);
});

test('LLM WebSockets: the realtime APIs built in (Gemini Live with the doubled slash @google/genai writes), others by llmUrls', () => {
  const isLlm = urlMatcher(['ws://127.0.0.1:*/v1/**']);
  expect(isLlm('wss://api.openai.com/v1/realtime?model=gpt-realtime')).toBe(true);
  expect(isLlm('wss://generativelanguage.googleapis.com/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent?key=AIzaX')).toBe(true);
  expect(isLlm('wss://generativelanguage.googleapis.com//ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContentConstrained?access_token=t')).toBe(true);
  expect(isLlm('ws://127.0.0.1:43211/v1/realtime?model=rt')).toBe(true);
  expect(isLlm('wss://example.com/v1/realtime?model=rt')).toBe(false);
  expect(isLlm('wss://generativelanguage.googleapis.com///ws/x')).toBe(false);
});
