// The browser transport's answers as the page's network stack takes them: several cookies in one
// answer, and a paced stream that leaves nothing attached to the page's AbortSignal.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test as base, expect } from 'playwright-llm-replay';
import { upstreamFixture, type Upstream } from '../support/upstream.js';
import { freshLlmDir, workerLlmDir } from '../support/llm-dir.js';

/** An LLM-like host that sets two cookies in one answer, one with an Expires date (which has a comma). */
async function cookieServer(status: number): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.setHeader('set-cookie', ['a=1; Expires=Thu, 01 Jan 2099 00:00:00 GMT; Path=/', 'b=2; Path=/']);
    res.setHeader('content-type', 'application/json');
    res.statusCode = status;
    res.end(JSON.stringify(status === 200 ? { ok: true } : { error: { message: 'The server had an error', type: 'server_error', param: null, code: null } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1/models`, close: () => new Promise((r) => server.close(() => r())) };
}

const test = base.extend<{ upstream: Upstream; fresh: void }, object>({
  llmDir: workerLlmDir('llm-review-page'),
  fresh: freshLlmDir,
  upstream: upstreamFixture({ tokenDelay: 10 }),
});
test.use({ llmUrls: ['http://127.0.0.1:*/v1/**'] });

// The answers that reach the page with the upstream's own headers: passed through, and a failed
// answer while recording (not stored, so given as it came). A recording never keeps a cookie.
for (const [mode, status] of [['passthrough', 200], ['record-missing', 500]] as const) {
  test.describe(`${mode}, an answer with status ${status}`, () => {
    test.use({ llmMode: mode });

    test('sets every cookie the answer sets, an Expires date and all', async ({ page, context, llm }) => {
      const server = await cookieServer(status);
      try {
        await page.goto('/');
        // Another port of the same host: same site, so the page's context keeps the cookies it is sent.
        expect(await page.evaluate(async (url) => (await fetch(url, { credentials: 'include' })).status, server.url)).toBe(status);
        const cookies = (await context.cookies()).filter((c) => c.name === 'a' || c.name === 'b').sort((x, y) => x.name.localeCompare(y.name));
        expect(cookies.map(({ name, value, path }) => ({ name, value, path }))).toEqual([
          { name: 'a', value: '1', path: '/' },
          { name: 'b', value: '2', path: '/' },
        ]);
        // a's Expires was read as a date (a persistent cookie); b has none (a session cookie).
        expect(cookies[0].expires).toBeGreaterThan(0);
        expect(cookies[1].expires).toBe(-1);
        expect(llm.calls).toMatchObject([{ where: 'page', outcome: mode === 'passthrough' ? 'passthrough' : 'not-recorded' }]);
      } finally {
        await server.close();
      }
    });
  });
}

test.describe('a paced stream read with an AbortSignal', () => {
  test.use({ llmMode: 'record-missing', llmPace: 1 });

  test('leaves no abort listener per chunk on the signal once it has ended', async ({ page, llm, upstream }) => {
    // Counts the abort listeners each signal has attached: added and not yet removed.
    await page.addInitScript(() => {
      const attached = new WeakMap<AbortSignal, Set<unknown>>();
      const added = new WeakMap<AbortSignal, number>();
      const { addEventListener: add, removeEventListener: remove } = EventTarget.prototype;
      AbortSignal.prototype.addEventListener = function (this: AbortSignal, type: string, listener: any, options?: any) {
        if (type === 'abort' && listener) {
          if (!attached.has(this)) attached.set(this, new Set());
          attached.get(this)!.add(listener);
          added.set(this, (added.get(this) ?? 0) + 1);
        }
        return add.call(this, type, listener, options);
      };
      AbortSignal.prototype.removeEventListener = function (this: AbortSignal, type: string, listener: any, options?: any) {
        if (type === 'abort') attached.get(this)?.delete(listener);
        return remove.call(this, type, listener, options);
      };
      (window as any).__abortListeners = (s: AbortSignal) => ({ attached: attached.get(s)?.size ?? 0, added: added.get(s) ?? 0 });
    });
    await page.goto('/');
    const read = () =>
      page.evaluate(async (url) => {
        const controller = new AbortController();
        const words = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: words }], stream: true }), signal: controller.signal });
        const reader = res.body!.getReader();
        let reads = 0;
        while (!(await reader.read()).done) reads++;
        return { reads, ...(window as any).__abortListeners(controller.signal) };
      }, `${upstream.url}/v1/chat/completions`);
    await read(); // recorded
    const replayed = await read();
    expect(llm.calls.map((c) => c.outcome)).toEqual(['recorded', 'replayed']);
    // The stream waited before many of its chunks, each wait listening for an abort…
    expect(replayed.reads).toBeGreaterThan(40);
    expect(replayed.added).toBeGreaterThan(10);
    // …and none of those listeners outlives its wait.
    expect(replayed.attached).toBeLessThanOrEqual(1);
  });
});
