// The test's identity header goes with the page's requests to the app's own origin (baseURL) and
// never to any other origin.
import { test as base, expect, TEST_HEADER } from 'playwright-llm-replay';
import { startUpstream, type Upstream } from '../support/upstream.js';

const test = base.extend<{ app: Upstream; thirdParty: Upstream }>({
  app: async ({}, use) => {
    const app = await startUpstream();
    await use(app);
    await app.close();
  },
  thirdParty: async ({}, use) => {
    const other = await startUpstream();
    await use(other);
    await other.close();
  },
  baseURL: async ({ app }, use) => use(app.url),
});

test('the app origin gets the header; other origins never do', async ({ page, app, thirdParty }) => {
  await page.goto('/health');
  await page.evaluate((other) => fetch(`${other}/other`, { method: 'POST', body: '{}' }).then((r) => r.status), thirdParty.url);
  await page.evaluate(() => fetch('/api/thing', { method: 'POST', body: '{}' }).then((r) => r.status));
  expect(app.received.length).toBe(2);
  // Signed: base64url JSON, a dot, an HMAC.
  for (const headers of app.received) expect(headers[TEST_HEADER]).toMatch(/^[A-Za-z0-9_-]{40,}\.[A-Za-z0-9_-]{43}$/);
  const identity = JSON.parse(Buffer.from(String(app.received[0][TEST_HEADER]).split('.')[0], 'base64url').toString());
  expect(identity).toMatchObject({ mode: expect.any(String), test: { title: 'browser/app-header.spec.ts > the app origin gets the header; other origins never do' } });
  expect(thirdParty.received).toHaveLength(1);
  expect(thirdParty.received[0][TEST_HEADER]).toBeUndefined();
});
