// The stand-in upstream's WebSockets (see upstream.ts, which answers their HTTP upgrades on its own
// port): the OpenAI Realtime API and the Gemini Live API, in their real wire formats.
//
// OpenAI Realtime, GET /v1/realtime?model=… : JSON events in text frames. The GA event names, or the
// beta ones when the client sends the header `OpenAI-Beta: realtime=v1` or offers the subprotocol
// `openai-beta.realtime-v1`. On connect: `session.created`. Client events: `session.update`,
// `conversation.item.create`, `input_audio_buffer.append|commit|clear`, `response.create`,
// `response.cancel`. A response streams its answer word by word (text, or audio with its
// transcript, as the session's or the response's modalities ask) and ends with `response.done` and
// its usage. Committed audio is heard by its bytes (`heardIn`), transcribed when the session asks
// for input transcription. No voice activity detection: the client commits and asks for responses.
// A bad client event gets an `error` event with the API's code; model `broken` gets an error event,
// then the socket closes (1011). Of the subprotocols a client offers (a browser offers `realtime`,
// `openai-insecure-api-key.<key>`, `openai-beta.realtime-v1`), the server echoes one, `realtime`
// first, never the key.
//
// Gemini Live, /ws/google.ai.generativelanguage.{v1beta|v1alpha}.GenerativeService.BidiGenerateContent?key=…
// (and …BidiGenerateContentConstrained?access_token=… for ephemeral tokens). The leading slash may
// be doubled, as the SDK sends it. JSON messages in; out, JSON as Google writes it (2-space indented,
// a final newline) in binary frames, so a browser gets Blobs. The first message is `{setup}`, answered
// by `{setupComplete: {}}`. A turn (`clientContent` with `turnComplete`, `realtimeInput.text`, or
// `realtimeInput.audio` chunks ended by `audioStreamEnd` or `activityEnd`) is answered with
// `serverContent.modelTurn.parts` chunks (text, or audio with `outputTranscription` when asked), then
// `generationComplete`, then `turnComplete` with `usageMetadata`. Errors close the socket as Google
// does: 1007 for a bad message, 1011 for model `broken`.
//
// Answers are the HTTP stand-in's: "Echo: <last user text>" (for audio, what was heard).
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { createHash } from 'node:crypto';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { Ids, answerFor, heardIn, tokensOf } from './upstream.js';

type Json = Record<string, any>;

export interface RealtimeOptions {
  /** Delay before each streamed word, ms. */
  tokenDelay: number;
  /** Ids and times derived from the connection's URL and the events before them. */
  deterministic?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const OPENAI_PATH = /\/realtime$/;
const GEMINI_PATH = /^\/+ws\/google\.ai\.generativelanguage\.(v1beta|v1alpha)\.GenerativeService\.(BidiGenerateContent|BidiGenerateContentConstrained)$/;

/** The key a browser hands the Realtime API as a subprotocol. */
const KEY_PROTOCOL = 'openai-insecure-api-key.';
const BETA_PROTOCOL = 'openai-beta.realtime-v1';

/**
 * Answers WebSocket upgrades on `server`; any other upgrade gets a 404. Returns what ends every
 * open socket (the HTTP server's own close does not reach upgraded ones).
 */
export function attachRealtime(server: http.Server, options: RealtimeOptions): () => void {
  // The spec requires the server to echo one of the subprotocols offered, if any; a browser fails
  // the handshake otherwise.
  const handleProtocols = (offered: Set<string>) => (offered.has('realtime') ? 'realtime' : ([...offered].find((p) => !p.startsWith(KEY_PROTOCOL)) ?? [...offered][0] ?? false));
  const wss = new WebSocketServer({ noServer: true, handleProtocols });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    // Not `new URL`: it would read the path `//ws/…` as a host.
    const [pathname, query = ''] = (req.url ?? '/').split('?');
    const url = { pathname, searchParams: new URLSearchParams(query) };
    const ids = new Ids(options.deterministic ? createHash('sha256').update(`GET ${req.url}`).digest('hex') : undefined);
    if (OPENAI_PATH.test(url.pathname)) {
      const model = url.searchParams.get('model');
      if (!model && !url.searchParams.get('call_id')) {
        return refuse(socket, 400, { error: { message: "Missing required parameter: 'model'.", type: 'invalid_request_error', param: 'model', code: 'missing_required_parameter' } });
      }
      const beta = /\brealtime=v1\b/.test(String(req.headers['openai-beta'] ?? '')) || String(req.headers['sec-websocket-protocol'] ?? '').split(/\s*,\s*/).includes(BETA_PROTOCOL);
      return wss.handleUpgrade(req, socket, head, (ws) => new OpenAIRealtime(ws, model ?? 'gpt-realtime', beta, ids, options.tokenDelay));
    }
    if (GEMINI_PATH.test(url.pathname)) return wss.handleUpgrade(req, socket, head, (ws) => new GeminiLive(ws, options.tokenDelay));
    refuse(socket, 404, { error: { message: `Unknown WebSocket URL: ${url.pathname}`, type: 'invalid_request_error', param: null, code: 'unknown_url' } });
  });
  return () => {
    for (const ws of wss.clients) ws.terminate();
  };
}

/** An upgrade refused with an HTTP answer. */
function refuse(socket: Duplex, status: number, body: Json) {
  const text = JSON.stringify(body);
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
}

function isObject(v: unknown): v is Json {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** `patch` merged into `into`, objects key by key; anything else replaced. */
function merge(into: Json, patch: Json): Json {
  for (const [k, v] of Object.entries(patch)) into[k] = isObject(v) && isObject(into[k]) ? merge(into[k], v) : v;
  return into;
}

/** Audio the stand-in speaks for a word: 20 ms of 24 kHz PCM16, derived from the word. */
function speech(word: string): Buffer {
  const out: Buffer[] = [];
  for (let k = 0; out.length * 32 < 960; k++) out.push(createHash('sha256').update(`${word}#${k}`).digest());
  return Buffer.concat(out).subarray(0, 960);
}

// ---------------------------------------------------------------------------------------------
// OpenAI Realtime

/** The GA and beta names of the events whose names differ. */
const NAMES = {
  itemAdded: ['conversation.item.added', 'conversation.item.created'],
  textDelta: ['response.output_text.delta', 'response.text.delta'],
  textDone: ['response.output_text.done', 'response.text.done'],
  audioDelta: ['response.output_audio.delta', 'response.audio.delta'],
  audioDone: ['response.output_audio.done', 'response.audio.done'],
  transcriptDelta: ['response.output_audio_transcript.delta', 'response.audio_transcript.delta'],
  transcriptDone: ['response.output_audio_transcript.done', 'response.audio_transcript.done'],
} as const;

const CLIENT_EVENTS = ['session.update', 'input_audio_buffer.append', 'input_audio_buffer.commit', 'input_audio_buffer.clear', 'conversation.item.create', 'response.create', 'response.cancel'];

/** A conversation item, and the text the model reads in it. */
interface Item {
  id: string;
  role: string;
  text: string;
  audioBytes: number;
}

class OpenAIRealtime {
  private readonly session: Json;
  private readonly items: Item[] = [];
  private audio: Buffer[] = [];
  private active?: { id: string; cancelled: boolean };

  constructor(
    private readonly ws: WebSocket,
    model: string,
    private readonly beta: boolean,
    private readonly ids: Ids,
    private readonly delay: number,
  ) {
    const id = 'sess_' + ids.alnum(21);
    const expires_at = ids.unix() + 3600;
    const instructions = 'You are a helpful, witty, and friendly AI.';
    this.session = beta
      ? { id, object: 'realtime.session', expires_at, model, modalities: ['text', 'audio'], instructions, voice: 'alloy', input_audio_format: 'pcm16', output_audio_format: 'pcm16', input_audio_transcription: null, turn_detection: null, tools: [], tool_choice: 'auto', temperature: 0.8, max_response_output_tokens: 'inf', speed: 1, tracing: null }
      : {
          type: 'realtime',
          object: 'realtime.session',
          id,
          model,
          output_modalities: ['audio'],
          instructions,
          tools: [],
          tool_choice: 'auto',
          max_output_tokens: 'inf',
          tracing: null,
          truncation: 'auto',
          prompt: null,
          expires_at,
          audio: {
            input: { format: { type: 'audio/pcm', rate: 24000 }, transcription: null, noise_reduction: null, turn_detection: null },
            output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'marin', speed: 1 },
          },
          include: null,
        };
    if (model === 'broken') {
      this.error('server_error', null, 'The server had an error while processing your request.');
      ws.close(1011, 'Internal server error');
      return;
    }
    this.send('session.created', { session: this.session });
    ws.on('message', (data: RawData) => this.receive(data.toString()));
  }

  private name(key: keyof typeof NAMES) {
    return NAMES[key][this.beta ? 1 : 0];
  }

  private send(type: string, fields: Json = {}) {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify({ type, event_id: 'event_' + this.ids.alnum(21), ...fields }));
  }

  private error(type: string, code: string | null, message: string, param: string | null = null, eventId: string | null = null) {
    this.send('error', { error: { type, code, message, param, event_id: eventId } });
  }

  private receive(text: string) {
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch (e) {
      return this.error('invalid_request_error', 'invalid_json', `We could not parse the JSON of your event: ${(e as Error).message}`);
    }
    if (!isObject(event)) return this.error('invalid_request_error', 'invalid_type', 'Invalid type for client event: expected an object.');
    const eventId = typeof event.event_id === 'string' ? event.event_id : null;
    const missing = (param: string) => this.error('invalid_request_error', 'missing_required_parameter', `Missing required parameter: '${param}'.`, param, eventId);
    if (typeof event.type !== 'string') return missing('type');
    switch (event.type) {
      case 'session.update':
        if (!isObject(event.session)) return missing('session');
        if (!this.beta && event.session.type === undefined) return missing('session.type');
        merge(this.session, event.session);
        return this.send('session.updated', { session: this.session });
      case 'conversation.item.create':
        if (!isObject(event.item)) return missing('item');
        return this.addItem(event.item, event.previous_item_id);
      case 'input_audio_buffer.append':
        if (typeof event.audio !== 'string') return missing('audio');
        this.audio.push(Buffer.from(event.audio, 'base64'));
        return;
      case 'input_audio_buffer.clear':
        this.audio = [];
        return this.send('input_audio_buffer.cleared');
      case 'input_audio_buffer.commit':
        return this.commit(eventId);
      case 'response.create':
        if (this.active) {
          return this.error('invalid_request_error', 'conversation_already_has_active_response', `Conversation already has an active response in progress: ${this.active.id}. Wait until the response is finished before creating a new one.`, null, eventId);
        }
        return void this.respond(isObject(event.response) ? event.response : {});
      case 'response.cancel':
        if (!this.active) return this.error('invalid_request_error', 'response_cancel_not_active', 'Cancellation failed: no active response found.', null, eventId);
        this.active.cancelled = true;
        return;
      default:
        return this.error('invalid_request_error', 'invalid_value', `Invalid value: '${event.type}'. Supported values are: ${CLIENT_EVENTS.map((t) => `'${t}'`).join(', ')}.`, 'type', eventId);
    }
  }

  /** The item as the server shows it: ids and status added, audio replaced by its transcript. */
  private shown(item: Json, transcript: string | null = null): Json {
    const content = (item.content ?? []).map((part: Json) => (part.type === 'input_audio' ? { type: 'input_audio', transcript } : part));
    return { id: item.id, ...(this.beta ? { object: 'realtime.item' } : {}), type: item.type ?? 'message', status: 'completed', role: item.role, content };
  }

  private addItem(item: Json, previous?: string) {
    const id = typeof item.id === 'string' ? item.id : 'item_' + this.ids.alnum(21);
    let audioBytes = 0;
    const text = (Array.isArray(item.content) ? item.content : [])
      .map((part: Json) => {
        if (part.type !== 'input_audio') return String(part.text ?? part.transcript ?? '');
        const bytes = Buffer.from(String(part.audio ?? ''), 'base64');
        audioBytes += bytes.length;
        return heardIn(bytes).join(' ');
      })
      .join(' ');
    const shown = this.shown({ ...item, id });
    const previous_item_id = previous ?? this.items.at(-1)?.id ?? null;
    this.items.push({ id, role: String(item.role ?? 'user'), text, audioBytes });
    this.send(this.name('itemAdded'), { previous_item_id, item: shown });
    if (!this.beta) this.send('conversation.item.done', { previous_item_id, item: shown });
  }

  /** Bytes per ms of the input audio format: PCM16 at 24 kHz, or G.711 at 8 kHz. */
  private bytesPerMs() {
    const format = this.beta ? this.session.input_audio_format : this.session.audio?.input?.format?.type;
    return format === 'pcm16' || format === 'audio/pcm' ? 48 : 8;
  }

  private async commit(eventId: string | null) {
    const bytes = Buffer.concat(this.audio);
    const ms = bytes.length / this.bytesPerMs();
    if (ms < 100) {
      return this.error('invalid_request_error', 'input_audio_buffer_commit_empty', `Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has ${ms.toFixed(2)}ms of audio.`, null, eventId);
    }
    this.audio = [];
    const id = 'item_' + this.ids.alnum(21);
    const previous_item_id = this.items.at(-1)?.id ?? null;
    const transcript = heardIn(bytes).join(' ');
    this.items.push({ id, role: 'user', text: transcript, audioBytes: bytes.length });
    this.send('input_audio_buffer.committed', { previous_item_id, item_id: id });
    const item = { id, type: 'message', role: 'user', content: [{ type: 'input_audio' }] };
    this.send(this.name('itemAdded'), { previous_item_id, item: this.shown(item) });
    if (!this.beta) this.send('conversation.item.done', { previous_item_id, item: this.shown(item) });
    if (!(this.beta ? this.session.input_audio_transcription : this.session.audio?.input?.transcription)) return;
    const words = tokensOf(transcript);
    for (const delta of words) {
      await sleep(this.delay);
      this.send('conversation.item.input_audio_transcription.delta', { item_id: id, content_index: 0, delta });
    }
    const audioTokens = Math.ceil(ms / 100);
    const usage = { type: 'tokens', input_tokens: audioTokens, input_token_details: { text_tokens: 0, audio_tokens: audioTokens }, output_tokens: words.length, total_tokens: audioTokens + words.length };
    this.send('conversation.item.input_audio_transcription.completed', { item_id: id, content_index: 0, transcript, usage });
  }

  private async respond(params: Json) {
    const responseId = 'resp_' + this.ids.alnum(21);
    const active = (this.active = { id: responseId, cancelled: false });
    const modalities: string[] = (this.beta ? (params.modalities ?? this.session.modalities) : (params.output_modalities ?? this.session.output_modalities)) ?? [];
    const audio = modalities.includes('audio');
    const lastUser = [...this.items].reverse().find((i) => i.role === 'user');
    const answer = answerFor({ input: lastUser?.text ?? '' });
    const words = tokensOf(answer);
    const itemId = 'item_' + this.ids.alnum(21);
    const conversationId = 'conv_' + this.ids.alnum(21);
    const output = this.beta ? { output_audio_format: this.session.output_audio_format, voice: this.session.voice } : { audio: { output: { format: this.session.audio.output.format, voice: this.session.audio.output.voice } } };
    const response = (status: string, out: Json[], usage: Json | null, details: Json | null = null) => ({
      object: 'realtime.response',
      id: responseId,
      status,
      status_details: details,
      output: out,
      conversation_id: conversationId,
      ...(this.beta ? { modalities, temperature: this.session.temperature } : { output_modalities: modalities }),
      max_output_tokens: 'inf',
      ...output,
      usage,
      metadata: params.metadata ?? null,
    });
    const at = { response_id: responseId, item_id: itemId, output_index: 0, content_index: 0 };
    const partType = audio ? 'audio' : 'text';
    const contentType = audio ? (this.beta ? 'audio' : 'output_audio') : this.beta ? 'text' : 'output_text';
    const item = (status: string, said: string | null) => ({
      id: itemId,
      ...(this.beta ? { object: 'realtime.item' } : {}),
      type: 'message',
      status,
      role: 'assistant',
      content: said === null ? [] : [audio ? { type: contentType, transcript: said } : { type: contentType, text: said }],
    });

    const previous_item_id = this.items.at(-1)?.id ?? null;
    this.send('response.created', { response: response('in_progress', [], null) });
    const inputTokens = this.items.reduce((n, i) => n + tokensOf(i.text).length, 0);
    this.send('rate_limits.updated', {
      rate_limits: [
        { name: 'requests', limit: 5000, remaining: 4999, reset_seconds: 0.012 },
        { name: 'tokens', limit: 800000, remaining: 800000 - inputTokens - words.length, reset_seconds: 0.6 },
      ],
    });
    this.send('response.output_item.added', { response_id: responseId, output_index: 0, item: item('in_progress', null) });
    this.send(this.name('itemAdded'), { previous_item_id, item: item('in_progress', null) });
    this.send('response.content_part.added', { ...at, part: audio ? { type: partType, transcript: '' } : { type: partType, text: '' } });
    let said = '';
    for (const word of words) {
      await sleep(this.delay);
      if (active.cancelled || this.ws.readyState !== this.ws.OPEN) break;
      said += word;
      if (audio) {
        this.send(this.name('audioDelta'), { ...at, delta: speech(word).toString('base64') });
        this.send(this.name('transcriptDelta'), { ...at, delta: word });
      } else this.send(this.name('textDelta'), { ...at, delta: word });
    }
    this.active = undefined;
    const spoken = tokensOf(said).length;
    const audioTokens = audio ? Math.ceil(spoken / 5) : 0;
    const audioIn = this.items.reduce((n, i) => n + Math.ceil(i.audioBytes / (this.bytesPerMs() * 100)), 0);
    const usage = {
      total_tokens: inputTokens + audioIn + spoken + audioTokens,
      input_tokens: inputTokens + audioIn,
      output_tokens: spoken + audioTokens,
      input_token_details: { text_tokens: inputTokens, audio_tokens: audioIn, image_tokens: 0, cached_tokens: 0, cached_tokens_details: { text_tokens: 0, audio_tokens: 0, image_tokens: 0 } },
      output_token_details: { text_tokens: spoken, audio_tokens: audioTokens },
    };
    this.items.push({ id: itemId, role: 'assistant', text: said, audioBytes: 0 });
    if (active.cancelled) {
      const cut = item('incomplete', said);
      this.send('response.output_item.done', { response_id: responseId, output_index: 0, item: cut });
      return this.send('response.done', { response: response('cancelled', [cut], usage, { type: 'cancelled', reason: 'client_cancelled' }) });
    }
    if (audio) {
      this.send(this.name('audioDone'), at);
      this.send(this.name('transcriptDone'), { ...at, transcript: said });
    } else this.send(this.name('textDone'), { ...at, text: said });
    this.send('response.content_part.done', { ...at, part: audio ? { type: partType, transcript: said } : { type: partType, text: said } });
    const done = item('completed', said);
    if (!this.beta) this.send('conversation.item.done', { previous_item_id, item: done });
    this.send('response.output_item.done', { response_id: responseId, output_index: 0, item: done });
    this.send('response.done', { response: response('completed', [done], usage) });
  }
}

// ---------------------------------------------------------------------------------------------
// Gemini Live

const GEMINI_MESSAGES = ['setup', 'clientContent', 'realtimeInput', 'toolResponse', 'contextUpdate'];

class GeminiLive {
  private setup?: Json;
  private readonly history: Json[] = [];
  private audio: Buffer[] = [];
  /** Messages are handled one after another: a turn is answered before the next is read. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly ws: WebSocket,
    private readonly delay: number,
  ) {
    ws.on('message', (data: RawData) => {
      this.queue = this.queue.then(() => this.receive(data.toString())).catch(() => this.fail(1011, 'Internal error encountered.'));
    });
  }

  /** JSON as Google's servers write it, in a binary frame. */
  private send(message: Json) {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(Buffer.from(JSON.stringify(message, null, 2) + '\n'), { binary: true });
  }

  /** Google closes the socket on a bad message, with the reason (at most 123 bytes). */
  private fail(code: number, reason: string) {
    this.ws.close(code, Buffer.from(reason).subarray(0, 123).toString());
  }

  private async receive(text: string) {
    if (this.ws.readyState !== this.ws.OPEN) return;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return this.fail(1007, 'Invalid JSON payload received. Unexpected token.');
    }
    if (!isObject(message)) return this.fail(1007, 'Invalid JSON payload received. Expected an object.');
    const unknown = Object.keys(message).find((k) => !GEMINI_MESSAGES.includes(k));
    if (unknown) return this.fail(1007, `Invalid JSON payload received. Unknown name "${unknown}": Cannot find field.`);
    if (Object.keys(message).length !== 1) return this.fail(1007, 'Request contains an invalid argument.');
    if (!this.setup) {
      if (!isObject(message.setup) || typeof message.setup.model !== 'string') return this.fail(1007, 'Request contains an invalid argument.');
      if (message.setup.model.replace(/^models\//, '') === 'broken') return this.fail(1011, 'Internal error encountered.');
      this.setup = message.setup;
      return this.send({ setupComplete: {} });
    }
    if (message.setup) return this.fail(1007, 'Request contains an invalid argument.');
    if (isObject(message.clientContent)) {
      const { turns, turnComplete } = message.clientContent;
      if (Array.isArray(turns)) this.history.push(...turns);
      if (turnComplete) await this.answer();
      return;
    }
    if (isObject(message.realtimeInput)) {
      const input = message.realtimeInput;
      if (typeof input.text === 'string') {
        this.history.push({ role: 'user', parts: [{ text: input.text }] });
        return this.answer();
      }
      for (const chunk of [input.audio, ...(Array.isArray(input.mediaChunks) ? input.mediaChunks : [])]) {
        if (isObject(chunk) && String(chunk.mimeType ?? '').startsWith('audio/')) this.audio.push(Buffer.from(String(chunk.data ?? ''), 'base64'));
      }
      if (input.activityStart) this.audio = [];
      if ((input.audioStreamEnd || input.activityEnd) && this.audio.length) {
        const heard = heardIn(Buffer.concat(this.audio)).join(' ');
        this.audio = [];
        if (this.setup.inputAudioTranscription) this.send({ serverContent: { inputTranscription: { text: heard } } });
        this.history.push({ role: 'user', parts: [{ text: heard }] });
        return this.answer();
      }
    }
    // toolResponse, contextUpdate: taken, unanswered.
  }

  private async answer() {
    const setup = this.setup as Json;
    const modality = String(setup.generationConfig?.responseModalities?.[0] ?? 'AUDIO').toUpperCase();
    const words = tokensOf(answerFor({ contents: this.history }));
    for (const word of words) {
      await sleep(this.delay);
      if (this.ws.readyState !== this.ws.OPEN) return;
      if (modality === 'TEXT') this.send({ serverContent: { modelTurn: { parts: [{ text: word }] } } });
      else {
        this.send({ serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: 'audio/pcm;rate=24000', data: speech(word).toString('base64') } }] } } });
        if (setup.outputAudioTranscription) this.send({ serverContent: { outputTranscription: { text: word } } });
      }
    }
    const promptTokens = this.history.reduce((n, turn) => n + tokensOf((turn.parts ?? []).map((p: Json) => p.text ?? '').join(' ')).length, 0);
    this.history.push({ role: 'model', parts: [{ text: words.join('') }] });
    const responseTokens = modality === 'TEXT' ? words.length : Math.ceil(words.length / 5);
    this.send({ serverContent: { generationComplete: true } });
    this.send({
      serverContent: { turnComplete: true },
      usageMetadata: {
        promptTokenCount: promptTokens,
        responseTokenCount: responseTokens,
        totalTokenCount: promptTokens + responseTokens,
        promptTokensDetails: [{ modality: 'TEXT', tokenCount: promptTokens }],
        responseTokensDetails: [{ modality, tokenCount: responseTokens }],
      },
    });
  }
}
