// An upload from the page with XMLHttpRequest and a FormData (as an upload widget sends it): the
// browser picks a new boundary every time, and the recording of the same fields and file replays.
// (Other bytes missing, naming the file part, is a conformance case of the page: tests/conformance/cases.ts.)
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect } from 'playwright-llm-replay';

const llmDir = path.join(os.tmpdir(), `llm-upload-${process.pid}-${Math.random().toString(36).slice(2)}`);
const api = 'http://127.0.0.1:9/v1';
const AUDIO = Array.from({ length: 20_000 }, (_, i) => (i * 13) % 256);
const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

test.beforeAll(() => {
  fs.mkdirSync(llmDir, { recursive: true });
  const file = { filename: 'note.webm', content_type: 'audio/webm', size: AUDIO.length, sha256: sha256(Buffer.from(AUDIO)) };
  fs.writeFileSync(
    path.join(llmDir, 'transcription.json'),
    JSON.stringify({
      request: { method: 'POST', url: `${api}/audio/transcriptions`, headers: { 'content-type': 'multipart/form-data' }, body: { model: 'whisper-1', file }, endpoint: '/v1/audio/transcriptions', model: 'whisper-1' },
      response: { status: 200, headers: { 'content-type': 'application/json' }, is_streaming: false, framing: 'json', body: { text: 'Book a table for two.' } },
    }),
  );
});
test.afterAll(() => fs.rmSync(llmDir, { recursive: true, force: true }));
test.use({ llmDir, llmMode: 'replay', llmUrls: [`${api}/**`] });

/** Uploads `bytes` as a voice note with XMLHttpRequest and FormData; the status and the text it got back. */
const upload = (page: import('@playwright/test').Page, bytes: number[]) =>
  page.evaluate(
    ({ url, bytes }) =>
      new Promise<{ status: number; text: string }>((resolve) => {
        const form = new FormData();
        form.append('file', new File([new Uint8Array(bytes)], 'note.webm', { type: 'audio/webm' }));
        form.append('model', 'whisper-1');
        const xhr = new XMLHttpRequest();
        xhr.open('POST', url);
        xhr.onloadend = () => resolve({ status: xhr.status, text: xhr.responseText });
        xhr.send(form);
      }),
    { url: `${api}/audio/transcriptions`, bytes },
  );

test('XMLHttpRequest with FormData: the same voice note replays, twice, with new boundaries', async ({ page, llm }) => {
  await page.goto('/');
  for (let i = 0; i < 2; i++) expect(await upload(page, AUDIO)).toEqual({ status: 200, text: JSON.stringify({ text: 'Book a table for two.' }) });
  expect(llm.calls).toMatchObject([{ outcome: 'replayed', model: 'whisper-1', where: 'page' }, { outcome: 'replayed' }]);
});
