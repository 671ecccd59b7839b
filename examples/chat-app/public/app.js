// The chat UI: sends the whole conversation to an OpenAI-compatible chat completions API from the
// page, renders the answer as it streams, lets the user stop it, shows API errors readably with a
// Retry, says "Still thinking…" after a silence, and retries a 429 on its own after the wait it asks.
// A voice note (an audio file) is transcribed by the speech-to-text API and sent as the user's message.
// In the realtime mode the page talks to the OpenAI Realtime API over one WebSocket instead (text
// only): the answer streams in from its `response.output_text.delta` events.
const params = new URLSearchParams(location.search);
const baseURL = params.get('baseURL') ?? 'https://api.openai.com/v1';
const realtimeURL = params.get('realtimeURL') ?? 'wss://api.openai.com/v1';
const model = params.get('model') ?? 'gpt-4o-mini';
const realtimeModel = params.get('realtimeModel') ?? 'gpt-realtime';
const transcribeModel = params.get('transcribeModel') ?? 'whisper-1';
const apiKey = params.get('key') ?? 'sk-demo-key';
// `browser`: the page calls the LLM API itself; `server`: it posts to this app's /api/chat;
// `realtime`: the page talks to the Realtime API over a WebSocket.
const mode = params.get('mode') ?? 'browser';

const messagesEl = document.querySelector('#messages');
const form = document.querySelector('#composer');
const prompt = document.querySelector('#prompt');
const send = document.querySelector('#send');
const stop = document.querySelector('#stop');
const typing = document.querySelector('#typing');
const errorEl = document.querySelector('#error');
const errorBox = document.querySelector('#error-box');
const retryButton = document.querySelector('#retry');
const voice = document.querySelector('#voice');

/** @type {{role: 'user' | 'assistant', content: string}[]} */
const history = [];
let controller = null;

function addMessage(role, content) {
  const li = document.createElement('li');
  li.className = `message ${role}`;
  li.dataset.role = role;
  li.textContent = content;
  messagesEl.append(li);
  return li;
}

function setStreaming(on) {
  send.hidden = on;
  stop.hidden = !on;
  if (!on) status(null);
  prompt.disabled = on;
  voice.disabled = on;
}

async function readableError(res) {
  const text = await res.text();
  try {
    const body = JSON.parse(text);
    return body.error?.message ?? body.message ?? text;
  } catch {
    return text || res.statusText;
  }
}

/** Yields the `data:` payloads of an SSE response body as they arrive. */
async function* sseData(body) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    const events = buffer.split('\n\n');
    buffer = events.pop();
    for (const event of events) {
      const data = event.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
      if (data) yield data;
    }
  }
}

/** Shows a status line (typing, still thinking, rate limited), or hides it. */
function status(text) {
  typing.textContent = text ?? '';
  typing.hidden = !text;
}

/** After this long without a token, the user is told the assistant is still at it. */
const SILENCE_MS = 2000;
/** How often a rate-limited request is retried on its own, after the wait the API asks for. */
const AUTO_RETRIES = 2;

let retryText = null;

/** Shows `message` in the banner, with a button (`Retry`, `Reconnect`) when one can help. */
function showError(message, action = null) {
  errorEl.textContent = message;
  errorBox.hidden = false;
  retryButton.hidden = !action;
  retryButton.textContent = action ?? 'Retry';
}

const DROPPED = 'The connection dropped before the answer was complete.';

/**
 * An error the API reported in the stream (OpenAI: `{"error": {...}}`; this app's server: the same;
 * the Realtime API: an `error` event), or a connection lost: shown with the button that helps, if any.
 */
class StreamError extends Error {
  constructor(message, action = 'Retry') {
    super(message);
    this.action = action;
  }
}

/** How long a 429 asks to wait, in ms (`retry-after-ms`, or `retry-after` in seconds), if it says. */
function retryAfter(res) {
  const ms = Number(res.headers.get('retry-after-ms'));
  if (ms > 0) return ms;
  const s = Number(res.headers.get('retry-after'));
  return s > 0 ? s * 1000 : undefined;
}

async function request(signal) {
  return mode === 'server'
    ? fetch('/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages: history }), signal })
    : fetch(`${baseURL}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        body: JSON.stringify({ model, messages: history, stream: true }),
        signal,
      });
}

function wait(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(new DOMException('Stopped', 'AbortError'))), { once: true });
  });
}

/**
 * Streams the answer to the conversation from the chat completions API (or this app's server),
 * each piece to `token`; a 429 is asked again on its own after the wait it asks for.
 */
async function streamHttp(signal, { token, heard, quiet }) {
  let res;
  for (let attempt = 0; ; attempt++) {
    heard();
    res = await request(signal);
    const wait429 = res.status === 429 ? retryAfter(res) : undefined;
    if (wait429 === undefined || attempt === AUTO_RETRIES) break;
    quiet();
    status(`Rate limited, retrying in ${Math.ceil(wait429 / 1000)} s…`);
    await wait(wait429, signal);
  }
  if (!res.ok) throw new Error(`The assistant is unavailable (${res.status}): ${await readableError(res)}`);
  try {
    for await (const data of sseData(res.body)) {
      if (data === '[DONE]') break;
      const json = JSON.parse(data);
      if (json.error) throw new StreamError(json.error.code === 'connection_dropped' ? DROPPED : `The answer failed: ${json.error.message ?? json.error}`);
      const piece = (mode === 'server' ? json.token : json.choices[0]?.delta?.content) ?? '';
      if (piece) token(piece);
    }
  } catch (err) {
    if (err.name === 'AbortError' || err instanceof StreamError) throw err;
    throw new StreamError(DROPPED);
  }
}

// The realtime mode. One WebSocket is one Realtime session, which keeps the conversation itself: per
// message the page adds the user's item and asks for a response. A socket that closes with another
// code than 1000 is a lost connection: the banner says its code and reason, and Reconnect opens a new
// session (asking an interrupted question again). Stop closes the socket (a stalled server may never
// answer a `response.cancel`); the next message opens a new one. An `error` event ends the answer
// with its message (the session stays open: the next message goes on it).

/** @type {{ws: WebSocket, ready: Promise<void>, answering: null | {event(e: any): void, closed(e: CloseEvent): void}} | null} */
let realtime = null;

const lost = (e) => `Connection lost (${e.code})${e.reason ? `: ${e.reason}` : ''}`;

/** The open Realtime session, or a new one: the key goes as a subprotocol, as a browser must send it. */
function realtimeSession() {
  if (realtime) return realtime;
  const ws = new WebSocket(`${realtimeURL}/realtime?model=${encodeURIComponent(realtimeModel)}`, ['realtime', `openai-insecure-api-key.${apiKey}`]);
  let setUp;
  const session = { ws, ready: new Promise((resolve) => (setUp = resolve)), answering: null };
  ws.addEventListener('message', (e) => {
    const event = JSON.parse(e.data);
    if (event.type !== 'session.created') return session.answering?.event(event);
    // Text in, text out.
    ws.send(JSON.stringify({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'] } }));
    setUp();
  });
  ws.addEventListener('close', (e) => {
    if (realtime === session) realtime = null;
    if (session.answering) session.answering.closed(e);
    else if (e.code !== 1000) showError(lost(e), 'Reconnect');
  });
  realtime = session;
  return session;
}

/** Asks `text` in the Realtime session and streams the answer in, each delta to `token`, until `response.done`. */
function streamRealtime(text, signal, { token }) {
  const session = realtimeSession();
  return new Promise((resolve, reject) => {
    const stop = () => {
      if (realtime === session) realtime = null;
      session.answering = null;
      session.ws.close(1000, 'Stopped');
      reject(new DOMException('Stopped', 'AbortError'));
    };
    signal.addEventListener('abort', stop, { once: true });
    const end = (settle) => (value) => {
      signal.removeEventListener('abort', stop);
      session.answering = null;
      settle(value);
    };
    const done = end(resolve);
    const fail = end(reject);
    session.answering = {
      event(event) {
        if (event.type === 'response.output_text.delta') token(event.delta);
        else if (event.type === 'error') fail(new StreamError(`The answer failed: ${event.error?.message ?? 'unknown error'}`, null));
        else if (event.type === 'response.done' && event.response?.status === 'completed') done();
        else if (event.type === 'response.done') fail(new StreamError(`The answer failed: ${event.response?.status_details?.error?.message ?? event.response?.status}`, null));
      },
      closed: (e) => fail(new StreamError(lost(e), 'Reconnect')),
    };
    void session.ready.then(() => {
      if (signal.aborted) return;
      session.ws.send(JSON.stringify({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] } }));
      session.ws.send(JSON.stringify({ type: 'response.create' }));
    });
  });
}

/** Asks `text` (again, on a retry: the user's message is already shown) and streams the answer in. */
async function ask(text, { retry = false, spoken = false } = {}) {
  errorBox.hidden = true;
  retryText = null;
  history.push({ role: 'user', content: text });
  if (!retry) addMessage('user', text).classList.toggle('voice', spoken);
  const bubble = addMessage('assistant', '');
  controller = new AbortController();
  const signal = controller.signal;
  setStreaming(true);
  let answer = '';
  let silence;
  const heard = () => {
    status('Assistant is typing…');
    clearTimeout(silence);
    silence = setTimeout(() => status('Still thinking…'), SILENCE_MS);
  };
  const token = (piece) => {
    answer += piece;
    bubble.textContent = answer;
    heard();
  };
  try {
    if (mode === 'realtime') {
      heard();
      await streamRealtime(text, signal, { token });
    } else await streamHttp(signal, { token, heard, quiet: () => clearTimeout(silence) });
    history.push({ role: 'assistant', content: answer });
  } catch (err) {
    if (err.name === 'AbortError') {
      bubble.classList.add('stopped');
      history.push({ role: 'assistant', content: answer });
    } else {
      // The question stays on screen; Retry (or Reconnect) asks it again.
      history.pop();
      if (answer) bubble.classList.add('interrupted');
      else bubble.remove();
      const action = err instanceof StreamError ? err.action : 'Retry';
      retryText = action ? text : null;
      showError(err.message, action);
    }
  } finally {
    clearTimeout(silence);
    controller = null;
    setStreaming(false);
    prompt.focus();
  }
}

/**
 * What was said in a voice note: the page uploads it to the speech-to-text API itself (a FormData
 * with the file and the model), or posts the file to this app's /api/transcribe and the server does.
 */
async function transcribe(file, signal) {
  let res;
  if (mode === 'server') {
    const query = new URLSearchParams({ name: file.name });
    res = await fetch(`/api/transcribe?${query}`, { method: 'POST', headers: { 'content-type': file.type || 'application/octet-stream' }, body: file, signal });
  } else {
    const form = new FormData();
    form.append('file', file);
    form.append('model', transcribeModel);
    res = await fetch(`${baseURL}/audio/transcriptions`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}` }, body: form, signal });
  }
  if (!res.ok) throw new Error(`The voice note could not be transcribed (${res.status}): ${await readableError(res)}`);
  return ((await res.json()).text ?? '').trim();
}

/** A voice note is transcribed, then its transcript is asked as the user's message. */
async function sendVoiceNote(file) {
  errorBox.hidden = true;
  controller = new AbortController();
  setStreaming(true);
  status('Transcribing the voice note…');
  let text = '';
  try {
    text = await transcribe(file, controller.signal);
    if (!text) showError('Nothing was heard in the voice note.');
  } catch (err) {
    if (err.name !== 'AbortError') showError(err.message);
  } finally {
    controller = null;
    setStreaming(false);
  }
  if (text) await ask(text, { spoken: true });
}

voice.addEventListener('change', () => {
  const file = voice.files[0];
  voice.value = '';
  if (file && !controller) void sendVoiceNote(file);
});

retryButton.addEventListener('click', () => {
  if (controller) return;
  if (!retryText) {
    // A realtime session lost between answers: nothing to ask again, only to reconnect.
    errorBox.hidden = true;
    realtimeSession();
    return;
  }
  document.querySelectorAll('.message.assistant.interrupted').forEach((m) => m.remove());
  void ask(retryText, { retry: true });
});

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = prompt.value.trim();
  if (!text || controller) return;
  prompt.value = '';
  void ask(text);
});
prompt.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey) {
    e.preventDefault();
    form.requestSubmit();
  }
});
stop.addEventListener('click', () => controller?.abort());
