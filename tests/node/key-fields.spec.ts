// The match key holds the whole request, not only its messages: through the fixture, from the test
// worker, two calls of the official Anthropic SDK that differ only in `system` are two recordings,
// and each replays its own answer, whatever the order they come in.
import fs from 'node:fs';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import fg from 'fast-glob';
import { test as base, expect } from 'playwright-llm-replay';
import { upstreamFixture, type Upstream } from '../support/upstream.js';
import { freshLlmDir, workerLlmDir } from '../support/llm-dir.js';

const test = base.extend<{ upstream: Upstream; fresh: void }, object>({
  llmDir: workerLlmDir('llm-key-fields'),
  upstream: upstreamFixture({ tokenDelay: 1 }),
  fresh: freshLlmDir,
});
test.use({ llmMode: 'record-missing', llmUrls: ['http://127.0.0.1:*/v1/**'] });

test('two Anthropic calls that differ only in system: two recordings, each replays its own answer', async ({ llm, upstream }) => {
  const client = new Anthropic({ apiKey: 'sk-ant-key-fields', baseURL: upstream.url, maxRetries: 0 });
  const ask = (system: string) =>
    client.messages.stream({ model: 'claude-sonnet-5', max_tokens: 256, system, messages: [{ role: 'user', content: 'Who are you?' }] }).finalMessage();
  const pirate = await ask('You are a pirate.');
  const butler = await ask('You are a butler.');
  // The stand-in answers both with the same text; the message ids tell the two answers apart.
  expect(pirate.content).toEqual(butler.content);
  expect(pirate.id).not.toBe(butler.id);
  await expect.poll(() => llm.calls.map((c) => c.outcome)).toEqual(['recorded', 'recorded']);

  const files = fg.sync('**/*.json', { cwd: llm.dir, absolute: true });
  // Two first occurrences of two keys, not the 1st and 2nd occurrence of one.
  expect(files.map((f) => path.basename(f))).toEqual([expect.stringMatching(/^messages\.[0-9a-f]{12}\.json$/), expect.stringMatching(/^messages\.[0-9a-f]{12}\.json$/)]);
  const systemOf = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')).request.body.system;
  const pirateFile = files.find((f) => systemOf(f) === 'You are a pirate.');
  const butlerFile = files.find((f) => systemOf(f) === 'You are a butler.');
  expect(pirateFile && butlerFile).toBeTruthy();

  await upstream.close();
  const connections = upstream.connections;
  // In the other order: each finds its own recording, not the next one in line.
  expect(await ask('You are a butler.')).toEqual(butler);
  expect(await ask('You are a pirate.')).toEqual(pirate);
  expect(upstream.connections).toBe(connections);
  expect(llm.calls.map((c) => [c.outcome, c.file])).toEqual([
    ['recorded', pirateFile],
    ['recorded', butlerFile],
    ['replayed', butlerFile],
    ['replayed', pirateFile],
  ]);
});
