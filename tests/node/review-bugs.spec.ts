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

test('a FormData body to an LLM URL is refused, sending nothing, also when fetch hands it encoded (a dispatcher wrapping ours)', async () => {
  let received = 0;
  const server = http.createServer((req, res) => {
    received++;
    req.resume().on('end', () => res.end('{}'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/audio/transcriptions`;
  const installed = install({ llmDir: test.info().outputPath('llm'), llmUrls: [url], llmMode: 'record-missing', folder: 'suite/test' });
  try {
    const send = (init: object) => {
      const form = new FormData();
      form.append('file', new Blob(['RIFF'], { type: 'audio/wav' }), 'a.wav');
      return fetch(url, { method: 'POST', body: form, ...init }).then(
        () => 'answered',
        (e: Error) => String((e.cause as Error | undefined)?.message ?? e.message),
      );
    };
    const refusal = 'playwright-llm-replay: multipart (FormData) request bodies to LLM URLs are not supported yet; send JSON, or leave this URL out of llmUrls.';
    expect(await send({})).toBe(refusal);
    // A RetryAgent around the global dispatcher (as an app may set): fetch does not see isMockActive, and encodes the form.
    expect(await send({ dispatcher: new RetryAgent(getGlobalDispatcher()) })).toBe(refusal);
    expect(installed.errors.map((e) => e.message)).toEqual([refusal, refusal]);
    expect(received).toBe(0);
  } finally {
    installed.uninstall();
    server.close();
  }
});
