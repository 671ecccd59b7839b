// multipart/form-data as the core reads it (src/wire/multipart.ts) and keys it
// (src/core/recordings/recordings.ts): bodies encoded by Node's own FormData (undici), read back to
// text fields and file parts; the boundary and the order of named fields out of the key; bad bodies
// refused with what is wrong.
import crypto from 'node:crypto';
import { test, expect } from '@playwright/test';
import { parseMultipart } from '../../src/wire/multipart.js';
import { Recordings } from '../../src/core/recordings/recordings.js';
import { RequestBodyError } from '../../src/core/errors.js';

const URL_ = 'https://api.openai.com/v1/audio/transcriptions';
const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

/** The bytes and content type Node's fetch sends for a FormData. */
async function encode(form: FormData): Promise<{ body: Buffer; contentType: string }> {
  const req = new Request(URL_, { method: 'POST', body: form });
  return { body: Buffer.from(await req.arrayBuffer()), contentType: req.headers.get('content-type')! };
}

const audio = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 31) % 256));

test('text fields by value, a file by its name, type, size and hash; a name sent twice keeps its values in order', async () => {
  const form = new FormData();
  form.append('model', 'gpt-4o-transcribe');
  form.append('timestamp_granularities[]', 'word');
  form.append('file', new Blob([audio], { type: 'audio/wav' }), 'späť "quoted".wav');
  form.append('timestamp_granularities[]', 'segment');
  form.append('prompt', 'line one\r\nline two');
  const { body, contentType } = await encode(form);
  const parsed = parseMultipart(body, contentType);
  expect(parsed).toEqual({
    fields: {
      model: 'gpt-4o-transcribe',
      'timestamp_granularities[]': ['word', 'segment'],
      file: { filename: 'späť "quoted".wav', content_type: 'audio/wav', size: audio.length, sha256: sha(audio) },
      prompt: 'line one\r\nline two',
    },
  });
});

test('a file whose bytes hold line ends and boundary-like text is read to its last byte', async () => {
  const tricky = Buffer.concat([Buffer.from('\r\n--not-the-boundary\r\n\r\n'), audio, Buffer.from('\r\n')]);
  const form = new FormData();
  form.append('file', new Blob([tricky]), 'a.bin');
  const { body, contentType } = await encode(form);
  expect(parseMultipart(body, contentType)).toEqual({ fields: { file: { filename: 'a.bin', content_type: 'application/octet-stream', size: tricky.length, sha256: sha(tricky) } } });
});

test('a body written by hand: LF line ends, a quoted boundary, filename* in UTF-8', () => {
  const body = Buffer.from(['--b 1', 'Content-Disposition: form-data; name="model"', '', 'whisper-1', '--b 1', `Content-Disposition: form-data; name="file"; filename="x.wav"; filename*=UTF-8''%C3%A9t%C3%A9.wav`, 'Content-Type: audio/wav', '', 'RIFF', '--b 1--', ''].join('\n'));
  expect(parseMultipart(body, 'multipart/form-data; boundary="b 1"')).toEqual({
    fields: { model: 'whisper-1', file: { filename: 'été.wav', content_type: 'audio/wav', size: 4, sha256: sha(Buffer.from('RIFF')) } },
  });
});

test('bad bodies say what is wrong', () => {
  const ok = '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n';
  expect(parseMultipart(Buffer.from(ok), 'multipart/form-data')).toEqual({ problem: 'its content-type (multipart/form-data) names no boundary' });
  expect(parseMultipart(Buffer.from(ok), 'multipart/form-data; boundary=y')).toEqual({ problem: 'its body does not contain the boundary its content-type names' });
  expect(parseMultipart(Buffer.from(ok.slice(0, 50)), 'multipart/form-data; boundary=x')).toEqual({ problem: 'part 0 is not closed by the boundary (the body ends early)' });
  expect(parseMultipart(Buffer.from('--x\r\nContent-Type: text/plain\r\n\r\n1\r\n--x--'), 'multipart/form-data; boundary=x')).toEqual({ problem: 'part 0 has no Content-Disposition name' });
  expect(parseMultipart(Buffer.from('--x\r\nContent-Disposition: form-data; name="a"'), 'multipart/form-data; boundary=x')).toEqual({ problem: 'part 0 has no blank line after its headers' });
});

test.describe('keyed as a request', () => {
  const recordings = (ignore: string[] = []) => new Recordings({ root: '/nonexistent-llm-root', urls: [], ignore, redact: {} });
  const describe = async (r: Recordings, form: FormData) => {
    const { body, contentType } = await encode(form);
    const request = r.describe({ method: 'POST', url: URL_, headers: [['content-type', contentType]], body });
    return { request, key: r.keyed(request).key };
  };
  const make = (fields: [string, string][], file = audio) => {
    const form = new FormData();
    for (const [k, v] of fields) form.append(k, v);
    form.append('file', new Blob([file], { type: 'audio/wav' }), 'hello.wav');
    return form;
  };

  test('the same form twice (a new boundary each time) and in another field order has one key; other bytes another', async () => {
    const r = recordings();
    const a = await describe(r, make([['model', 'whisper-1'], ['language', 'en']]));
    const b = await describe(recordings(), make([['language', 'en'], ['model', 'whisper-1']]));
    const c = await describe(recordings(), make([['model', 'whisper-1'], ['language', 'en']], Buffer.concat([audio, Buffer.from([0])])));
    expect(a.key).toBe(b.key);
    expect(c.key).not.toBe(a.key);
    expect(a.request.model).toBe('whisper-1');
  });

  test('llmIgnore leaves a field out; a key-like value in a text field is redacted', async () => {
    const r = recordings(['prompt']);
    const secret = 'sk-proj-' + 'a1B2c3D4e5F6g7H8i9J0'.repeat(2);
    const a = await describe(r, make([['model', 'whisper-1'], ['prompt', `today is monday ${secret}`]]));
    const b = await describe(recordings(['prompt']), make([['model', 'whisper-1'], ['prompt', 'today is tuesday']]));
    expect(a.key).toBe(b.key);
    expect(JSON.stringify(a.request.body)).not.toContain(secret);
  });

  test('a body that cannot be read is a RequestBodyError naming the call', () => {
    const r = recordings();
    const call = () => r.describe({ method: 'post', url: URL_ + '?api_key=abc', headers: [['content-type', 'multipart/form-data; boundary=zz']], body: Buffer.from('nothing here') });
    expect(call).toThrow(RequestBodyError);
    expect(call).toThrow(/^playwright-llm-replay: POST https:\/\/api\.openai\.com\/v1\/audio\/transcriptions\?api_key=\S+: the multipart\/form-data body cannot be read: its body does not contain the boundary its content-type names\. Nothing was sent or stored/);
    expect(call).not.toThrow(/abc/);
  });
});

test('a 40 MB file part (above the API’s 25 MB audio limit) is hashed where it lies, to the right size and hash', async () => {
  const big = Buffer.alloc(40 * 1024 * 1024, 0x5a);
  big.write('start', 0);
  big.write('end', big.length - 3);
  const form = new FormData();
  form.append('model', 'whisper-1');
  form.append('file', new Blob([big], { type: 'audio/wav' }), 'long.wav');
  const { body, contentType } = await encode(form);
  expect(parseMultipart(body, contentType)).toEqual({ fields: { model: 'whisper-1', file: { filename: 'long.wav', content_type: 'audio/wav', size: big.length, sha256: sha(big) } } });
});
