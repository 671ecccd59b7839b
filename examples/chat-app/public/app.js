// The chat UI: sends the whole conversation to an OpenAI-compatible chat completions API from the
// page, renders the answer as it streams, lets the user stop it, shows API errors readably.
const params = new URLSearchParams(location.search);
const baseURL = params.get('baseURL') ?? 'https://api.openai.com/v1';
const model = params.get('model') ?? 'gpt-4o-mini';
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
  typing.hidden = !on;
  prompt.disabled = on;
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

async function ask(text) {
  errorEl.hidden = true;
  history.push({ role: 'user', content: text });
  addMessage('user', text);
  const bubble = addMessage('assistant', '');
  controller = new AbortController();
  setStreaming(true);
  let answer = '';
  try {
    const res =
      mode === 'server'
        ? await fetch('/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages: history }), signal: controller.signal })
        : await fetch(`${baseURL}/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
            body: JSON.stringify({ model, messages: history, stream: true }),
            signal: controller.signal,
          });
    if (!res.ok) throw new Error(`The assistant is unavailable (${res.status}): ${await readableError(res)}`);
    for await (const data of sseData(res.body)) {
      if (data === '[DONE]') break;
      const json = JSON.parse(data);
      const token = (mode === 'server' ? json.token : json.choices[0]?.delta?.content) ?? '';
      answer += token;
      bubble.textContent = answer;
    }
    history.push({ role: 'assistant', content: answer });
  } catch (err) {
    if (err.name === 'AbortError') {
      bubble.classList.add('stopped');
      history.push({ role: 'assistant', content: answer });
    } else {
      bubble.remove();
      history.pop();
      errorEl.textContent = err.message;
      errorEl.hidden = false;
    }
  } finally {
    controller = null;
    setStreaming(false);
    prompt.focus();
  }
}

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
