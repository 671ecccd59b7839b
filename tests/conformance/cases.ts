// The conformance cases: one set, run by every transport's spec file with its own adapter
// (Polly's adapter-tests pattern). A case a transport cannot take is skipped with the reason its
// adapter gives. Timing cases check exact waits on the memory transport (its test clock never moves
// by itself) and only order on the real ones (no wall-clock bounds, no sleeps standing in for events).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test as base, expect } from '@playwright/test';
import fg from 'fast-glob';
import type { Adapter, CallRequest, Running, SocketClient, StartOptions } from './adapter.js';
import { CHAT_PATH, REALTIME_PATH, SPEECH, SPEECH_PATH, ScriptedUpstream, WORDS, chatAnswer } from './upstream.js';

const stream = (content = 'hello', model = 'm'): CallRequest => ({ path: CHAT_PATH, body: { model, messages: [{ role: 'user', content }], stream: true } });
const json = (content = 'hello', model = 'm'): CallRequest => ({ path: CHAT_PATH, body: { model, messages: [{ role: 'user', content }] } });
/** Text-to-speech: an answer in audio bytes. */
const speech = (): CallRequest => ({ path: SPEECH_PATH, body: { model: 'tts-1', input: 'Say hello', voice: 'alloy' } });
/** The chunks of the n-th answer the upstream gives. */
const answered = (n = 1, isStream = true) => chatAnswer(n, { stream: isStream }).chunks.map(String);
const FAULT_URL = `**${CHAT_PATH}`;
const AUDIO = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256));
/** A transcription upload: a new FormData (so a new boundary) on every call. */
const upload = (bytes = AUDIO, name = 'hello.wav'): CallRequest => ({
  path: '/v1/audio/transcriptions',
  body: {},
  form: { fields: { model: 'whisper-1', language: 'en' }, file: { field: 'file', name, type: 'audio/wav', base64: bytes.toString('base64') } },
});
const describeFaultOf = (f: object) => JSON.stringify(f);
const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

/** Lets every callback the memory transport queued run (its waits end on microtasks and the next turn). */
const flush = async () => {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
};

/** Waits for a condition that an event makes true (polled; the deadline only turns a hang into a failure). */
const until = (what: string, condition: () => boolean) => expect.poll(condition, { message: what, timeout: 20_000 }).toBe(true);

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** `test`: a transport that needs fixtures of its own (a server per worker) passes its extended one. */
export function conformance(adapter: Adapter, test: typeof base = base): void {
  const { caps } = adapter;
  /** Marks a case this transport fails today (see Adapter.knownBugs). */
  /** The reads a caller made, against the chunks it should have got one read each. */
  const expectReads = (reads: string[], chunks: string[]) => {
    if (caps.readsPerChunk === true) expect(reads).toEqual(chunks);
    else expect(reads.join('')).toBe(chunks.join(''));
  };
  const knownBug = (id: string) => test.fail(!!adapter.knownBugs?.[id], adapter.knownBugs?.[id]);
  test.describe(`conformance: ${adapter.name}`, () => {
    test.describe.configure({ mode: 'parallel' });
    let upstream: ScriptedUpstream;
    let llmDir: string;
    let running: Running[] = [];

    test.beforeEach(async ({}, testInfo) => {
      llmDir = testInfo.outputPath('llm');
      upstream = new ScriptedUpstream();
      if (adapter.http) await upstream.listen();
    });
    test.afterEach(async () => {
      for (const r of running) await r.stop();
      running = [];
      await upstream.close();
    });

    const start = async (o: Omit<StartOptions, 'llmDir' | 'upstream'>) => {
      const r = await adapter.start({ ...o, llmDir, upstream });
      running.push(r);
      return r;
    };
    const stop = async (r: Running) => {
      running = running.filter((x) => x !== r);
      await r.stop();
    };
    const files = () => fg.sync('**/*.json', { cwd: llmDir, absolute: true });

    /** Records `req` (a run of its own), and returns what the caller saw. */
    const recordOnce = async (...reqs: CallRequest[]) => {
      const r = await start({ mode: 'record' });
      const results = [];
      for (const req of reqs) results.push(await r.call(req));
      await r.settled();
      expect(r.calls().map((c) => c.outcome)).toEqual(reqs.map(() => 'recorded'));
      await stop(r);
      return results;
    };

    /** Sets the recorded time (ms from the answer's start) of each chunk of the one recording there is. */
    const setTimes = (times: number[]) => {
      const [file] = files();
      const x = JSON.parse(fs.readFileSync(file, 'utf8'));
      const events: { t: number }[] = [...x.response.body, ...(x.response.terminator ? [x.response.terminator] : [])];
      expect(events).toHaveLength(times.length);
      events.forEach((e, i) => (e.t = times[i]));
      fs.writeFileSync(file, JSON.stringify(x, null, 2));
    };

    test('replays a stream at pace 0: one read per recorded chunk, no upstream', async () => {
      const before = Date.now();
      const [recorded] = await recordOnce(stream());
      expect([recorded.status, recorded.error]).toEqual([200, undefined]);
      expect(recorded.chunks.join('')).toBe(answered().join(''));
      // The file keeps when it was recorded, beside the test.
      const recordedAt = Date.parse(JSON.parse(fs.readFileSync(files()[0], 'utf8')).recorded_at);
      expect(recordedAt).toBeGreaterThanOrEqual(before);
      expect(recordedAt).toBeLessThanOrEqual(Date.now());
      const requests = upstream.requests;
      const r = await start({ mode: 'replay' });
      const res = await r.call(stream());
      expect(res.error).toBeUndefined();
      expect(res.status).toBe(200);
      expectReads(res.chunks, answered());
      expect(upstream.requests).toBe(requests);
      expect(r.calls()).toMatchObject([{ outcome: 'replayed', method: 'POST', model: 'm' }]);
      expect(r.errors()).toEqual([]);
    });

    test('replays JSON at pace 0', async () => {
      await recordOnce(json());
      const r = await start({ mode: 'replay' });
      const res = await r.call(json());
      expect([res.status, res.error]).toEqual([200, undefined]);
      expect(JSON.parse(res.chunks.join(''))).toEqual(JSON.parse(answered(1, false)[0]));
      expect(r.calls()).toMatchObject([{ outcome: 'replayed' }]);
    });

    test('replays a stream at the recorded pace, scaled', async () => {
      await recordOnce(stream());
      setTimes([0, 100, 300, 600]);
      const r = await start({ mode: 'replay', pace: 100 });
      const res = await r.call(stream());
      expectReads(res.chunks, answered());
      // Memory: the exact waits the core asked for (the recorded gaps / 100). Elsewhere: order only.
      if (res.delays) expect(res.delays).toEqual([0, 1, 2, 3]);
    });

    test('replays a stream on the test clock: each chunk when the clock reaches its time', async () => {
      await recordOnce(stream());
      setTimes([0, 1000, 3000, 6000]);
      const r = await start({ mode: 'replay', pace: 'clock' });
      await r.clock.install();
      const reads: string[] = [];
      const done = r.call({ ...stream(), onRead: (t) => reads.push(t) });
      await until('the first chunk (due at once) was read', () => reads.length === 1);
      if (caps.exactClock) {
        for (const [step, count] of [[999, 1], [1, 2], [1999, 2], [1, 3], [2999, 3], [1, 4]]) {
          await r.clock.runFor(step);
          await flush();
          expect(reads, `after ${step} ms more`).toHaveLength(count);
        }
      } else await r.clock.runFor(6000);
      const res = await done;
      expectReads(res.chunks, answered());
      expect(r.errors()).toEqual([]);
    });

    test('records with live pass-on: the first chunk reaches the caller before the upstream sends its last', async () => {
      test.skip(caps.streamsWhileRecording !== true, String(caps.streamsWhileRecording));
      const last = answered().length - 1;
      const firstRead = deferred();
      upstream.hold = (i) => (i === last ? firstRead.promise : undefined);
      const r = await start({ mode: 'record' });
      const done = r.call({
        ...stream(),
        onRead: (_t, i) => {
          if (i) return;
          upstream.log.push('read 0');
          firstRead.resolve();
        },
      });
      await until('the first chunk reached the caller while the upstream held its last', () => upstream.log.includes('read 0'));
      const res = await done;
      expect(upstream.log.indexOf('read 0')).toBeLessThan(upstream.log.indexOf(`sent ${last}`));
      expect(res.chunks.join('')).toBe(answered().join(''));
      await r.settled();
      expect(r.calls()).toMatchObject([{ outcome: 'recorded' }]);
    });

    test('an abort mid-stream while recording still stores the whole answer', async () => {
      const last = answered().length - 1;
      // A transport that streams while recording: the upstream holds its last chunk until the caller has gone.
      const gone = deferred();
      if (caps.streamsWhileRecording === true) upstream.hold = (i) => (i === last ? gone.promise : undefined);
      const r = await start({ mode: 'record' });
      const res = await r.call({ ...stream(), abortAfterChunks: 1 });
      gone.resolve();
      expect(res.chunks.length).toBe(1);
      await r.settled();
      expect(r.calls()).toMatchObject([{ outcome: 'recorded' }]);
      expect(upstream.log).toContain(`sent ${last}`);
      await stop(r);
      const replay = await start({ mode: 'replay' });
      expectReads((await replay.call(stream())).chunks, answered());
    });

    test('an upstream 500 is passed on and not stored', async () => {
      const r = await start({ mode: 'record' });
      const res = await r.call(stream('hello', 'broken'));
      expect(res.status).toBe(500);
      expect(res.chunks.join('')).toContain('The server had an error');
      await r.settled();
      expect(r.calls()).toMatchObject([{ outcome: 'not-recorded', reason: expect.stringContaining('500') }]);
      expect(files()).toEqual([]);
    });

    test('an upstream reset mid-stream is passed on and not stored', async () => {
      const r = await start({ mode: 'record' });
      const res = await r.call(stream('hello', 'reset'));
      expect(res.status).toBe(200);
      expect(res.error).toBeDefined();
      expect(answered().join('')).toContain(res.chunks.join(''));
      await r.settled();
      expect(r.calls()).toMatchObject([{ outcome: 'not-recorded', reason: expect.stringContaining('upstream failed') }]);
      expect(files()).toEqual([]);
    });

    test('a miss in replay mode: 404 with the message, no upstream connection', async () => {
      const r = await start({ mode: 'replay' });
      const res = await r.call(stream());
      expect(res.status).toBe(404);
      expect(res.chunks.join('')).toContain('no recording for POST');
      expect(upstream.requests).toBe(0);
      expect(r.calls()).toMatchObject([{ outcome: 'missed' }]);
      expect(r.errors().join('\n')).toContain('no recording for POST');
    });

    test('passthrough: the upstream answers, nothing is stored', async () => {
      const r = await start({ mode: 'passthrough' });
      const res = await r.call(stream());
      expect([res.status, res.error]).toEqual([200, undefined]);
      expect(res.chunks.join('')).toBe(answered().join(''));
      expect(upstream.requests).toBe(1);
      await r.settled();
      expect(r.calls()).toMatchObject([{ outcome: 'passthrough' }]);
      expect(files()).toEqual([]);
    });

    test('an abort mid-replay ends it: nothing more is written, even once the clock passes the rest', async () => {
      await recordOnce(stream());
      setTimes([0, 1000, 2000, 3000]);
      const r = await start({ mode: 'replay', pace: 'clock' });
      await r.clock.install();
      // The caller aborts while the second chunk waits on the clock.
      const res = await r.call({ ...stream(), abortAfterChunks: 1 });
      expect(res.error).toBe('aborted');
      expectReads(res.chunks, answered().slice(0, 1));
      await r.clock.runFor(5000);
      await flush();
      // Memory: the core wrote nothing after the abort. Elsewhere: the caller's side only.
      if (res.delays) expect(res.delays).toEqual([0]);
      expect(r.calls()).toMatchObject([{ outcome: 'replayed' }]);
      expect(r.errors()).toEqual([]);
    });

    test('replays a binary answer from its side file in its recorded chunks, at their times, byte for byte', async () => {
      const [recorded] = await recordOnce(speech());
      expect(Buffer.from(recorded.bytes, 'base64').equals(SPEECH)).toBe(true);
      const [file] = files();
      const x = JSON.parse(fs.readFileSync(file, 'utf8'));
      expect(x.response).toMatchObject({ framing: 'binary', encoding: 'file', body: { size: SPEECH.length, file: expect.stringMatching(/^[0-9a-f]{16}\.mp3$/) } });
      expect(fs.readFileSync(path.join(path.dirname(file), x.response.body.file)).equals(SPEECH)).toBe(true);
      // Chunks as a streamed answer brings them (the recording's own depend on how the upstream's pieces came through).
      const sizes = [10_000, 50_000, SPEECH.length - 60_000];
      x.response.chunks = [{ t: 0, size: sizes[0] }, { t: 100, size: sizes[1] }, { t: 300, size: sizes[2] }];
      fs.writeFileSync(file, JSON.stringify(x, null, 2));
      const requests = upstream.requests;
      const r = await start({ mode: 'replay', pace: 100 });
      const res = await r.call(speech());
      expect([res.status, res.error]).toEqual([200, undefined]);
      expect(Buffer.from(res.bytes, 'base64').equals(SPEECH)).toBe(true);
      if (caps.readsPerChunk === true) expect(res.sizes).toEqual(sizes);
      // Memory: the exact waits the core asked for (the recorded gaps / 100).
      if (res.delays) expect(res.delays).toEqual([0, 1, 2]);
      expect(upstream.requests).toBe(requests);
      expect(r.calls()).toMatchObject([{ outcome: 'replayed' }]);
      expect(r.errors()).toEqual([]);
    });

    test('the n-th identical request replays the n-th recording (past the last, the last repeats)', async () => {
      const recorded = await recordOnce(json('same'), json('same'));
      expect(recorded.map((x) => JSON.parse(x.chunks.join('')).n)).toEqual([1, 2]);
      const r = await start({ mode: 'replay' });
      const ns = [];
      for (let i = 0; i < 3; i++) ns.push(JSON.parse((await r.call(json('same'))).chunks.join('')).n);
      expect(ns).toEqual([1, 2, 2]);
    });

    test.describe('multipart uploads', () => {
      test('a transcription upload records its parts, not its bytes, and replays with no upstream though every call has a new boundary', async () => {
        const [recorded] = await recordOnce(upload());
        expect(JSON.parse(recorded.chunks.join(''))).toMatchObject({ n: 1 });
        // The upstream got the file's bytes as sent.
        expect(upstream.bodies[0].includes(AUDIO)).toBe(true);
        const [file] = files();
        const text = fs.readFileSync(file, 'utf8');
        const stored = JSON.parse(text);
        expect(stored.request.body).toEqual({ model: 'whisper-1', language: 'en', file: { filename: 'hello.wav', content_type: 'audio/wav', size: AUDIO.length, sha256: sha256(AUDIO) } });
        expect(stored.request.headers['content-type']).toBe('multipart/form-data');
        expect(text).not.toContain(AUDIO.toString('base64').slice(0, 40));
        expect(text).not.toMatch(/boundary/i);
        const requests = upstream.requests;
        const r = await start({ mode: 'replay' });
        const again = [await r.call(upload()), await r.call(upload())];
        for (const res of again) {
          expect([res.status, res.error]).toEqual([200, undefined]);
          expect(res.chunks.join('')).toBe(recorded.chunks.join(''));
        }
        expect(upstream.requests).toBe(requests);
        expect(r.calls()).toMatchObject([{ outcome: 'replayed', model: 'whisper-1' }, { outcome: 'replayed' }]);
        expect(r.errors()).toEqual([]);
      });

      test('an upload of other bytes misses, naming the file part with its old and new name, size and hash', async () => {
        await recordOnce(upload());
        const other = Buffer.concat([AUDIO, Buffer.from('more')]);
        const r = await start({ mode: 'replay' });
        const res = await r.call(upload(other, 'other.wav'));
        expect(res.status).toBe(404);
        expect(upstream.requests).toBe(1);
        const message = r.errors().join('\n');
        expect(message).toContain('body fields that differ: file');
        expect(message).toContain(`file "other.wav" (audio/wav, ${other.length} bytes, sha256 ${sha256(other).slice(0, 16)}…) (recorded: file "hello.wav" (audio/wav, ${AUDIO.length} bytes, sha256 ${sha256(AUDIO).slice(0, 16)}…))`);
        expect(r.calls()).toMatchObject([{ outcome: 'missed' }]);
      });

      test('a multipart body without its boundary is refused, naming the call: nothing sent, nothing stored', async () => {
        const r = await start({ mode: 'record' });
        const res = await r.call({ path: '/v1/audio/transcriptions', body: {}, raw: { contentType: 'multipart/form-data', text: '--x\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n--x--\r\n' } });
        expect(res.status === 0 || res.status >= 400 || res.error !== undefined).toBe(true);
        await until('the error reached the test', () => r.errors().length > 0);
        expect(r.errors().join('\n')).toMatch(/POST \S+\/v1\/audio\/transcriptions: the multipart\/form-data body cannot be read: its content-type \(multipart\/form-data\) names no boundary/);
        expect(upstream.requests).toBe(0);
        await r.settled();
        expect(files()).toEqual([]);
      });
    });

    test.describe('sockets', () => {
      test.skip(caps.sockets !== true, String(caps.sockets));
      let events = 0;
      const say = (text: string) => ({ type: 'conversation.item.create', event_id: `evt_${++events}_${Date.now()}`, item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] } });
      const respond = () => ({ type: 'response.create', event_id: `evt_${++events}_${Date.now()}` });
      const answerTo = (text: string) => [...`${text} ${WORDS.join(' ')}`.split(' ')];
      /** Says `text`, asks for a response, reads it to `response.done`, and closes. */
      const converse = async (s: SocketClient, text = 'hello') => {
        s.send(say(text));
        s.send(respond());
        await until('the answer is done', () => s.received.some((f) => f.type === 'response.done'));
        s.close(1000, 'done');
        return s.closed;
      };
      const deltas = (s: SocketClient) => s.received.filter((f) => f.type === 'response.output_text.delta').map((f) => f.delta);

      test('a conversation is recorded as it happens, one frame per line, then replayed frame by frame with no upstream', async () => {
        const before = Date.now();
        const r = await start({ mode: 'record' });
        const live = await r.socket!(REALTIME_PATH);
        await converse(live);
        await r.settled();
        expect(deltas(live)).toEqual(answerTo('hello'));
        // The frame the server sent at once, before anyone listened, was held for the client.
        expect(live.received[0]).toEqual({ type: 'session.created', session: { model: 'rt' } });
        expect(r.calls()).toMatchObject([{ outcome: 'recorded', method: 'GET', model: 'rt' }]);
        await stop(r);
        const [file] = files();
        const text = fs.readFileSync(file, 'utf8');
        const frames = text.split('\n').filter((l) => /^\s*\{"from":/.test(l));
        expect(frames.length).toBe(live.received.length + 2);
        expect(JSON.parse(text).response.close).toMatchObject({ code: 1000, reason: 'done', by: 'client' });
        const recordedAt = Date.parse(JSON.parse(text).recorded_at);
        expect(recordedAt).toBeGreaterThanOrEqual(before);
        expect(recordedAt).toBeLessThanOrEqual(Date.now());
        const sockets = upstream.sockets;
        const replay = await start({ mode: 'replay' });
        const s = await replay.socket!(REALTIME_PATH);
        expect(await converse(s)).toEqual({ code: 1000, reason: 'done' });
        expect(s.received).toEqual(live.received);
        expect(upstream.sockets).toBe(sockets);
        expect(replay.calls()).toMatchObject([{ outcome: 'replayed', method: 'GET', model: 'rt' }]);
        expect(replay.errors()).toEqual([]);
      });

      test('a changed user message closes the socket (1008) and fails the test naming the frame, its type and the field', async () => {
        const r = await start({ mode: 'record' });
        await converse(await r.socket!(REALTIME_PATH), 'hello');
        await stop(r);
        const replay = await start({ mode: 'replay' });
        const s = await replay.socket!(REALTIME_PATH);
        s.send(say('goodbye'));
        const closed = await s.closed;
        expect(closed.code).toBe(1008);
        expect(closed.reason).toContain('client frame 0 is not in the recording');
        expect(replay.errors().join('\n')).toContain('client frame 0 (conversation.item.create) differs from the recorded one: item.content[0].text: "goodbye" (recorded: "hello")');
        expect(replay.errors().join('\n')).toContain('To record it: LLM_REPLAY_MODE=record npx playwright test');
      });

      test('a socket with no recording in replay mode is closed (1008) and the miss names it', async () => {
        const r = await start({ mode: 'replay' });
        const s = await r.socket!(REALTIME_PATH);
        expect((await s.closed).code).toBe(1008);
        expect(upstream.sockets).toBe(0);
        expect(r.calls()).toMatchObject([{ outcome: 'missed' }]);
        expect(r.errors().join('\n')).toMatch(/no recording for GET ws:\S+\/v1\/realtime\?model=rt \(model rt\) in replay mode/);
      });

      test('a conversation the server closed replays the close, with its code and reason', async () => {
        const r = await start({ mode: 'record' });
        const live = await r.socket!(REALTIME_PATH);
        live.send(say('bye'));
        expect(await live.closed).toEqual({ code: 1000, reason: 'goodbye' });
        await r.settled();
        await stop(r);
        const replay = await start({ mode: 'replay' });
        const s = await replay.socket!(REALTIME_PATH);
        s.send(say('bye'));
        expect(await s.closed).toEqual({ code: 1000, reason: 'goodbye' });
        expect(s.received).toEqual(live.received);
      });

      test('a key in a subprotocol never reaches disk', async () => {
        const key = 'sk-proj-' + 'Zx9Yw8Vu7Ts6Rq5Po4Nm'.repeat(2);
        const r = await start({ mode: 'record' });
        await converse(await r.socket!(REALTIME_PATH, ['realtime', `openai-insecure-api-key.${key}`]));
        await stop(r);
        const text = fs.readFileSync(files()[0], 'utf8');
        expect(text).not.toContain(key);
        expect(JSON.parse(text).request.protocols).toEqual(['realtime', 'openai-insecure-api-key.<redacted>']);
      });

      /** Records one conversation (hello), then starts a replay with `fault` on the realtime URL. */
      const replayWithFault = async (fault: Parameters<Running['fault']>[1], pace?: StartOptions['pace']) => {
        const r = await start({ mode: 'record' });
        const live = await r.socket!(REALTIME_PATH);
        await converse(live);
        await stop(r);
        const replay = await start({ mode: 'replay', ...(pace !== undefined && { pace }) });
        await replay.fault('**/v1/realtime*', fault);
        return { replay, live };
      };

      test('{ closeAfter, code, reason }: the server closes after n of its frames', async () => {
        const { replay, live } = await replayWithFault({ closeAfter: 2, code: 4000, reason: 'injected' });
        const s = await replay.socket!(REALTIME_PATH);
        s.send(say('hello'));
        s.send(respond());
        expect(await s.closed).toEqual({ code: 4000, reason: 'injected' });
        expect(s.received).toEqual(live.received.slice(0, 2));
        expect(replay.calls()).toMatchObject([{ outcome: 'replayed', fault: '{ closeAfter: 2, code: 4000, reason: "injected" }' }]);
        expect(replay.errors()).toEqual([]);
      });

      test('{ errorEvent, after }: the provider’s error event comes after n server frames, and nothing recorded after it', async () => {
        const { replay, live } = await replayWithFault({ errorEvent: 'overloaded', after: 3 });
        const s = await replay.socket!(REALTIME_PATH);
        s.send(say('hello'));
        s.send(respond());
        await until('the error event came', () => s.received.some((f) => f.type === 'error'));
        expect(s.received.slice(0, 3)).toEqual(live.received.slice(0, 3));
        expect(s.received[3]).toMatchObject({ type: 'error', error: { type: 'server_error', message: 'overloaded' } });
        s.close(1000, 'done');
        await s.closed;
        expect(s.received).toHaveLength(4);
      });

      test('{ dropAfter } is for HTTP: a WebSocket it matches is answered as recorded, and the test is told', async () => {
        const { replay, live } = await replayWithFault({ dropAfter: 1 });
        const s = await replay.socket!(REALTIME_PATH);
        await converse(s);
        expect(s.received).toEqual(live.received);
        expect(replay.errors().join('\n')).toContain('is for an HTTP answer, and the call it matched is a WebSocket; it was answered as recorded. Use { closeAfter, code, reason }');
        expect(replay.calls()[0].fault).toBeUndefined();
      });

      test('{ stallAfter, ms } and { firstChunkDelay } on the test clock: the waits come where they are asked for', async () => {
        test.skip(!caps.exactClock, 'needs a clock that moves only when told');
        for (const [fault, waitBefore] of [[{ firstChunkDelay: 500 }, 0], [{ stallAfter: 2, ms: 500 }, 2]] as const) {
          const { replay } = await replayWithFault(fault, 'clock');
          await replay.clock.install();
          const s = await replay.socket!(REALTIME_PATH);
          s.send(say('hello'));
          s.send(respond());
          await flush();
          await replay.clock.runFor(50);
          await flush();
          // Recorded gaps are a few ms (memory): all frames before the fault's place are out, none after it.
          expect(s.received, describeFaultOf(fault)).toHaveLength(waitBefore);
          await replay.clock.runFor(449);
          await flush();
          expect(s.received).toHaveLength(waitBefore);
          await replay.clock.runFor(100);
          await flush();
          expect(s.received.length).toBeGreaterThan(waitBefore);
          await stop(replay);
          fs.rmSync(llmDir, { recursive: true, force: true });
        }
      });

      test('on the test clock, each server frame comes at its recorded gap after the client frame before it', async () => {
        test.skip(!caps.exactClock, 'needs a clock that moves only when told');
        const r = await start({ mode: 'record' });
        await converse(await r.socket!(REALTIME_PATH));
        await stop(r);
        // The answer's frames were recorded 100 ms apart, from 1 s after response.create.
        const [file] = files();
        const x = JSON.parse(fs.readFileSync(file, 'utf8'));
        const frames: { from: string; t: number; json?: { type: string } }[] = x.response.frames;
        const asked = frames.findIndex((f) => f.json?.type === 'response.create');
        frames.forEach((f, i) => (f.t = i <= asked ? i : 1000 + (i - asked - 1) * 100));
        x.response.close.t = 1000 + frames.length * 100;
        fs.writeFileSync(file, JSON.stringify(x));
        const replay = await start({ mode: 'replay', pace: 'clock' });
        await replay.clock.install();
        const s = await replay.socket!(REALTIME_PATH);
        s.send(say('hello'));
        s.send(respond());
        await flush();
        const before = s.received.length;
        await replay.clock.runFor(1000 - asked - 1);
        await flush();
        expect(s.received).toHaveLength(before);
        await replay.clock.runFor(1);
        await flush();
        expect(s.received).toHaveLength(before + 1);
        await replay.clock.runFor(99);
        await flush();
        expect(s.received).toHaveLength(before + 1);
        await replay.clock.runFor(1);
        await flush();
        expect(s.received).toHaveLength(before + 2);
      });
    });

    test.describe('faults', () => {
      test('{ status } with times: the first call gets the error, the next the recording', async () => {
        await recordOnce(stream());
        const r = await start({ mode: 'replay' });
        await r.fault(FAULT_URL, { status: 429, headers: { 'retry-after': '0' } }, { times: 1 });
        const first = await r.call(stream());
        expect(first.status).toBe(429);
        const second = await r.call(stream());
        expect(second.status).toBe(200);
        expectReads(second.chunks, answered());
        expect(r.calls()).toMatchObject([{ outcome: 'faulted', fault: expect.stringContaining('429') }, { outcome: 'replayed' }]);
      });

      test('{ dropAfter } with nth: only the n-th call breaks, after its first chunks', async () => {
        await recordOnce(stream());
        const r = await start({ mode: 'replay' });
        await r.fault(FAULT_URL, { dropAfter: 2 }, { nth: 2 });
        const [a, b, c] = [await r.call(stream()), await r.call(stream()), await r.call(stream())];
        expectReads(a.chunks, answered());
        expect(b.error).toBeDefined();
        expectReads(b.chunks, answered().slice(0, 2));
        expectReads(c.chunks, answered());
        expect(r.calls().map((x) => x.fault)).toEqual([undefined, '{ dropAfter: 2 }', undefined]);
      });

      test('{ errorEvent }: the provider’s error event after the first chunks, then the end', async () => {
        await recordOnce(stream());
        const r = await start({ mode: 'replay' });
        await r.fault(FAULT_URL, { errorEvent: 'boom', after: 1 });
        const res = await r.call(stream());
        expect(res.error).toBeUndefined();
        const text = res.chunks.join('');
        if (caps.readsPerChunk === true) expect(res.chunks[0]).toBe(answered()[0]);
        expect(text.startsWith(answered()[0])).toBe(true);
        expect(text.slice(answered()[0].length)).toContain('boom');
        expect(text).not.toContain('[DONE]');
      });

      test('{ stallAfter, ms } on the test clock: the pause comes after the n-th chunk', async () => {
        await recordOnce(stream());
        setTimes([0, 0, 0, 0]);
        const r = await start({ mode: 'replay', pace: 'clock' });
        await r.clock.install();
        await r.fault(FAULT_URL, { stallAfter: 1, ms: 5000 });
        const reads: string[] = [];
        const done = r.call({ ...stream(), onRead: (t) => reads.push(t) });
        await until('the chunk before the stall was read', () => reads.length === 1);
        if (caps.exactClock) {
          await r.clock.runFor(4999);
          await flush();
          expect(reads).toHaveLength(1);
          await r.clock.runFor(1);
          await flush();
          expectReads(reads, answered());
        } else await r.clock.runFor(5000);
        expectReads((await done).chunks, answered());
        expect(r.errors()).toEqual([]);
      });

      test('{ stallAfter } past the last chunk, on the test clock: the end waits', async () => {
        await recordOnce(stream());
        setTimes([0, 0, 0, 0]);
        const r = await start({ mode: 'replay', pace: 'clock' });
        await r.clock.install();
        await r.fault(FAULT_URL, { stallAfter: answered().length, ms: 5000 });
        const reads: string[] = [];
        let ended = false;
        const done = r.call({ ...stream(), onRead: (t) => reads.push(t) }).then((res) => ((ended = true), res));
        await until('every chunk was read', () => reads.join('') === answered().join(''));
        if (caps.exactClock) {
          await r.clock.runFor(4999);
          await flush();
          expect(ended).toBe(false);
          await r.clock.runFor(1);
          await flush();
          expect(ended).toBe(true);
        } else await r.clock.runFor(5000);
        const res = await done;
        expect(res.error).toBeUndefined();
        expectReads(res.chunks, answered());
        expect(r.errors()).toEqual([]);
      });

      test('{ firstChunkDelay } on the test clock: nothing is read before it', async () => {
        knownBug('firstChunkDelay');
        await recordOnce(stream());
        setTimes([0, 0, 0, 0]);
        const r = await start({ mode: 'replay', pace: 'clock' });
        await r.clock.install();
        await r.fault(FAULT_URL, { firstChunkDelay: 2000 });
        const reads: string[] = [];
        const done = r.call({ ...stream(), onRead: (t) => reads.push(t) });
        await until('the call began', () => r.calls().length === 1);
        if (caps.exactClock) {
          await flush();
          await r.clock.runFor(1999);
          await flush();
          expect(reads).toHaveLength(0);
          await r.clock.runFor(1);
          await flush();
          expectReads(reads, answered());
        } else await r.clock.runFor(2000);
        expectReads((await done).chunks, answered());
      });
    });
  });
}
