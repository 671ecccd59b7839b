// Builds a recording from a live response as it streams past. The exchange hands every chunk to
// the caller first and to the recorder second; nothing is written until the stream ends well.
import zlib from 'node:zlib';
import { type WireEvent, StreamSplitter, framingOf, isStreamFraming, splitStream } from '../wire/framing.js';
import { type HeaderList, headerValue } from './headers.js';
import type { Redactor } from './redact.js';
import { type Chunk, type Interaction, wholeBody } from './recording.js';

/** Pieces of a whole body that arrive less than this many ms after the one before are one chunk: a burst the network cut up. */
export const CHUNK_GAP_MS = 1;

/**
 * A whole body's pieces as chunks: each piece's size, and when it arrived (ms from the start of the
 * response); a piece that comes within CHUNK_GAP_MS of the one before joins its chunk, so a body
 * written at once (2 MB in 64 KB reads) stays one chunk, and one sent piece by piece (speech as it
 * is synthesized) keeps its pieces.
 */
export class Chunks {
  readonly list: Chunk[] = [];
  private last = -Infinity;

  add(t: number, size: number): void {
    if (!size) return;
    const chunk = this.list.at(-1);
    if (chunk && t - this.last < CHUNK_GAP_MS) {
      chunk.size += size;
      chunk.t = t;
    } else this.list.push({ t, size });
    this.last = t;
  }
}

export class Recorder {
  private start = 0;
  private status = 0;
  private headers: Record<string, string> = {};
  private encoding = '';
  private splitter?: StreamSplitter;
  private readonly events: WireEvent[] = [];
  private readonly raw: Buffer[] = [];
  private readonly pieces = new Chunks();

  constructor(
    private readonly request: Interaction['request'],
    private readonly redactor: Redactor,
  ) {}

  response(status: number, headers: HeaderList): void {
    this.start = performance.now();
    this.status = status;
    this.headers = this.redactor.responseHeaders(headers);
    this.encoding = (headerValue(headers, 'content-encoding') ?? '').toLowerCase();
    const framing = framingOf(this.headers['content-type']);
    if (isStreamFraming(framing) && !this.encoded) this.splitter = new StreamSplitter(framing);
  }

  private get encoded(): boolean {
    return !!this.encoding && this.encoding !== 'identity';
  }

  chunk(data: Buffer): void {
    if (this.splitter) {
      for (const e of this.splitter.push(data, this.elapsed())) this.events.push(e);
    } else {
      this.raw.push(Buffer.from(data));
      this.pieces.add(this.elapsed(), data.length);
    }
  }

  /** Whether the upstream answer may be kept: failures pass through to the caller but are never stored. */
  get storable(): boolean {
    return this.status >= 200 && this.status < 400;
  }

  get answeredStatus(): number {
    return this.status;
  }

  /** The finished interaction, once the upstream body has ended well: recorded now. */
  finish(occurrence: number, test: string | undefined): Interaction {
    const t = this.elapsed();
    const framing = framingOf(this.headers['content-type']);
    const response: Interaction['response'] = { status: this.status, headers: this.headers, framing };
    if (isStreamFraming(framing)) {
      let events = this.events;
      let eol = this.splitter?.eol ?? '\n';
      if (this.splitter) events.push(...this.splitter.end(t));
      else ({ events, eol } = splitStream(framing, decode(Buffer.concat(this.raw), this.encoding), t)); // an encoded stream's timing is lost
      const last = events.at(-1);
      if (last && last.data === '[DONE]' && last.event === undefined && last.id === undefined && last.raw === undefined) {
        events = events.slice(0, -1);
        response.terminator = { data: '[DONE]', t: last.t };
      }
      // Times as the file keeps them (0.1 ms), so this process replays what a later one reads back.
      response.events = events.map((e) => ({ ...e, t: Math.round(e.t * 10) / 10 }));
      if (response.terminator) response.terminator.t = Math.round(response.terminator.t * 10) / 10;
      if (eol !== '\n') response.eol = eol;
    } else {
      Object.assign(response, wholeBody(framing, decode(Buffer.concat(this.raw), this.encoding)));
      // A text or binary body that came in pieces replays in them (an encoded one's pieces are not the body's).
      const chunks = this.pieces.list;
      if (chunks.length > 1 && response.framing !== 'json' && !this.encoded) response.chunks = chunks.map((c) => ({ t: Math.round(c.t * 10) / 10, size: c.size }));
    }
    return { request: this.request, response, occurrence, test, recordedAt: new Date().toISOString() };
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
