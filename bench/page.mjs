// The page: 200 fetches of a streamed chat completion (25 chunks), each read fully in the page.
// The plugin's browser transport against a raw `route.fulfill` of the same body (no chunking: the
// page reads it at once) and Playwright's `routeFromHAR` of the same answer.
// Goal: ≤ 1.1× raw fulfill, ≤ 0.8× routeFromHAR (time; lower is better).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { Session } from '../dist/core/session.js';
import { installBrowserTransport } from '../dist/browser/route.js';
import { upstreamDispatcher } from '../dist/node/index.js';
import { QUIET_CHROMIUM_ARGS, chromiumPath } from '../dist/chromium.js';
import { compare, ratio, size } from './lib.mjs';
import { API, body, chatEvents, sseChunks, tempDir, writeRecordings } from './fixtures.mjs';

const N = size(200, 3);
const dir = tempDir('page');
const options = writeRecordings(path.join(dir, 'llm'), { count: 1 });
const sse = Buffer.concat(sseChunks(chatEvents(24)));
const request = body(0);

// A page to run in, and a HAR of the same answer recorded by Playwright itself.
const server = http.createServer((req, res) => {
  if (req.url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end('<p>bench</p>');
  req.resume().on('end', () => res.writeHead(200, { 'content-type': 'text/event-stream', 'access-control-allow-origin': '*' }).end(sse));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({ executablePath: chromiumPath(), args: [...QUIET_CHROMIUM_ARGS] });
const harPath = path.join(dir, 'answer.har');
{
  const context = await browser.newContext({ recordHar: { path: harPath, urlFilter: /bench\.test/ } });
  await context.route(API, (route) => route.fulfill({ status: 200, headers: { 'content-type': 'text/event-stream', 'access-control-allow-origin': '*' }, body: sse }));
  const page = await context.newPage();
  await page.goto(origin);
  await page.evaluate(async ({ url, body }) => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).text(), { url: API, body: request });
  await context.close();
  const har = JSON.parse(fs.readFileSync(harPath, 'utf8'));
  if (!har.log.entries.some((e) => e.request.url === API)) throw new Error('the HAR has no entry for the API');
}

/** Runs N fetches in the page, each read fully; returns the milliseconds it took. */
async function timeIn(context) {
  const page = await context.newPage();
  await page.goto(origin);
  const ms = await page.evaluate(
    async ({ url, body, n }) => {
      const start = performance.now();
      for (let i = 0; i < n; i++) {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        const reader = res.body.getReader();
        while (!(await reader.read()).done);
      }
      return performance.now() - start;
    },
    { url: API, body: request, n: N },
  );
  await page.close();
  return ms;
}

const contexts = {
  'raw route.fulfill': async () => {
    const context = await browser.newContext();
    await context.route(API, (route) => route.fulfill({ status: 200, headers: { 'content-type': 'text/event-stream', 'access-control-allow-origin': '*' }, body: sse }));
    return context;
  },
  'routeFromHAR': async () => {
    const context = await browser.newContext();
    await context.routeFromHAR(harPath, { url: API });
    return context;
  },
  'playwright-llm-replay': async () => {
    const context = await browser.newContext();
    const session = new Session({ root: options.llmDir, mode: 'replay', pace: 0, urls: options.llmUrls, ignore: [], redact: {}, test: { folder: options.folder, title: options.folder, location: '' } });
    await installBrowserTransport(context, session, upstreamDispatcher);
    return context;
  },
};
const medians = await compare(`The page: ${N} fetches of a streamed completion (25 chunks), read fully`, 'ms', Object.fromEntries(
  Object.entries(contexts).map(([name, make]) => [name, async () => {
    const context = await make();
    try {
      return await timeIn(context);
    } finally {
      await context.close();
    }
  }]),
));
await browser.close();
server.close();
console.log(`ratio playwright-llm-replay / routeFromHAR: ${(medians['playwright-llm-replay'] / medians.routeFromHAR).toFixed(2)}× (goal ≤ 0.8)`);
ratio('playwright-llm-replay / raw route.fulfill', medians['playwright-llm-replay'] / medians['raw route.fulfill'], '≤ 1.1');
