// Streams whose lines end in CRLF (the stand-in's `crlf` case; the SDKs parse them in the fidelity
// table): the recording keeps the line end, and its replay is byte for byte what was recorded, which
// is what the upstream sent, for each provider's stream format.
import fs from 'node:fs';
import { test as base, expect } from '@playwright/test';
import fg from 'fast-glob';
import { install } from '../../src/node/index.js';
import { CASE_HEADER, upstreamFixture, type Upstream } from '../support/upstream.js';

const test = base.extend<object, { upstream: Upstream }>({
  upstream: [upstreamFixture({ tokenDelay: 1, deterministic: true }), { scope: 'worker' }],
});

const STREAMS: Record<string, { path: string; body: object; framing: 'sse' | 'ndjson' }> = {
  'openai chat': { path: '/v1/chat/completions', framing: 'sse', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'CRLF lines please' }], stream: true, stream_options: { include_usage: true } } },
  'openai responses': { path: '/v1/responses', framing: 'sse', body: { model: 'gpt-4o-mini', input: 'CRLF lines please', stream: true } },
  anthropic: { path: '/v1/messages', framing: 'sse', body: { model: 'claude-sonnet-5', max_tokens: 256, messages: [{ role: 'user', content: 'CRLF lines please' }], stream: true } },
  gemini: { path: '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', framing: 'sse', body: { contents: [{ role: 'user', parts: [{ text: 'CRLF lines please' }] }] } },
  ollama: { path: '/api/chat', framing: 'ndjson', body: { model: 'llama3.2', messages: [{ role: 'user', content: 'CRLF lines please' }], stream: true } },
};

for (const [name, s] of Object.entries(STREAMS)) {
  test(`${name}: a CRLF stream is recorded with its line end and replayed byte for byte`, async ({ upstream }, testInfo) => {
    const llmDir = testInfo.outputPath('llm');
    const call = async (origin: string) => {
      const res = await fetch(origin + s.path, { method: 'POST', headers: { 'content-type': 'application/json', [CASE_HEADER]: 'crlf' }, body: JSON.stringify(s.body) });
      expect(res.status).toBe(200);
      return Buffer.from(await res.arrayBuffer()).toString('latin1');
    };
    // Through localhost the plugin does not catch the call: what the upstream sends.
    const direct = await call(upstream.url.replace('127.0.0.1', 'localhost'));
    expect(direct).toContain('\r\n');
    expect(direct.replace(/\r\n/g, ''), 'every line ends in CRLF').not.toMatch(/[\r\n]/);

    const installed = install({ llmDir, llmMode: 'record-missing', llmUrls: [`${upstream.url}/**`], folder: 'crlf' });
    try {
      const live = await call(upstream.url);
      await installed.settled();
      const replayed = await call(upstream.url);
      expect(installed.calls.map((c) => c.outcome)).toEqual(['recorded', 'replayed']);
      expect(live).toBe(direct);
      expect(replayed).toBe(live);
    } finally {
      installed.uninstall();
    }
    const [file] = fg.sync('**/*.json', { cwd: llmDir, absolute: true });
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).response).toMatchObject({ framing: s.framing, eol: '\r\n' });
  });
}
