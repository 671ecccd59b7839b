// Builds a recording from a live response as it streams past. The transport hands every chunk
// to the caller first and to the recorder second; nothing is written until the stream ends well.
import zlib from 'node:zlib';
import { type WireEvent, StreamParser, framingOf, isStreamFraming } from '../wire/framing.js';
import { keepResponseHeader } from '../wire/providers.js';
import type { Interaction } from './recording.js';

export type HeaderValues = Record<string, string | string[] | undefined>;

export class Recorder {
  private start = 0;
  private status = 0;
  private headers: Record<string, string> = {};
  private encoding = '';
  private parser?: StreamParser;
  private readonly events: WireEvent[] = [];
  private readonly raw: Buffer[] = [];

  constructor(private readonly request: Interaction['request']) {}

  response(status: number, headers: HeaderValues): void {
    this.start = performance.now();
    this.status = status;
    this.headers = {};
    for (const [name, value] of Object.entries(headers).sort(([a], [b]) => a.localeCompare(b))) {
      const n = name.toLowerCase();
      if (n === 'content-encoding' && value) this.encoding = String(value).toLowerCase();
      if (value !== undefined && keepResponseHeader(n)) this.headers[n] = Array.isArray(value) ? value.join(', ') : value;
    }
    const framing = framingOf(this.headers['content-type']);
    if (isStreamFraming(framing) && !this.encoded) this.parser = new StreamParser(framing as 'sse' | 'ndjson');
  }

  private get encoded(): boolean {
    return !!this.encoding && this.encoding !== 'identity';
  }

  chunk(data: Buffer): void {
    if (this.parser) this.events.push(...this.parser.push(data, this.elapsed()));
    else this.raw.push(Buffer.from(data));
  }

  /** Whether the upstream answer may be kept: failures pass through to the caller but are never stored. */
  get storable(): boolean {
    return this.status >= 200 && this.status < 400;
  }

  /** The finished interaction, once the upstream body has ended well. */
  finish(occurrence: number, test: string | undefined): Interaction {
    const t = this.elapsed();
    const framing = framingOf(this.headers['content-type']);
    let events = this.events;
    if (this.parser) events.push(...this.parser.end(t));
    let body: Buffer | undefined;
    if (!this.parser) {
      body = decode(Buffer.concat(this.raw), this.encoding);
      // An encoded stream can only be split into events once decoded; its timing is lost.
      if (isStreamFraming(framing)) {
        const parser = new StreamParser(framing as 'sse' | 'ndjson');
        events = [...parser.push(body, t), ...parser.end(t)];
      }
    }
    const response: Interaction['response'] = { status: this.status, headers: this.headers, framing };
    if (isStreamFraming(framing)) {
      const last = events.at(-1);
      if (last && last.data === '[DONE]' && last.event === undefined) {
        events = events.slice(0, -1);
        response.terminator = { data: '[DONE]', t: last.t };
      }
      response.events = events;
    } else if (framing === 'json') {
      const text = body!.toString('utf8');
      try {
        response.body = JSON.parse(text);
      } catch {
        response.body = text;
        response.framing = 'text';
      }
    } else if (framing === 'text') response.body = body!.toString('utf8');
    else response.body = body;
    return { request: this.request, response, occurrence, test };
  }

  private elapsed(): number {
    return performance.now() - this.start;
  }
}

function decode(body: Buffer, encoding: string): Buffer {
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.gunzipSync(body);
    case 'br':
      return zlib.brotliDecompressSync(body);
    case 'deflate':
      return zlib.inflateSync(body);
    default:
      return body;
  }
}
