// The chat UI: sends the whole conversation to an OpenAI-compatible chat completions API from the
// page, renders the answer as it streams, lets the user stop it, shows API errors readably with a
// Retry, says "Still thinking…" after a silence, and retries a 429 on its own after the wait it asks.
// A voice note (an audio file) is transcribed by the speech-to-text API and sent as the user's message.
const params = new URLSearchParams(location.search);
const baseURL = params.get('baseURL') ?? 'https://api.openai.com/v1';
const model = params.get('model') ?? 'gpt-4o-mini';
const transcribeModel = params.get('transcribeModel') ?? 'whisper-1';
const apiKey = params.get('key') ?? 'sk-demo-key';
// `browser`: the page calls the LLM API itself; `server`: it posts to this app's /api/chat.
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

function showError(message, { retry }) {
  errorEl.textContent = message;
  errorBox.hidden = false;
  retryButton.hidden = !retry;
}

const DROPPED = 'The connection dropped before the answer was complete.';

/** An error the API reported in the stream (OpenAI: `{"error": {...}}`; this app's server: the same). */
class StreamError extends Error {}

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
  try {
    let res;
    for (let attempt = 0; ; attempt++) {
      heard();
      res = await request(signal);
      const wait429 = res.status === 429 ? retryAfter(res) : undefined;
      if (wait429 === undefined || attempt === AUTO_RETRIES) break;
      clearTimeout(silence);
      status(`Rate limited, retrying in ${Math.ceil(wait429 / 1000)} s…`);
      await wait(wait429, signal);
    }
    if (!res.ok) throw new Error(`The assistant is unavailable (${res.status}): ${await readableError(res)}`);
    try {
      for await (const data of sseData(res.body)) {
        if (data === '[DONE]') break;
        const json = JSON.parse(data);
        if (json.error) throw new StreamError(json.error.code === 'connection_dropped' ? DROPPED : `The answer failed: ${json.error.message ?? json.error}`);
        const token = (mode === 'server' ? json.token : json.choices[0]?.delta?.content) ?? '';
        if (!token) continue;
        answer += token;
        bubble.textContent = answer;
        heard();
      }
    } catch (err) {
      if (err.name === 'AbortError' || err instanceof StreamError) throw err;
      throw new StreamError(DROPPED);
    }
    history.push({ role: 'assistant', content: answer });
  } catch (err) {
    if (err.name === 'AbortError') {
      bubble.classList.add('stopped');
      history.push({ role: 'assistant', content: answer });
    } else {
      // The question stays on screen; Retry asks it again.
      history.pop();
      if (answer) bubble.classList.add('interrupted');
      else bubble.remove();
      retryText = text;
      showError(err.message, { retry: true });
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
    if (!text) showError('Nothing was heard in the voice note.', { retry: false });
  } catch (err) {
    if (err.name !== 'AbortError') showError(err.message, { retry: false });
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
  if (!retryText || controller) return;
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
