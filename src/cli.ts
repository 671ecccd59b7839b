#!/usr/bin/env node
// `npx playwright-llm-replay proxy --port 8787 --upstream https://api.openai.com`
import { parseArgs } from 'node:util';
import { startProxy } from './proxy.js';
import { type LlmMode, checkMode } from './mode.js';

const USAGE = `Usage: playwright-llm-replay proxy --upstream <url> [--port <p>] [--host <h>] [--dir <llmDir>] [--mode <mode>] [--pace <n>]

  Starts a local HTTP server that records and replays the LLM calls sent to it. Point a backend
  in any language at it, e.g. OPENAI_BASE_URL=http://127.0.0.1:8787/v1 with --upstream https://api.openai.com.
  --upstream  where calls go when recording (required)
  --port      port to listen on (default 8787; 0 picks a free one)
  --host      address to listen on (default 127.0.0.1)
  --dir       recordings folder (default fixtures/llm)
  --mode      auto | replay | record-missing | record | passthrough (LLM_REPLAY_MODE overrides it)
  --pace      0: no delays (default), 1: recorded timing, 2: twice as fast…
  Requests that carry a test's x-llm-replay-test header are recorded into that test's folder.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'proxy') {
    console.error(command ? `playwright-llm-replay: unknown command ${JSON.stringify(command)}.\n\n${USAGE}` : USAGE);
    return 2;
  }
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: { port: { type: 'string' }, host: { type: 'string' }, upstream: { type: 'string' }, dir: { type: 'string' }, mode: { type: 'string' }, pace: { type: 'string' } },
    }));
  } catch (err) {
    console.error(`playwright-llm-replay proxy: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (!values.upstream) {
    console.error(`playwright-llm-replay proxy: --upstream is required.\n\n${USAGE}`);
    return 2;
  }
  const port = Number(values.port ?? 8787);
  const pace = Number(values.pace ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`playwright-llm-replay proxy: --port ${values.port} is not a port number.`);
  if (!Number.isFinite(pace) || pace < 0) throw new Error(`playwright-llm-replay proxy: --pace ${values.pace} must be 0 or a positive number.`);
  const mode: LlmMode | undefined = values.mode ? checkMode(values.mode, '--mode') : undefined;
  const proxy = await startProxy({ port, host: values.host, upstream: values.upstream, llmDir: values.dir, llmMode: mode, llmPace: pace });
  console.log(`playwright-llm-replay proxy listening on ${proxy.url} → ${values.upstream}`);
  const stop = () => void proxy.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => code >= 0 && process.exit(code),
  (err: Error) => {
    console.error(err.message);
    process.exit(2);
  },
);
