// Stream framing, provider-neutral: SSE (with or without `event:` names), NDJSON, and whole bodies.
// The recorder parses what arrives into events; the replayer renders events back into bytes.

export type Framing = 'sse' | 'ndjson' | 'json' | 'text' | 'binary';

/** One event of a stream: its payload (parsed JSON, or the raw text), SSE name and id, arrival time. */
export interface WireEvent {
  data: unknown;
  event?: string;
  id?: string;
  /** Milliseconds from the start of the response to the moment the whole event had arrived. */
  t: number;
}

export function framingOf(contentType: string | undefined): Framing {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'text/event-stream') return 'sse';
  if (type === 'application/x-ndjson' || type === 'application/ndjson' || type === 'application/jsonl') return 'ndjson';
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  if (type.startsWith('text/') || type === '') return 'text';
  return 'binary';
}

export const isStreamFraming = (f: Framing): boolean => f === 'sse' || f === 'ndjson';

function parsePayload(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Parses a stream as it arrives; an event split across reads is completed by the later read. */
export class StreamParser {
  private buffer = '';
  private readonly decoder = new TextDecoder();

  constructor(private readonly framing: 'sse' | 'ndjson') {}

  push(chunk: Uint8Array, t: number): WireEvent[] {
    this.buffer += this.decoder.decode(chunk, { stream: true });
    return this.drain(t, false);
  }

  end(t: number): WireEvent[] {
    this.buffer += this.decoder.decode();
    return this.drain(t, true);
  }

  private drain(t: number, final: boolean): WireEvent[] {
    const separator = this.framing === 'sse' ? /\r\n\r\n|\n\n|\r\r/ : /\r?\n/;
    const events: WireEvent[] = [];
    for (;;) {
      const m = separator.exec(this.buffer);
      if (!m) break;
      const block = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      const event = this.framing === 'sse' ? parseSseBlock(block, t) : parseLine(block, t);
      if (event) events.push(event);
    }
    if (final && this.buffer.trim()) {
      const event = this.framing === 'sse' ? parseSseBlock(this.buffer, t) : parseLine(this.buffer, t);
      if (event) events.push(event);
      this.buffer = '';
    }
    return events;
  }
}

function parseLine(line: string, t: number): WireEvent | undefined {
  return line.trim() ? { data: parsePayload(line), t } : undefined;
}

/** One SSE event block. Comment lines (`: keep-alive`) carry nothing a client reads, so they go. */
export function parseSseBlock(block: string, t: number): WireEvent | undefined {
  const data: string[] = [];
  let event: string | undefined;
  let id: string | undefined;
  for (const line of block.split(/\r\n|\n|\r/)) {
    if (!line || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id') id = value;
  }
  if (!data.length && event === undefined) return undefined;
  const out: WireEvent = { data: parsePayload(data.join('\n')), t };
  if (event !== undefined) out.event = event;
  if (id !== undefined) out.id = id;
  return out;
}

/** The bytes of one event as the provider sends it. */
export function renderEvent(framing: 'sse' | 'ndjson', e: Pick<WireEvent, 'data' | 'event' | 'id'>): string {
  const text = typeof e.data === 'string' ? e.data : JSON.stringify(e.data);
  if (framing === 'ndjson') return text + '\n';
  let out = '';
  if (e.event !== undefined) out += `event: ${e.event}\n`;
  if (e.id !== undefined) out += `id: ${e.id}\n`;
  for (const line of text.split('\n')) out += `data: ${line}\n`;
  return out + '\n';
}
