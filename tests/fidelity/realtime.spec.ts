// The stand-in upstream's WebSockets (tests/support/realtime.ts) speak the OpenAI Realtime and the
// Gemini Live protocols well enough for the official clients, with no plugin: the openai SDK's
// OpenAIRealtimeWS holds a GA text conversation, @google/genai's live.connect a text one; raw `ws`
// clients check what the SDKs hide (beta event names, subprotocols, binary frames, audio, errors).
import net from 'node:net';
import { createHash } from 'node:crypto';
import { test as base, expect } from '@playwright/test';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { GoogleGenAI, Modality, type LiveServerMessage } from '@google/genai';
import WebSocket from 'ws';
import { upstreamFixture, type Upstream } from '../support/upstream.js';

const test = base.extend<object, { upstream: Upstream }>({
  upstream: [upstreamFixture({ tokenDelay: 1 }), { scope: 'worker' }],
});

type Json = Record<string, any>;

/** What a socket received, in order; `next` waits for the first unread one that matches. */
class Inbox<T> {
  readonly all: T[] = [];
  private read = 0;
  private waiting?: { match: (x: T) => boolean; resolve: (x: T) => void };

  push(x: T) {
    this.all.push(x);
    this.check();
  }
  next(match: (x: T) => boolean): Promise<T> {
    return new Promise((resolve) => {
      this.waiting = { match, resolve };
      this.check();
    });
  }
  private check() {
    while (this.waiting && this.read < this.all.length) {
      const x = this.all[this.read++];
      if (this.waiting.match(x)) {
        const { resolve } = this.waiting;
        this.waiting = undefined;
        resolve(x);
      }
    }
  }
}

const ofType = (type: string) => (e: Json) => e.type === type;

/** A raw client: JSON events in, with whether each came in a binary frame; how it closed. */
function connect(url: string, options: WebSocket.ClientOptions & { protocols?: string[] } = {}) {
  const ws = new WebSocket(url, options.protocols ?? [], options);
  const inbox = new Inbox<Json>();
  const frames: { binary: boolean; text: string }[] = [];
  ws.on('message', (data, binary) => {
    frames.push({ binary, text: data.toString() });
    inbox.push(JSON.parse(data.toString()));
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const send = (event: Json) => ws.send(JSON.stringify(event));
  return { ws, inbox, frames, opened, closed, send };
}

const wsUrl = (upstream: Upstream, path: string) => upstream.url.replace(/^http/, 'ws') + path;
const sha8 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex').slice(0, 8);
const tokens = (text: string) => text.split(' ').length;
/** Audio of `n` bytes, the same every run. */
const audioOf = (n: number, seed = 1) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed * 7) % 256));

test.describe('OpenAI Realtime', () => {
  test('OpenAIRealtimeWS holds a GA text conversation: the events in order, the answer streamed word by word, response.done with usage', async ({ upstream }) => {
    const client = new OpenAI({ apiKey: 'sk-realtime-test', baseURL: `${upstream.url}/v1` });
    // The SDK always dials wss://; the stand-in is plain ws://, so ws gets a plain TCP socket.
    const createConnection = ((o: net.TcpNetConnectOpts) => net.connect({ host: o.host, port: o.port })) as typeof net.createConnection;
    const rt = new OpenAIRealtimeWS({ model: 'gpt-realtime', options: { createConnection } }, client);
    const inbox = new Inbox<Json>();
    const errors: unknown[] = [];
    rt.on('event', (e) => inbox.push(e));
    rt.on('error', (e) => errors.push(e));
    try {
      const created = await inbox.next(ofType('session.created'));
      expect(created.session).toMatchObject({ type: 'realtime', object: 'realtime.session', model: 'gpt-realtime', output_modalities: ['audio'] });
      expect(created.session.id).toMatch(/^sess_/);
      rt.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'] } });
      expect((await inbox.next(ofType('session.updated'))).session).toMatchObject({ output_modalities: ['text'], audio: { output: { voice: 'marin' } } });
      rt.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hello there' }] } });
      rt.send({ type: 'response.create' });
      const done = await inbox.next(ofType('response.done'));

      const types = inbox.all.map((e) => e.type);
      expect(types).toEqual([
        'session.created',
        'session.updated',
        'conversation.item.added',
        'conversation.item.done',
        'response.created',
        'rate_limits.updated',
        'response.output_item.added',
        'conversation.item.added',
        'response.content_part.added',
        'response.output_text.delta',
        'response.output_text.delta',
        'response.output_text.delta',
        'response.output_text.done',
        'response.content_part.done',
        'conversation.item.done',
        'response.output_item.done',
        'response.done',
      ]);
      expect(new Set(inbox.all.map((e) => e.event_id)).size, 'every event has its own id').toBe(inbox.all.length);
      const user = inbox.all[2];
      expect(user.item).toMatchObject({ type: 'message', role: 'user', status: 'completed', content: [{ type: 'input_text', text: 'Hello there' }] });
      const deltas = inbox.all.filter(ofType('response.output_text.delta'));
      expect(deltas.map((e) => e.delta)).toEqual(['Echo:', ' Hello', ' there']);
      const itemId = inbox.all.find(ofType('response.output_item.added'))!.item.id;
      for (const d of deltas) expect(d).toMatchObject({ response_id: done.response.id, item_id: itemId, output_index: 0, content_index: 0 });
      expect(inbox.all.find(ofType('response.output_text.done'))!.text).toBe('Echo: Hello there');
      expect(done.response).toMatchObject({
        object: 'realtime.response',
        status: 'completed',
        output_modalities: ['text'],
        output: [{ id: itemId, type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Echo: Hello there' }] }],
        usage: { input_tokens: 2, output_tokens: 3, total_tokens: 5, output_token_details: { text_tokens: 3, audio_tokens: 0 } },
      });
      expect(errors).toEqual([]);
      expect(upstream.received.at(-1)).toMatchObject({ authorization: 'Bearer sk-realtime-test', upgrade: 'websocket' });
      expect(rt.url.searchParams.get('model')).toBe('gpt-realtime');
    } finally {
      rt.close();
    }
  });

  test('with OpenAI-Beta: realtime=v1, the beta names and shapes; committed audio is heard by its bytes and transcribed', async ({ upstream }) => {
    const c = connect(wsUrl(upstream, '/v1/realtime?model=gpt-4o-realtime-preview'), { headers: { Authorization: 'Bearer sk-test', 'OpenAI-Beta': 'realtime=v1' } });
    try {
      const created = await c.inbox.next(ofType('session.created'));
      expect(created.session).toMatchObject({ object: 'realtime.session', modalities: ['text', 'audio'], input_audio_format: 'pcm16', voice: 'alloy' });
      expect(created.session).not.toHaveProperty('output_modalities');
      c.send({ type: 'session.update', session: { modalities: ['text'], input_audio_transcription: { model: 'whisper-1' } } });
      await c.inbox.next(ofType('session.updated'));
      // 200 ms of 24 kHz PCM16, in two appends.
      const audio = audioOf(9600);
      c.send({ type: 'input_audio_buffer.append', audio: audio.subarray(0, 4800).toString('base64') });
      c.send({ type: 'input_audio_buffer.append', audio: audio.subarray(4800).toString('base64') });
      c.send({ type: 'input_audio_buffer.commit' });
      const committed = await c.inbox.next(ofType('input_audio_buffer.committed'));
      const item = await c.inbox.next(ofType('conversation.item.created'));
      expect(item.item).toEqual({ id: committed.item_id, object: 'realtime.item', type: 'message', status: 'completed', role: 'user', content: [{ type: 'input_audio', transcript: null }] });
      const heard = `Heard 9600 bytes of audio. Digest ${sha8(audio)}.`;
      const transcribed = await c.inbox.next(ofType('conversation.item.input_audio_transcription.completed'));
      expect(transcribed).toMatchObject({ item_id: committed.item_id, content_index: 0, transcript: heard });
      const partial = c.inbox.all.filter(ofType('conversation.item.input_audio_transcription.delta')).map((e) => e.delta);
      expect(partial.join('')).toBe(heard);

      c.send({ type: 'response.create' });
      const done = await c.inbox.next(ofType('response.done'));
      const answer = `Echo: ${heard}`;
      expect(c.inbox.all.filter(ofType('response.text.delta')).map((e) => e.delta).join('')).toBe(answer);
      expect(c.inbox.all.find(ofType('response.text.done'))!.text).toBe(answer);
      expect(done.response).toMatchObject({ status: 'completed', modalities: ['text'], output: [{ object: 'realtime.item', content: [{ type: 'text', text: answer }] }] });
      expect(done.response.usage.input_token_details.audio_tokens).toBe(2);
      const types = new Set(c.inbox.all.map((e) => e.type));
      for (const ga of ['conversation.item.added', 'conversation.item.done', 'response.output_text.delta', 'response.output_text.done']) expect(types.has(ga), ga).toBe(false);
      expect(c.frames.every((f) => !f.binary), 'OpenAI sends text frames').toBe(true);
    } finally {
      c.ws.close();
    }
  });

  test("the browser's subprotocols: `realtime` echoed, never the key; audio answers stream audio with its transcript, GA or beta", async ({ upstream }) => {
    const key = 'openai-insecure-api-key.sk-browser-key';
    for (const beta of [false, true]) {
      const c = connect(wsUrl(upstream, '/v1/realtime?model=gpt-realtime'), { protocols: ['realtime', key, ...(beta ? ['openai-beta.realtime-v1'] : [])] });
      try {
        await c.opened;
        expect(c.ws.protocol).toBe('realtime');
        expect(upstream.received.at(-1)!['sec-websocket-protocol']).toContain(key);
        await c.inbox.next(ofType('session.created'));
        c.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Say hi' }] } });
        c.send({ type: 'response.create' });
        const done = await c.inbox.next(ofType('response.done'));
        const audio = c.inbox.all.filter(ofType(beta ? 'response.audio.delta' : 'response.output_audio.delta')).map((e) => Buffer.from(e.delta, 'base64'));
        expect(audio.map((b) => b.length)).toEqual([960, 960, 960]);
        expect(new Set(audio.map((b) => b.toString('hex'))).size).toBe(3);
        const transcript = c.inbox.all.filter(ofType(beta ? 'response.audio_transcript.delta' : 'response.output_audio_transcript.delta')).map((e) => e.delta);
        expect(transcript.join('')).toBe('Echo: Say hi');
        expect(c.inbox.all.find(ofType(beta ? 'response.audio_transcript.done' : 'response.output_audio_transcript.done'))!.transcript).toBe('Echo: Say hi');
        expect(done.response.output[0].content).toEqual([{ type: beta ? 'audio' : 'output_audio', transcript: 'Echo: Say hi' }]);
      } finally {
        c.ws.close();
      }
    }
    // Offered only the key and another protocol, the server echoes the other one.
    const other = connect(wsUrl(upstream, '/v1/realtime?model=gpt-realtime'), { protocols: [key, 'openai-beta.realtime-v1'] });
    await other.opened;
    expect(other.ws.protocol).toBe('openai-beta.realtime-v1');
    other.ws.close();
  });

  test('a bad client event gets an error event naming it, and the session goes on; a cancelled response ends cancelled; model broken gets an error then a close', async ({ upstream }) => {
    const c = connect(wsUrl(upstream, '/v1/realtime?model=gpt-realtime'));
    try {
      await c.inbox.next(ofType('session.created'));
      const error = () => c.inbox.next(ofType('error')).then((e) => e.error);
      c.ws.send('{not json');
      expect(await error()).toMatchObject({ type: 'invalid_request_error', code: 'invalid_json' });
      c.send({ type: 'response.creat', event_id: 'evt_client_1' });
      expect(await error()).toMatchObject({ code: 'invalid_value', param: 'type', event_id: 'evt_client_1', message: expect.stringContaining("'response.creat'") });
      c.send({ type: 'session.update', session: { output_modalities: ['text'] } });
      expect(await error()).toMatchObject({ code: 'missing_required_parameter', param: 'session.type' });
      c.send({ type: 'conversation.item.create' });
      expect(await error()).toMatchObject({ code: 'missing_required_parameter', param: 'item' });
      c.send({ type: 'input_audio_buffer.append', audio: audioOf(2400).toString('base64') });
      c.send({ type: 'input_audio_buffer.commit' });
      expect(await error()).toMatchObject({ code: 'input_audio_buffer_commit_empty', message: expect.stringContaining('only has 50.00ms of audio') });
      c.send({ type: 'response.cancel' });
      expect(await error()).toMatchObject({ code: 'response_cancel_not_active' });

      // A long answer; the second response.create and the cancel are sent with the first, in the
      // same tick, so they reach the server while it streams.
      const words = Array.from({ length: 150 }, (_, i) => `w${i}`).join(' ');
      c.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'] } });
      c.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: words }] } });
      c.send({ type: 'response.create' });
      c.send({ type: 'response.create', event_id: 'evt_client_2' });
      c.send({ type: 'response.cancel' });
      expect(await error()).toMatchObject({ code: 'conversation_already_has_active_response', event_id: 'evt_client_2' });
      const cancelled = await c.inbox.next(ofType('response.done'));
      expect(cancelled.response).toMatchObject({ status: 'cancelled', status_details: { type: 'cancelled', reason: 'client_cancelled' }, output: [{ status: 'incomplete' }] });
      expect(c.inbox.all.filter(ofType('response.output_text.delta')).length).toBeLessThan(151);
      expect(c.inbox.all.some(ofType('response.output_text.done'))).toBe(false);

      // Still answering.
      c.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'After all that' }] } });
      c.send({ type: 'response.create' });
      const done = await c.inbox.next(ofType('response.done'));
      expect(done.response).toMatchObject({ status: 'completed', output: [{ content: [{ text: 'Echo: After all that' }] }] });
    } finally {
      c.ws.close();
    }

    const broken = connect(wsUrl(upstream, '/v1/realtime?model=broken'));
    expect(await broken.closed).toEqual({ code: 1011, reason: 'Internal server error' });
    expect(broken.inbox.all.map((e) => [e.type, e.error?.type])).toEqual([['error', 'server_error']]);

    for (const [path, status] of [['/v1/realtime', 400], ['/v1/elsewhere?model=gpt-realtime', 404]] as const) {
      const refused = new WebSocket(wsUrl(upstream, path));
      const answer = await new Promise<number>((resolve) =>
        refused.once('unexpected-response', (req, res) => {
          req.destroy();
          resolve(res.statusCode ?? 0);
        }),
      );
      expect(answer, path).toBe(status);
    }
  });
});

test.describe('Gemini Live', () => {
  test('@google/genai live.connect holds a text conversation: chunks of the answer, then turnComplete with usageMetadata', async ({ upstream }) => {
    const ai = new GoogleGenAI({ apiKey: 'gemini-test-key', httpOptions: { baseUrl: upstream.url } });
    const inbox = new Inbox<LiveServerMessage>();
    const session = await ai.live.connect({
      model: 'gemini-live-2.5-flash-preview',
      config: { responseModalities: [Modality.TEXT] },
      callbacks: { onmessage: (m) => inbox.push(m) },
    });
    try {
      expect(inbox.all[0].setupComplete).toEqual({});
      const turn = async (text: string) => {
        const from = inbox.all.length;
        session.sendClientContent({ turns: text });
        const end = await inbox.next((m) => !!m.serverContent?.turnComplete);
        return { messages: inbox.all.slice(from), end };
      };
      const first = await turn('Hello Gemini');
      expect(first.messages.filter((m) => m.serverContent?.modelTurn).map((m) => m.text)).toEqual(['Echo:', ' Hello', ' Gemini']);
      expect(first.messages.at(-2)!.serverContent).toEqual({ generationComplete: true });
      expect(first.end.usageMetadata).toMatchObject({ promptTokenCount: 2, responseTokenCount: 3, totalTokenCount: 5, responseTokensDetails: [{ modality: 'TEXT', tokenCount: 3 }] });

      const second = await turn('And again');
      expect(second.messages.map((m) => m.text ?? '').join('')).toBe('Echo: And again');
      expect(second.end.usageMetadata!.promptTokenCount, 'the whole conversation is the prompt').toBe(2 + 3 + 2);
    } finally {
      session.close();
    }
  });

  test('raw: JSON in binary frames as Google writes it; the ephemeral-token endpoint; audio in, audio and transcriptions out; a bad message closes the socket', async ({ upstream }) => {
    const c = connect(wsUrl(upstream, '/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained?access_token=auth_tokens/abc'));
    try {
      await c.opened;
      c.send({ setup: { model: 'models/gemini-2.5-flash-native-audio-preview', generationConfig: { responseModalities: ['AUDIO'] }, inputAudioTranscription: {}, outputAudioTranscription: {} } });
      await c.inbox.next((m) => !!m.setupComplete);
      expect(c.frames[0]).toEqual({ binary: true, text: '{\n  "setupComplete": {}\n}\n' });

      const audio = audioOf(6400, 2);
      for (const half of [audio.subarray(0, 3200), audio.subarray(3200)]) c.send({ realtimeInput: { audio: { data: half.toString('base64'), mimeType: 'audio/pcm;rate=16000' } } });
      c.send({ realtimeInput: { audioStreamEnd: true } });
      await c.inbox.next((m) => !!m.serverContent?.turnComplete);
      const heard = `Heard 6400 bytes of audio. Digest ${sha8(audio)}.`;
      const content = c.inbox.all.map((m) => m.serverContent).filter(Boolean);
      expect(content[0]).toEqual({ inputTranscription: { text: heard } });
      const parts = content.flatMap((s) => s.modelTurn?.parts ?? []);
      expect(parts.length).toBe(tokens(`Echo: ${heard}`));
      for (const p of parts) {
        expect(p.inlineData.mimeType).toBe('audio/pcm;rate=24000');
        expect(Buffer.from(p.inlineData.data, 'base64').length).toBe(960);
      }
      expect(content.map((s) => s.outputTranscription?.text ?? '').join('')).toBe(`Echo: ${heard}`);
      expect(c.inbox.all.at(-1)!.usageMetadata.responseTokensDetails).toEqual([{ modality: 'AUDIO', tokenCount: expect.any(Number) }]);
      expect(c.frames.every((f) => f.binary && f.text.endsWith('}\n'))).toBe(true);

      c.send({ clientContent: { turns: [{ role: 'user', parts: [{ text: 'x' }] }], turnComplete: true }, extra: 1 });
      expect(await c.closed).toEqual({ code: 1007, reason: 'Invalid JSON payload received. Unknown name "extra": Cannot find field.' });
    } finally {
      c.ws.close();
    }

    const path = '//ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent?key=k';
    const early = connect(wsUrl(upstream, path));
    await early.opened;
    early.send({ clientContent: { turnComplete: true } });
    expect((await early.closed).code, 'a message before setup').toBe(1007);
    const broken = connect(wsUrl(upstream, path));
    await broken.opened;
    broken.send({ setup: { model: 'models/broken' } });
    expect(await broken.closed).toEqual({ code: 1011, reason: 'Internal error encountered.' });
  });
});
