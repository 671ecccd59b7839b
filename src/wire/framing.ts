// Stream framing, provider-neutral: SSE (with or without `event:` names), NDJSON, and whole bodies.
// The recorder splits what arrives into events; the replayer renders each event back into exactly
// the bytes that arrived. An event whose readable form (its parsed payload, name and id) renders
// back to the same bytes is stored readable; any other (comments, odd fields or spacing, CR or
// CRLF line ends that are not the stream's own, garbage, a cut-off tail) also keeps its raw text.
// SSE fields are parsed by eventsource-parser, the parser the page script ships too.
import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** How a body is laid out; `websocket` is a conversation of frames, not a body. */
export type Framing = 'sse' | 'ndjson' | 'json' | 'text' | 'binary' | 'websocket';

/** One event of a stream, as stored. */
export interface WireEvent {
  /** The payload: a JSON object or array when its text is exactly `JSON.stringify` of it, else the text. */
  data?: unknown;
  event?: string;
  id?: string;
  /** The exact text received, when the readable form does not render back to it. */
  raw?: string;
  /** Milliseconds from the start of the response to the moment the whole event had arrived. */
  t: number;
}

export function framingOf(contentType: string | undefined): Framing {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'text/event-stream') return 'sse';
  if (type === 'application/x-ndjson' || type === 'application/ndjson' || type === 'application/jsonl' || type === 'application/jsonlines') return 'ndjson';
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  if (type.startsWith('text/') || type === '') return 'text';
  return 'binary';
}

/** The file extension a body of this content type is known by (a side file's), `bin` when none fits. */
export function extensionOf(contentType: string | undefined): string {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return EXTENSIONS[type] ?? 'bin';
}

// What speech, image and document endpoints answer with (OpenAI's speech formats: mp3, opus, aac,
// flac, wav, pcm), by content type.
const EXTENSIONS: Record<string, string> = {
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'audio/wav': 'wav',
  'audio/wave': 'wav',
  'audio/x-wav': 'wav',
  'audio/ogg': 'ogg',
  'audio/opus': 'opus',
  'audio/aac': 'aac',
  'audio/flac': 'flac',
  'audio/pcm': 'pcm',
  'audio/webm': 'webm',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'application/pdf': 'pdf',
};

export const isStreamFraming = (f: Framing): f is 'sse' | 'ndjson' => f === 'sse' || f === 'ndjson';

/** A payload's readable form: the parsed object when it renders back to the same text, else the text. */
export function payloadOf(text: string): { data: unknown; exact: boolean } {
  const c = text.charCodeAt(0);
  if (c === 123 /* { */ || c === 91 /* [ */) {
    try {
      const parsed = JSON.parse(text) as unknown;
      return { data: parsed, exact: JSON.stringify(parsed) === text };
    } catch {
      // not JSON: kept as text
    }
  }
  return { data: text, exact: true };
}

const payloadText = (data: unknown): string => (typeof data === 'string' ? data : JSON.stringify(data));

/** The bytes of one event: its raw text when it has one, else its readable form rendered. */
export function renderEvent(framing: 'sse' | 'ndjson', e: Omit<WireEvent, 't'>, eol = '\n'): string {
  if (e.raw !== undefined) return e.raw;
  const text = payloadText(e.data ?? '');
  if (framing === 'ndjson') return text + eol;
  let out = '';
  if (e.event !== undefined) out += `event: ${e.event}${eol}`;
  if (e.id !== undefined) out += `id: ${e.id}${eol}`;
  for (const line of text.split('\n')) out += `data: ${line}${eol}`;
  return out + eol;
}

/** Splits text into lines as the SSE spec does (CRLF, LF or CR, mixed), keeping each line's end. */
class Lines {
  private buffer = '';

  push(text: string, final: boolean): { line: string; end: string }[] {
    this.buffer += text;
    const out: { line: string; end: string }[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      let end = this.buffer[i];
      if (c === 13) {
        if (i + 1 === this.buffer.length && !final) break; // a CR at the end may be half of a CRLF
        if (this.buffer.charCodeAt(i + 1) === 10) end = '\r\n';
      }
      out.push({ line: this.buffer.slice(start, i), end });
      i += end.length - 1;
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
    return out;
  }

  /** What is left that no line end closed. */
  take(): string {
    const rest = this.buffer;
    this.buffer = '';
    return rest;
  }
}

/** Splits an SSE stream into events as it arrives, each with its exact text. */
class SseSplitter {
  private readonly lines = new Lines();
  private block = '';
  private clean = true;
  private message: EventSourceMessage | undefined;
  private readonly parser = createParser({
    onEvent: (m) => (this.message = m),
    onComment: () => (this.clean = false),
    onRetry: () => (this.clean = false),
    onError: () => (this.clean = false),
  });

  /** @param eol the stream's own line end; learnt from its first line when not given. */
  constructor(public eol?: string) {}

  push(text: string, t: number, final: boolean): WireEvent[] {
    const events: WireEvent[] = [];
    for (const { line, end } of this.lines.push(text, final)) {
      this.eol ??= end;
      this.block += line + end;
      if (end !== this.eol) this.clean = false;
      // The parser gets lines with LF ends: the line splitting above is already the spec's.
      this.parser.feed(line + '\n');
      if (line === '') events.push(this.finish(t));
    }
    if (final) {
      this.block += this.lines.take();
      if (this.block) events.push({ raw: this.block, t }); // a tail no blank line closed: no client dispatches it
      this.block = '';
    }
    return events;
  }

  private finish(t: number): WireEvent {
    const raw = this.block;
    const m = this.message;
    const clean = this.clean;
    this.block = '';
    this.message = undefined;
    this.clean = true;
    if (!m) return { raw, t }; // a comment, a blank line, fields without data: nothing a client dispatches
    const { data, exact } = payloadOf(m.data);
    const e: WireEvent = { data, t };
    if (m.event !== undefined) e.event = m.event;
    if (m.id !== undefined) e.id = m.id;
    if (!clean || !exact || renderEvent('sse', e, this.eol) !== raw) e.raw = raw;
    return e;
  }
}

/** Splits an NDJSON stream into lines as it arrives. */
class NdjsonSplitter {
  private buffer = '';

  constructor(public eol?: string) {}

  push(text: string, t: number, final: boolean): WireEvent[] {
    this.buffer += text;
    const events: WireEvent[] = [];
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const raw = this.buffer.slice(0, nl + 1);
      this.buffer = this.buffer.slice(nl + 1);
      this.eol ??= raw.endsWith('\r\n') ? '\r\n' : '\n';
      events.push(this.line(raw, raw.slice(0, raw.endsWith('\r\n') ? -2 : -1), t));
    }
    if (final && this.buffer) {
      events.push(this.line(this.buffer, this.buffer, t));
      this.buffer = '';
    }
    return events;
  }

  private line(raw: string, body: string, t: number): WireEvent {
    if (!body.trim()) return { raw, t };
    const { data, exact } = payloadOf(body);
    const e: WireEvent = { data, t };
    if (!exact || renderEvent('ndjson', e, this.eol) !== raw) e.raw = raw;
    return e;
  }
}

/**
 * Splits a stream into events as it arrives; an event split across reads is completed by a later
 * read. Its line end (`\n`, or `\r\n` for providers that send that) is learnt from its first line.
 */
export class StreamSplitter {
  private readonly decoder = new TextDecoder();
  private readonly splitter: SseSplitter | NdjsonSplitter;

  constructor(framing: 'sse' | 'ndjson', eol?: string) {
    this.splitter = framing === 'sse' ? new SseSplitter(eol) : new NdjsonSplitter(eol);
  }

  /** The stream's line end, once one line has arrived. */
  get eol(): string {
    return this.splitter.eol ?? '\n';
  }

  push(chunk: Uint8Array, t: number): WireEvent[] {
    return this.splitter.push(this.decoder.decode(chunk, { stream: true }), t, false);
  }

  end(t: number): WireEvent[] {
    return this.splitter.push(this.decoder.decode(), t, true);
  }
}

/** Splits a whole stream body at once (llama-stack raw SSE lines, encoded bodies decoded late). */
export function splitStream(framing: 'sse' | 'ndjson', body: string | Uint8Array, t = 0): { events: WireEvent[]; eol: string } {
  const s = new StreamSplitter(framing);
  const events = [...s.push(typeof body === 'string' ? Buffer.from(body) : body, t), ...s.end(t)];
  return { events, eol: s.eol };
}
