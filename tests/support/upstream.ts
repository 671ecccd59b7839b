// A local stand-in for the LLM providers, on 127.0.0.1. It speaks their real wire formats, so the
// official SDKs parse it as they parse the real APIs:
//   POST /v1/chat/completions   OpenAI chat: SSE `data: {...}` chunks then `data: [DONE]`, or JSON;
//                               tool calls when the request has `tools`; usage with include_usage
//   POST /v1/messages           Anthropic Messages: SSE with `event:` names
//   POST /api/chat              Ollama: NDJSON stream
// Answers are deterministic in the prompt ("Echo: <last user message>"); ids and timestamps are
// fresh per call, as on the real APIs. Tokens come with per-token delays; one event of every
// OpenAI stream is split across two TCP writes. Models `rate-limited` and `broken` get a 429 and
// a 500 with the provider's error body.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

export interface Upstream {
  url: string;
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** Requests served so far. */
  readonly requests: number;
  /** For each streamed response, the gaps (ms) between the writes of its events. */
  readonly gaps: number[][];
  /** The headers of every request received, in order. */
  readonly received: http.IncomingHttpHeaders[];
  close(): Promise<void>;
}

export interface UpstreamOptions {
  /** Delay between tokens, ms. */
  tokenDelay?: number;
  port?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const id = (prefix: string) => prefix + randomBytes(12).toString('hex');

type Json = Record<string, any>;

export function tokensOf(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

export function answerFor(body: Json): string {
  const messages: Json[] = body.messages ?? [];
  const last = [...messages].reverse().find((m) => m.role === 'user');
  const content = typeof last?.content === 'string' ? last.content : (last?.content ?? []).map((p: Json) => p.text ?? '').join(' ');
  return `Echo: ${content || body.prompt || '(nothing)'}`;
}

export async function startUpstream(options: UpstreamOptions = {}): Promise<Upstream> {
  const tokenDelay = options.tokenDelay ?? 20;
  const stats = { connections: 0, requests: 0, gaps: [] as number[][], received: [] as http.IncomingHttpHeaders[] };
  const server = http.createServer(async (req, res) => {
    stats.requests++;
    stats.received.push(req.headers);
    // Browsers may call it from a page, as they may call the real APIs.
    res.setHeader('access-control-allow-origin', '*');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-methods': 'GET, POST, OPTIONS', 'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*', 'access-control-max-age': '600' });
      return void res.end();
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: Json = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString() || '{}');
    } catch {
      return json(res, 400, { error: { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error', param: null, code: null } });
    }
    res.setHeader('x-request-id', id('req_'));
    res.setHeader('set-cookie', `__cf_bm=${randomBytes(8).toString('hex')}; path=/; HttpOnly`);
    const path = (req.url ?? '').split('?')[0];
    if (body.model === 'rate-limited') {
      res.setHeader('retry-after', '0');
      return json(res, 429, { error: { message: 'Rate limit reached for requests', type: 'requests', param: null, code: 'rate_limit_exceeded' } });
    }
    if (body.model === 'broken') return json(res, 500, { error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } });
    const writer = new EventWriter(res, tokenDelay, stats.gaps);
    if (path.endsWith('/chat/completions') && req.method === 'POST') return openaiChat(body, res, writer);
    if (path.endsWith('/messages') && req.method === 'POST') return anthropicMessages(body, res, writer);
    if (path === '/api/chat' && req.method === 'POST') return ollamaChat(body, res, writer);
    json(res, 404, { error: { message: `Unknown request URL: ${req.method} ${path}`, type: 'invalid_request_error', param: null, code: 'unknown_url' } });
  });
  server.on('connection', (socket) => {
    stats.connections++;
    socket.setNoDelay(true);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return stats.connections;
    },
    get requests() {
      return stats.requests;
    },
    gaps: stats.gaps,
    received: stats.received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: http.ServerResponse, status: number, body: Json) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Writes events one by one with a delay before each, and splits one event across two writes. */
class EventWriter {
  private last = 0;
  private readonly gaps: number[] = [];
  constructor(
    private readonly res: http.ServerResponse,
    private readonly delay: number,
    all: number[][],
  ) {
    all.push(this.gaps);
  }

  async write(text: string, { split = false } = {}) {
    if (this.last) await sleep(this.delay);
    const now = performance.now();
    if (this.last) this.gaps.push(now - this.last);
    this.last = now;
    if (split) {
      const half = Math.floor(text.length / 2);
      this.res.write(text.slice(0, half));
      await sleep(Math.max(2, this.delay / 4));
      this.res.write(text.slice(half));
    } else this.res.write(text);
  }

  end() {
    this.res.end();
  }
}

async function openaiChat(body: Json, res: http.ServerResponse, w: EventWriter) {
  const completionId = id('chatcmpl-');
  const created = Math.floor(Date.now() / 1000);
  const model = body.model ?? 'gpt-4o-mini';
  const text = answerFor(body);
  const tool = body.tools?.[0]?.function;
  const promptTokens = JSON.stringify(body.messages ?? []).length >> 3;
  const completionTokens = tokensOf(text).length;
  const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
  const toolCall = tool ? { id: id('call_'), type: 'function', function: { name: tool.name, arguments: JSON.stringify({ location: 'Paris' }) } } : undefined;

  if (!body.stream) {
    const message = toolCall ? { role: 'assistant', content: null, tool_calls: [toolCall], refusal: null } : { role: 'assistant', content: text, refusal: null };
    res.setHeader('openai-processing-ms', '42');
    return json(res, 200, {
      id: completionId,
      object: 'chat.completion',
      created,
      model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: toolCall ? 'tool_calls' : 'stop' }],
      usage,
      system_fingerprint: 'fp_local',
    });
  }
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'openai-processing-ms': '12' });
  res.flushHeaders();
  const chunk = (delta: Json, finish: string | null = null, extra: Json = {}) =>
    `data: ${JSON.stringify({ id: completionId, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_local', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra })}\n\n`;
  await w.write(chunk({ role: 'assistant', content: '', refusal: null }));
  if (toolCall) {
    const args = toolCall.function.arguments;
    await w.write(chunk({ tool_calls: [{ index: 0, id: toolCall.id, type: 'function', function: { name: toolCall.function.name, arguments: '' } }] }));
    await w.write(chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(0, 8) } }] }), { split: true });
    await w.write(chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(8) } }] }));
    await w.write(chunk({}, 'tool_calls'));
  } else {
    for (const [i, token] of tokensOf(text).entries()) await w.write(chunk({ content: token }), { split: i === 1 });
    await w.write(chunk({}, 'stop'));
  }
  if (body.stream_options?.include_usage) {
    await w.write(`data: ${JSON.stringify({ id: completionId, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_local', choices: [], usage })}\n\n`);
  }
  await w.write('data: [DONE]\n\n');
  w.end();
}

async function anthropicMessages(body: Json, res: http.ServerResponse, w: EventWriter) {
  const messageId = id('msg_01');
  const model = body.model ?? 'claude-sonnet-5';
  const tokens = tokensOf(answerFor(body));
  if (!body.stream) {
    return json(res, 200, {
      id: messageId,
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text: tokens.join('') }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 12, output_tokens: tokens.length },
    });
  }
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': id('req_01') });
  res.flushHeaders();
  const ev = (event: string, data: Json) => `event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`;
  await w.write(ev('message_start', { message: { id: messageId, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 12, output_tokens: 1 } } }));
  await w.write(ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }));
  await w.write(ev('ping', {}));
  for (const [i, token] of tokens.entries()) await w.write(ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: token } }), { split: i === 0 });
  await w.write(ev('content_block_stop', { index: 0 }));
  await w.write(ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: tokens.length } }));
  await w.write(ev('message_stop', {}));
  w.end();
}

async function ollamaChat(body: Json, res: http.ServerResponse, w: EventWriter) {
  const model = body.model ?? 'llama3.2';
  const tokens = tokensOf(answerFor(body));
  const line = (o: Json) => JSON.stringify({ model, created_at: new Date().toISOString(), ...o }) + '\n';
  if (body.stream === false) {
    return json(res, 200, JSON.parse(line({ message: { role: 'assistant', content: tokens.join('') }, done_reason: 'stop', done: true, eval_count: tokens.length })));
  }
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  res.flushHeaders();
  for (const [i, token] of tokens.entries()) await w.write(line({ message: { role: 'assistant', content: token }, done: false }), { split: i === 0 });
  await w.write(line({ message: { role: 'assistant', content: '' }, done_reason: 'stop', done: true, total_duration: 123456, eval_count: tokens.length }));
  w.end();
}
