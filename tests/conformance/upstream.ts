// The conformance suite's upstream: it answers from a scripted list of chunks, either in memory (the
// memory transport calls `answer` directly) or over HTTP on 127.0.0.1 (every real transport). A
// case can hold it before a chunk (`hold`) to order what the upstream sends against what the caller
// reads, and sees what it sent in `log`.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SocketPeer } from '../../src/core/socket/transport.js';

export interface Script {
  status: number;
  contentType: string;
  chunks: (string | Buffer)[];
  /** After the chunks, the connection breaks (a network failure mid-answer). */
  reset?: boolean;
}

/** The path of every case's calls: OpenAI chat, so faults know the provider's error event. */
export const CHAT_PATH = '/v1/chat/completions';

export const WORDS = ['one', 'two', 'three'];

/** Where speech is asked for: OpenAI's text-to-speech, answered in audio bytes. */
export const SPEECH_PATH = '/v1/audio/speech';

/**
 * The speech answer: 96 000 bytes of audio/mpeg (more than a recording keeps in its JSON: it goes to
 * a side file), every byte value in it (not text), sent in three pieces.
 */
export const SPEECH = Buffer.from(Array.from({ length: 96_000 }, (_, i) => (i * 7919 + (i >> 8)) & 0xff));
export const SPEECH_PIECES = [40_000, 30_000, 26_000];

/** The n-th request's answer (n from 1): a stream of one event per word then [DONE], or one JSON body; speech for a speech request. */
export function chatAnswer(n: number, body: { stream?: boolean; model?: string; input?: string }): Script {
  if (body.input !== undefined) {
    let at = 0;
    return { status: 200, contentType: 'audio/mpeg', chunks: SPEECH_PIECES.map((size) => SPEECH.subarray(at, (at += size))) };
  }
  if (body.model === 'broken') return { status: 500, contentType: 'application/json', chunks: [JSON.stringify({ error: { message: 'The server had an error', type: 'server_error' } })] };
  if (!body.stream) return { status: 200, contentType: 'application/json', chunks: [JSON.stringify({ n, choices: [{ message: { role: 'assistant', content: WORDS.join(' ') } }] })] };
  const events = WORDS.map((w) => `data: ${JSON.stringify({ n, choices: [{ delta: { content: w } }] })}\n\n`);
  return { status: 200, contentType: 'text/event-stream', chunks: [...events, 'data: [DONE]\n\n'], reset: body.model === 'reset' };
}

/** The answer to the n-th request when it is a multipart upload. */
export function transcriptAnswer(n: number, body: Buffer): Script {
  return { status: 200, contentType: 'application/json', chunks: [JSON.stringify({ n, text: `heard ${body.length} bytes` })] };
}

/** The realtime endpoint of the cases' sockets (OpenAI's, with the model in the query). */
export const REALTIME_PATH = '/v1/realtime?model=rt';

/**
 * A realtime session as the scripted upstream plays it (OpenAI's GA event names): `session.created`
 * at once; each `conversation.item.create` acknowledged; each `response.create` answered with one
 * `response.output_text.delta` per word (echoing the last user text) and `response.done`; the
 * user text `bye` makes the server close with 1000 `goodbye`.
 */
export function realtimeScript(peer: SocketPeer, log: string[]): void {
  let last = '';
  const send = (json: object) => peer.send({ text: JSON.stringify(json) });
  send({ type: 'session.created', session: { model: 'rt' } });
  peer.onFrame((f) => {
    const e = 'text' in f ? JSON.parse(f.text) : {};
    log.push(`heard ${e.type}`);
    if (e.type === 'conversation.item.create') {
      last = e.item?.content?.[0]?.text ?? '';
      if (last === 'bye') return peer.close(1000, 'goodbye');
      send({ type: 'conversation.item.done', item: e.item });
    } else if (e.type === 'response.create') {
      for (const w of `${last} ${WORDS.join(' ')}`.split(' ')) send({ type: 'response.output_text.delta', delta: w });
      send({ type: 'response.done', response: { status: 'completed' } });
    }
  });
}

const live = new Set<WebSocket>();

/** A `ws` socket as a SocketPeer (what the scripted session talks to). */
export function wsPeer(ws: WebSocket): SocketPeer {
  live.add(ws);
  ws.on('close', () => live.delete(ws));
  return {
    send: (f) => ws.send('text' in f ? f.text : f.binary, { binary: !('text' in f) }),
    close: (code, reason) => ws.close(code, reason),
    onFrame: (l) => void ws.on('message', (data, binary) => l(binary ? { binary: data as Buffer } : { text: data.toString() })),
    onClose: (l) => void ws.on('close', (code, reason) => l(code, reason.toString())),
  };
}

export interface UpstreamAnswer {
  status: number;
  headers: [string, string][];
  body: AsyncIterable<Buffer>;
}

export class ScriptedUpstream {
  /** Requests answered so far. */
  requests = 0;
  /** Sockets opened to it so far. */
  sockets = 0;
  /** What its sockets heard, in order. */
  readonly socketLog: string[] = [];
  /** The subprotocols each socket over HTTP offered. */
  readonly offered: string[][] = [];
  /** The body of each request, as it arrived. */
  readonly bodies: Buffer[] = [];
  /** What happened, in order: `sent <i>` for each chunk sent, `end`, `reset`. */
  readonly log: string[] = [];
  /** Awaited before chunk `i` of every answer is sent. */
  hold?: (i: number) => Promise<void> | void;
  url = 'http://upstream.memory.invalid';
  private server?: http.Server;

  /** The answer to one request, as the memory transport reads it. */
  answer(body: Buffer): UpstreamAnswer {
    this.bodies.push(body);
    // A multipart upload (a transcription): a JSON answer naming what it got.
    const script = body.subarray(0, 2).toString() === '--' ? transcriptAnswer(++this.requests, body) : chatAnswer(++this.requests, parse(body));
    const self = this;
    return {
      status: script.status,
      headers: [['content-type', script.contentType]],
      body: (async function* () {
        for (const [i, chunk] of script.chunks.entries()) {
          if (script.reset && i === script.chunks.length - 1) {
            self.log.push('reset');
            throw Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
          }
          await self.hold?.(i);
          self.log.push(`sent ${i}`);
          yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        }
        self.log.push('end');
      })(),
    };
  }

  /** Plays a realtime session on `peer` (its end of a new socket). */
  socket(peer: SocketPeer): void {
    this.sockets++;
    realtimeScript(peer, this.socketLog);
  }

  /** Serves the same answers over HTTP; `url` becomes its address. GET / is a blank page for a browser to start from. */
  async listen(): Promise<void> {
    this.server = http.createServer(async (req, res) => {
      const parts: Buffer[] = [];
      for await (const c of req) parts.push(c as Buffer);
      if (req.method === 'GET') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>conformance</title>');
      const answer = this.answer(Buffer.concat(parts));
      res.writeHead(answer.status, Object.fromEntries([...answer.headers, ['access-control-allow-origin', '*']]));
      res.flushHeaders();
      try {
        for await (const chunk of answer.body) await new Promise<void>((r) => res.write(chunk, () => r()));
        res.end();
      } catch {
        res.socket?.destroy();
      }
    });
    // WebSockets on the same port: each a realtime session (realtimeScript).
    const sockets = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, socket, head) => {
      const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean);
      this.offered.push(offered);
      sockets.handleUpgrade(req, socket, head, (ws) => this.socket(wsPeer(ws)));
    });
    this.server.on('connection', (s) => s.setNoDelay(true));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    for (const ws of live) ws.terminate();
    await new Promise((r) => this.server!.close(r));
  }
}

function parse(body: Buffer): { stream?: boolean; model?: string; input?: string } {
  try {
    return JSON.parse(body.toString() || '{}');
  } catch {
    return {};
  }
}
