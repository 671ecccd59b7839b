// The conformance cases on the page transport: the context's route and the page script, with a
// fetch in Chromium as the caller (the page is on the upstream's origin); for sockets, the context's
// WebSocket route, with a WebSocket in Chromium as the client. At pace 'clock' the page
// waits on Playwright's clock, and the test's Node clock follows it (as the fixture makes it).
import { chromium, type Browser } from '@playwright/test';
// From dist: the transport reads the page script bundle built beside it (npm run build).
import { installBrowserTransport } from '../../dist/browser/route.js';
import { upstreamDispatcher } from '../../src/node/index.js';
import { QUIET_CHROMIUM_ARGS, chromiumPath } from '../../src/chromium.js';
import type { Adapter, CallRequest, CallResult, SocketClient } from './adapter.js';
import { conformance } from './cases.js';
import { localSession } from './local.js';

let browser: Promise<Browser> | undefined;

const page: Adapter = {
  name: 'page',
  http: true,
  caps: {
    sockets: true,
    readsPerChunk: true,
    exactClock: false,
    // While recording, the answer reaches the page's reader over a live channel (src/browser/live.ts).
    streamsWhileRecording: true,
  },
  async start(o) {
    browser ??= chromium.launch({ executablePath: chromiumPath(), args: [...QUIET_CHROMIUM_ARGS] });
    const context = await (await browser).newContext();
    const local = localSession(o);
    const undo = await installBrowserTransport(context, local.session as never, upstreamDispatcher);
    let onRead: CallRequest['onRead'];
    await context.exposeFunction('__conformanceRead', (text: string, i: number) => onRead?.(text, i));
    // The page's sockets tell Node each frame and their close, in order, as they happen.
    const sockets: { received: SocketClient['received']; close: (c: { code: number; reason: string }) => void }[] = [];
    await context.exposeFunction('__conformanceSocket', (id: number, event: { frame?: object; close?: { code: number; reason: string } }) => {
      if (event.frame) sockets[id].received.push(event.frame);
      if (event.close) sockets[id].close(event.close);
    });
    const p = await context.newPage();
    await p.goto(`${o.upstream.url}/`);
    return {
      ...local,
      clock: {
        install: async () => {
          await p.clock.install();
          await local.clock.install();
        },
        runFor: async (ms) => {
          await p.clock.runFor(ms);
          await local.clock.runFor(ms);
        },
      },
      // A WebSocket in the page, as a chat UI opens one; ready once it opened (or closed without opening).
      async socket(path, protocols = []): Promise<SocketClient> {
        const id = sockets.length;
        const received: SocketClient['received'] = [];
        const closed = new Promise<{ code: number; reason: string }>((close) => sockets.push({ received, close }));
        await p.evaluate(
          ({ id, url, protocols }) =>
            new Promise<void>((ready) => {
              const tell = (window as unknown as { __conformanceSocket(id: number, e: object): void }).__conformanceSocket;
              const ws = new WebSocket(url, protocols);
              ((window as unknown as { __sockets: WebSocket[] }).__sockets ??= [])[id] = ws;
              ws.onopen = () => ready();
              ws.onmessage = (e) => void tell(id, { frame: typeof e.data === 'string' ? JSON.parse(e.data) : { type: 'binary' } });
              ws.onclose = (e) => (ready(), void tell(id, { close: { code: e.code, reason: e.reason } }));
            }),
          { id, url: o.upstream.url.replace(/^http/, 'ws') + path, protocols },
        );
        // In the order the case sends them (each evaluate after the one before); the case awaits what comes back.
        let turn = Promise.resolve();
        const inPage = (script: (a: { id: number; arg: unknown }) => void, arg: unknown) => void (turn = turn.then(() => p.evaluate(script, { id, arg })).catch(() => {}));
        return {
          send: (json) => inPage(({ id, arg }) => (window as unknown as { __sockets: WebSocket[] }).__sockets[id].send(arg as string), JSON.stringify(json)),
          close: (code, reason) => inPage(({ id, arg }) => (window as unknown as { __sockets: WebSocket[] }).__sockets[id].close(...(arg as [number, string])), [code, reason]),
          received,
          closed,
        };
      },
      async call(req): Promise<CallResult> {
        onRead = req.onRead;
        return p.evaluate(
          async ({ url, body, form, raw, abortAfter }) => {
            const controller = new AbortController();
            const chunks: string[] = [];
            const sizes: number[] = [];
            let binary = '';
            const result = () => ({ status, chunks, sizes, bytes: btoa(binary) });
            let status = 0;
            // A FormData built in the page, as an upload form builds it (the browser picks a new boundary every call).
            let init: RequestInit = { headers: { 'content-type': 'application/json' }, body };
            if (raw) init = { headers: { 'content-type': raw.contentType }, body: raw.text };
            else if (form) {
              const data = new FormData();
              for (const [k, v] of Object.entries(form.fields)) data.append(k, v);
              const bytes = Uint8Array.from(atob(form.file.base64), (c) => c.charCodeAt(0));
              data.append(form.file.field, new Blob([bytes], { type: form.file.type }), form.file.name);
              init = { body: data };
            }
            try {
              const res = await fetch(url, { method: 'POST', ...init, signal: controller.signal });
              status = res.status;
              const reader = res.body!.getReader();
              const decoder = new TextDecoder();
              for (;;) {
                if (abortAfter !== null && chunks.length >= abortAfter) {
                  controller.abort();
                  return { ...result(), error: 'aborted' };
                }
                const { done, value } = await reader.read();
                if (done) break;
                sizes.push(value.length);
                for (let i = 0; i < value.length; i += 0x8000) binary += String.fromCharCode(...value.subarray(i, i + 0x8000));
                const text = decoder.decode(value, { stream: true });
                chunks.push(text);
                await (window as unknown as { __conformanceRead(t: string, i: number): Promise<void> }).__conformanceRead(text, chunks.length - 1);
              }
            } catch (err) {
              return { ...result(), error: String(err) };
            }
            return result();
          },
          { url: o.upstream.url + req.path, body: JSON.stringify(req.body), form: req.form ?? null, raw: req.raw ?? null, abortAfter: req.abortAfterChunks ?? null },
        );
      },
      stop: async () => {
        await undo();
        await context.close();
        await local.stop();
      },
    };
  },
};

conformance(page);
