// The demo chat app's tiny server. It serves the page, and `POST /api/chat`: the server-side mode,
// where the key stays on the server and the server calls the LLM with the official openai SDK,
// streaming the answer on to the page; `POST /api/transcribe` takes a voice note's bytes and returns
// what the speech-to-text API heard in it. (In the browser mode the page calls the API itself.)
import http from 'node:http';
import OpenAI, { toFile } from 'openai';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), 'public');
const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };
const port = Number(process.env.PORT ?? 4173);

const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY ?? 'sk-demo-server-key', baseURL: process.env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1', maxRetries: 0 });
const model = process.env.CHAT_MODEL ?? 'gpt-4o-mini';
const transcribeModel = process.env.TRANSCRIBE_MODEL ?? 'whisper-1';
/** The speech-to-text API's own limit on an upload. */
const MAX_AUDIO_BYTES = 25 * 1024 * 1024;

class TooLarge extends Error {}

async function readBody(req, limit = Infinity) {
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    if (size > limit) throw new TooLarge(`The request body is larger than ${limit} bytes.`);
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

async function readJson(req) {
  return JSON.parse((await readBody(req)).toString() || '{}');
}

/** An API error (or a failure to reach the API) before any answer: passed on with its status, and a 429's `retry-after`. */
function sendApiError(res, err) {
  const status = err instanceof OpenAI.APIError && err.status ? err.status : 502;
  const headers = { 'content-type': 'application/json' };
  for (const name of ['retry-after', 'retry-after-ms']) {
    const value = err.headers?.get?.(name);
    if (value) headers[name] = value;
  }
  res.writeHead(status, headers);
  res.end(JSON.stringify({ error: { message: err.error?.message ?? err.message } }));
}

/**
 * Streams the answer as SSE: `data: {"token": …}` per piece, then `data: [DONE]`. An API error
 * before the answer is passed on with its status (and a 429's `retry-after`); one during the
 * answer as `data: {"error": {"message": …}}`, a dropped connection to the API included.
 */
async function chat(req, res) {
  const { messages } = await readJson(req);
  const controller = new AbortController();
  res.on('close', () => controller.abort());
  try {
    const stream = await openai.chat.completions.create({ model, messages, stream: true }, { signal: controller.signal });
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    res.flushHeaders();
    for await (const chunk of stream) {
      const token = chunk.choices[0]?.delta?.content;
      if (token) res.write(`data: ${JSON.stringify({ token })}\n\n`);
    }
    res.end('data: [DONE]\n\n');
  } catch (err) {
    if (controller.signal.aborted) return;
    if (res.headersSent) {
      const error = err instanceof OpenAI.APIError ? { message: err.error?.message ?? err.message } : { message: 'The connection dropped before the answer was complete.', code: 'connection_dropped' };
      res.end(`data: ${JSON.stringify({ error })}\n\n`);
      return;
    }
    sendApiError(res, err);
  }
}

/**
 * A voice note's bytes (its type as the content-type, its file name in `?name=`), sent on to the
 * speech-to-text API as the openai SDK uploads a file; answers `{"text": …}`.
 */
async function transcribe(req, res) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  let audio;
  try {
    audio = await readBody(req, MAX_AUDIO_BYTES);
  } catch (err) {
    // Too large is said; an upload the page gave up on has no one to tell.
    if (!(err instanceof TooLarge)) return void res.destroy();
    res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
    res.end(JSON.stringify({ error: { message: err.message } }));
    return;
  }
  const controller = new AbortController();
  res.on('close', () => controller.abort());
  try {
    const file = await toFile(audio, url.searchParams.get('name') || 'voice-note', { type: req.headers['content-type'] || 'application/octet-stream' });
    const { text } = await openai.audio.transcriptions.create({ file, model: transcribeModel }, { signal: controller.signal });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ text }));
  } catch (err) {
    if (!controller.signal.aborted) sendApiError(res, err);
  }
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method === 'POST' && url.pathname === '/api/chat') return void chat(req, res);
  if (req.method === 'POST' && url.pathname === '/api/transcribe') return void transcribe(req, res);
  const file = path.join(root, url.pathname === '/' ? 'index.html' : path.normalize(url.pathname));
  if (!file.startsWith(root) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    return;
  }
  res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
});
server.listen(port, '127.0.0.1', () => console.log(`chat app on http://127.0.0.1:${port}`));
