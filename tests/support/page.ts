// Helpers for tests that read streams in the page.
import type { Page } from '@playwright/test';

/** Runs a streaming fetch in the page and returns each read's text and arrival time. */
export function readsInPage(page: Page, url: string, body: object, headers: Record<string, string> = {}) {
  return page.evaluate(
    async ({ url, body, headers }) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-page-key', ...headers }, body: JSON.stringify(body) });
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      const reads: { text: string; at: number }[] = [];
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        reads.push({ text: decoder.decode(value), at: performance.now() });
      }
      return { status: res.status, url: res.url, contentType: res.headers.get('content-type'), leaked: res.headers.get('x-llm-replay-chunks'), reads };
    },
    { url, body, headers },
  );
}
