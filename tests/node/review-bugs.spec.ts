// The Node transport and undici's `isMockActive`: an internal of undici's fetch, used only to be
// handed a request's body as the caller gave it. What relies on it is checked here, loudly.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, expect } from '@playwright/test';
import { Dispatcher, FormData as UndiciFormData, RetryAgent, fetch as undiciFetch, getGlobalDispatcher } from 'undici';
import { install } from '../../src/node/index.js';

/** A dispatcher that answers 200 at once and keeps the body each request handed it. */
class Probe extends Dispatcher {
  bodies: unknown[] = [];
  constructor(private readonly mock: boolean) {
    super();
  }
  get isMockActive(): boolean | undefined {
    return this.mock || undefined;
  }
  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.bodies.push(opts.body);
    const h = handler as { onConnect?: (abort: () => void) => void; onHeaders?: (...a: unknown[]) => boolean; onComplete?: (t: unknown[]) => void };
    queueMicrotask(() => {
      h.onConnect?.(() => {});
      h.onHeaders?.(200, [], () => {}, 'OK');
      h.onComplete?.([]);
    });
    return true;
  }
}

// Each fetch with its own FormData class.
const fetches = [
  { name: `Node's own fetch (undici ${process.versions.undici})`, fetchFn: globalThis.fetch, Form: FormData },
  { name: `undici's fetch (npm)`, fetchFn: undiciFetch as unknown as typeof fetch, Form: UndiciFormData as unknown as typeof FormData },
];
for (const { name, fetchFn, Form } of fetches) {
  test(`${name} hands a dispatcher with isMockActive the body as the caller gave it, as src/node/dispatcher.ts expects`, async () => {
    const probe = new Probe(true);
    const form = new Form();
    form.append('field', 'value');
    const bytes = new TextEncoder().encode('bytes');
    for (const body of ['{"model":"gpt-4o-mini"}', bytes, form]) {
      await fetchFn('https://api.openai.com/v1/chat/completions', { method: 'POST', body, dispatcher: probe } as RequestInit);
    }
    const [text, raw, given] = probe.bodies;
    const changed = `${name} no longer hands a body as given to a dispatcher with an isMockActive getter (an internal of undici's fetch). LlmDispatcher reads every body right without it, but slower: drop its isMockActive getter and asFetchSends (src/node/dispatcher.ts) if the new way cannot be had.`;
    expect(text, changed).toBe('{"model":"gpt-4o-mini"}');
    expect(raw instanceof Uint8Array && Buffer.from(raw).toString(), changed).toBe('bytes');
    expect(given, changed).toBe(form);
  });
}

test('a FormData body is keyed by its parts whether fetch hands it as given or encoded (a dispatcher wrapping ours): recorded once, replayed both ways', async () => {
  let received = 0;
  const server = http.createServer((req, res) => {
    received++;
    req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ text: `heard ${received}` })));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/audio/transcriptions`;
  const llmDir = test.info().outputPath('llm');
  const send = (init: object) => {
    const form = new FormData();
    form.append('file', new Blob(['RIFF'], { type: 'audio/wav' }), 'a.wav');
    form.append('model', 'whisper-1');
    return fetch(url, { method: 'POST', body: form, ...init }).then((r) => r.text());
  };
  // A RetryAgent around the global dispatcher (as an app may set): fetch does not see isMockActive, and encodes the form.
  const wrapped = () => ({ dispatcher: new RetryAgent(getGlobalDispatcher()) });
  const record = install({ llmDir, llmUrls: [url], llmMode: 'record', folder: 'suite/test' });
  try {
    expect(await send({})).toBe('{"text":"heard 1"}');
    await record.settled();
  } finally {
    record.uninstall();
  }
  const replay = install({ llmDir, llmUrls: [url], llmMode: 'replay', folder: 'suite/test' });
  try {
    expect(await send({})).toBe('{"text":"heard 1"}');
    expect(await send(wrapped())).toBe('{"text":"heard 1"}');
    expect(replay.calls.map((c) => c.outcome)).toEqual(['replayed', 'replayed']);
    expect(received).toBe(1);
  } finally {
    replay.uninstall();
    server.close();
  }
});
