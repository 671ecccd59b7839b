// A realtime conversation from the page, in real Chromium: a plain browser WebSocket to the OpenAI
// Realtime stand-in, with the key in the `openai-insecure-api-key.<key>` subprotocol as a browser
// app sends it (and one to Gemini Live, whose frames are binary). Recorded through the context's
// WebSocket route, then replayed with no upstream.
// Every test stands alone: in record-missing mode, a second identical socket replays what the
// first recorded.
import fs from 'node:fs';
import { test as base, expect, type Page } from 'playwright-llm-replay';
import fg from 'fast-glob';
import { upstreamFixture, type Upstream } from '../support/upstream.js';
import { freshLlmDir, workerLlmDir } from '../support/llm-dir.js';

const test = base.extend<{ upstream: Upstream; fresh: void }, object>({
  llmDir: workerLlmDir('llm-realtime'),
  upstream: upstreamFixture({ tokenDelay: 5 }),
  fresh: freshLlmDir,
});
// Gemini Live's path with the doubled slash @google/genai writes.
test.use({ llmMode: 'record-missing', llmUrls: ['ws://127.0.0.1:*/v1/realtime**', 'ws://127.0.0.1:*//ws/**'] });

const KEY = 'sk-proj-' + 'Rt7Kq2Wm9Xv4Lp8Zs3Ny'.repeat(2);

interface Talk {
  /** Every frame the page received, as its text. */
  frames: string[];
  protocol: string;
  close?: { code: number; reason: string };
}

/**
 * Opens a WebSocket in the page, says `text` once the session is created, asks for a text
 * response, and (with `close`) closes once it is done. Resolves when the answer is done, or the socket closed.
 */
function talk(page: Page, url: string, text: string, close = true): Promise<Talk> {
  return page.evaluate(
    ({ url, key, text, close }) =>
      new Promise<Talk>((resolve) => {
        const ws = new WebSocket(url, ['realtime', `openai-insecure-api-key.${key}`]);
        (window as unknown as { socket: WebSocket }).socket = ws;
        const frames: string[] = [];
        ws.onmessage = (e) => {
          frames.push(e.data);
          const event = JSON.parse(e.data);
          if (event.type === 'session.created') {
            ws.send(JSON.stringify({ type: 'conversation.item.create', event_id: `evt_${Math.random()}`, item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] } }));
            ws.send(JSON.stringify({ type: 'response.create', event_id: `evt_${Math.random()}`, response: { output_modalities: ['text'] } }));
          }
          if (event.type !== 'response.done') return;
          if (close) ws.close(1000, 'done');
          else resolve({ frames, protocol: ws.protocol });
        };
        ws.onclose = (e) => resolve({ frames, protocol: ws.protocol, close: { code: e.code, reason: e.reason } });
      }),
    { url, key: KEY, text, close },
  );
}

const realtimeUrl = (upstream: Upstream) => `${upstream.url.replace(/^http/, 'ws')}/v1/realtime?model=gpt-realtime`;
const deltas = (t: Talk) => t.frames.map((f) => JSON.parse(f)).filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta);
const recording = (dir: string) => {
  const files = fg.sync('**/*.json', { cwd: dir, absolute: true });
  expect(files).toHaveLength(1);
  return { file: files[0], text: fs.readFileSync(files[0], 'utf8') };
};

test('a realtime conversation is recorded from the page, then replayed with no upstream: the same frames, and the key never on disk', async ({ page, llm, llmDir, upstream }) => {
  await page.goto('/');
  const url = realtimeUrl(upstream);
  const recorded = await talk(page, url, 'hello realtime');
  expect(recorded.close).toEqual({ code: 1000, reason: 'done' });
  expect(recorded.protocol).toBe('realtime');
  expect(deltas(recorded).join('')).toContain('hello realtime');
  // The upstream got the page's subprotocols, the key's included: the socket was the page's own.
  expect(upstream.received.at(-1)!['sec-websocket-protocol']).toBe(`realtime, openai-insecure-api-key.${KEY}`);
  await expect.poll(() => llm.calls.map((c) => c.outcome)).toEqual(['recorded']);

  const { file, text } = recording(llm.dir);
  const stored = JSON.parse(text);
  expect(stored.request.protocols).toEqual(['realtime', 'openai-insecure-api-key.<redacted>']);
  expect(stored.response.close).toMatchObject({ code: 1000, reason: 'done', by: 'client' });
  expect(stored.response.frames.filter((f: { from: string }) => f.from === 'server').map((f: { json: unknown }) => JSON.stringify(f.json))).toEqual(recorded.frames);
  // Nowhere under llmDir, in any file.
  for (const f of fg.sync('**/*', { cwd: llmDir, absolute: true, dot: true })) expect(fs.readFileSync(f, 'utf8'), f).not.toContain(KEY);

  await upstream.close();
  const connections = upstream.connections;
  const replayed = await talk(page, url, 'hello realtime');
  expect(replayed.frames).toEqual(recorded.frames);
  expect(replayed.close).toEqual({ code: 1000, reason: 'done' });
  expect(upstream.connections).toBe(connections);
  expect(llm.calls).toMatchObject([
    { outcome: 'recorded', method: 'GET', url: `${url}`, model: 'gpt-realtime', where: 'page', file },
    { outcome: 'replayed', method: 'GET', model: 'gpt-realtime', where: 'page', file },
  ]);
});

test('a socket whose page closes while it is open is stored as it stood, closed by the client', async ({ context, page, llm, upstream }) => {
  await page.goto('/');
  const url = realtimeUrl(upstream);
  const recorded = await talk(page, url, 'left open', false);
  await page.close();
  await expect.poll(() => llm.calls.map((c) => c.outcome)).toEqual(['recorded']);
  const stored = JSON.parse(recording(llm.dir).text);
  expect(stored.response.frames.filter((f: { from: string }) => f.from === 'server')).toHaveLength(recorded.frames.length);
  expect(stored.response.close).toMatchObject({ by: 'client' });

  // Replayed on another page of the context: the same frames, and the socket stays open as it did.
  const again = await context.newPage();
  await again.goto('/');
  const replayed = await talk(again, url, 'left open', false);
  expect(replayed.frames).toEqual(recorded.frames);
  expect(await again.evaluate(() => (window as unknown as { socket: WebSocket }).socket.readyState)).toBe(1); // OPEN
  expect(llm.calls.map((c) => c.outcome)).toEqual(['recorded', 'replayed']);
});

// `upstream` first: it is set up before the page's context, so it outlives it (its close would end the socket first).
test('a test that ends with its socket open while recording ends at once (the socket closes with its context)', async ({ upstream, page, llm }) => {
  await page.goto('/');
  const recorded = await talk(page, realtimeUrl(upstream), 'still open', false);
  expect(deltas(recorded).join('')).toContain('still open');
  // Still being recorded: the fixture stores it when the context closes, before it waits for the test's calls.
  expect(llm.calls).toMatchObject([{ outcome: 'pending', where: 'page' }]);
});

test('Gemini Live: binary frames both ways are recorded as bytes and replayed as binary, the key in the URL never on disk', async ({ page, llm, llmDir, upstream }) => {
  await page.goto('/');
  const url = `${upstream.url.replace(/^http/, 'ws')}//ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent?key=${KEY}`;
  // The setup goes as bytes (a client may send JSON so), the turn as text; Google answers in binary frames.
  const live = () =>
    page.evaluate(
      (url) =>
        new Promise<{ frames: { binary: boolean; text: string }[]; close: { code: number; reason: string } }>((resolve) => {
          const ws = new WebSocket(url);
          ws.binaryType = 'arraybuffer';
          const frames: { binary: boolean; text: string }[] = [];
          ws.onopen = () => ws.send(new TextEncoder().encode(JSON.stringify({ setup: { model: 'models/gemini-live-2.5-flash-preview', generationConfig: { responseModalities: ['TEXT'] } } })));
          ws.onmessage = (e) => {
            const binary = e.data instanceof ArrayBuffer;
            const text = binary ? new TextDecoder().decode(e.data) : e.data;
            frames.push({ binary, text });
            const message = JSON.parse(text);
            if (message.setupComplete) ws.send(JSON.stringify({ clientContent: { turns: [{ role: 'user', parts: [{ text: 'hello live' }] }], turnComplete: true } }));
            if (message.serverContent?.turnComplete) ws.close(1000, 'done');
          };
          ws.onclose = (e) => resolve({ frames, close: { code: e.code, reason: e.reason } });
        }),
      url,
    );
  const recorded = await live();
  expect(recorded.close).toEqual({ code: 1000, reason: 'done' });
  expect(recorded.frames.every((f) => f.binary)).toBe(true);
  const said = recorded.frames.flatMap((f) => JSON.parse(f.text).serverContent?.modelTurn?.parts ?? []).map((p: { text: string }) => p.text);
  expect(said.join('')).toBe('Echo: hello live');
  await expect.poll(() => llm.calls.map((c) => c.outcome)).toEqual(['recorded']);
  const stored = JSON.parse(recording(llm.dir).text);
  const frames: { from: string; binary?: string; text?: string; json?: unknown }[] = stored.response.frames;
  const client = frames.filter((f) => f.from === 'client');
  expect(JSON.parse(Buffer.from(client[0].binary!, 'base64').toString())).toMatchObject({ setup: { model: 'models/gemini-live-2.5-flash-preview' } });
  expect(client[1]).toMatchObject({ json: { clientContent: { turnComplete: true } } });
  expect(frames.filter((f) => f.from === 'server').map((f) => Buffer.from(f.binary!, 'base64').toString())).toEqual(recorded.frames.map((f) => f.text));
  for (const f of fg.sync('**/*', { cwd: llmDir, absolute: true, dot: true })) expect(fs.readFileSync(f, 'utf8'), f).not.toContain(KEY);

  await upstream.close();
  const connections = upstream.connections;
  const replayed = await live();
  expect(replayed).toEqual(recorded);
  expect(upstream.connections).toBe(connections);
  expect(llm.calls).toMatchObject([
    { outcome: 'recorded', where: 'page' },
    { outcome: 'replayed', where: 'page' },
  ]);
});

test('an upstream that refuses the socket while recording: the page’s socket errs and closes (1011), and nothing is stored', async ({ page, llm, upstream }) => {
  await page.goto('/');
  const url = realtimeUrl(upstream);
  await upstream.close();
  const seen = await page.evaluate(
    (url) =>
      new Promise<string[]>((resolve) => {
        const ws = new WebSocket(url, ['realtime']);
        const seen: string[] = [];
        ws.onopen = () => seen.push('open');
        ws.onerror = () => seen.push('error');
        ws.onclose = (e) => resolve([...seen, `close ${e.code} ${e.reason}`]);
      }),
    url,
  );
  expect(seen).toEqual(['error', 'close 1011 upstream failed: the WebSocket did not open (its handshake failed: closed 1006)']);
  expect(llm.calls).toMatchObject([{ outcome: 'not-recorded', where: 'page', reason: 'upstream failed: the WebSocket did not open (its handshake failed: closed 1006)' }]);
  expect(fg.sync('**/*.json', { cwd: llm.dir })).toEqual([]);
});
