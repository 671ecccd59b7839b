// A big streamed recording is not read whole. In the layout this plugin writes (one event per line
// in response.body), everything but the events is parsed at once, the lines of the events are
// located in one pass over the file, and each event is read from disk when it is sent — so a
// process replaying a 50 MB answer holds a window of the file, not the file.
import fs from 'node:fs';
import type { WireEvent } from '../wire/framing.js';
import { type EventList, type Interaction, isEntry, parseRecording, toEvent } from './recording.js';
import { RecordingFileError } from './errors.js';

/** Above this size a recording is opened with `openBigRecording`. */
export const BIG_RECORDING_BYTES = 4 * 1024 * 1024;

const BLOCK = 1 << 20;
const OPEN = Buffer.from('    "body": [');
const CLOSE = Buffer.from('    ]');
const CLOSE_COMMA = Buffer.from('    ],');
const STREAMING = Buffer.from('"is_streaming": true,');
const RECORDER = Buffer.from('"recorder": "playwright-llm-replay/');

/** Reads bytes [start, end) of a file. */
function readRange(file: string, start: number, end: number): Buffer {
  const buf = Buffer.allocUnsafe(end - start);
  const fd = fs.openSync(file, 'r');
  try {
    let done = 0;
    while (done < buf.length) {
      const n = fs.readSync(fd, buf, done, buf.length - done, start + done);
      if (n === 0) throw new RecordingFileError(file, 'changed while it was being read. Run again.');
      done += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return buf;
}

/**
 * The recording in a big file, its events read on demand; undefined when the file does not have
 * this plugin's layout (then it is parsed whole, as any other).
 */
export function openBigRecording(file: string, size: number): Interaction | undefined {
  // One pass over the file: the line that opens response.body, each event line, the line that closes it.
  const starts: number[] = [];
  const ends: number[] = [];
  let streaming = false;
  let recorder = false;
  let open = -1;
  let close = -1;
  let carry = Buffer.alloc(0);
  let carryAt = 0;
  const fd = fs.openSync(file, 'r');
  try {
    const block = Buffer.allocUnsafe(BLOCK);
    for (let pos = 0; pos < size; ) {
      const n = fs.readSync(fd, block, 0, Math.min(BLOCK, size - pos), pos);
      if (n === 0) break;
      const chunk = carry.length ? Buffer.concat([carry, block.subarray(0, n)]) : block.subarray(0, n);
      const base = carry.length ? carryAt : pos;
      let lineStart = 0;
      for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, lineStart)) {
        const line = chunk.subarray(lineStart, nl);
        if (open < 0) {
          if (!streaming && line.includes(STREAMING)) streaming = true;
          else if (streaming && line.equals(OPEN)) open = base + lineStart;
        } else if (close < 0) {
          if (line.equals(CLOSE) || line.equals(CLOSE_COMMA)) close = base + lineStart + CLOSE.length;
          else {
            starts.push(base + lineStart);
            ends.push(base + nl - (line[line.length - 1] === 44 /* , */ ? 1 : 0));
          }
        } else if (!recorder && line.includes(RECORDER)) recorder = true;
        lineStart = nl + 1;
      }
      carry = Buffer.from(chunk.subarray(lineStart));
      carryAt = base + lineStart;
      pos += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  if (open < 0 || close < 0 || !recorder) return undefined;

  const head = Buffer.concat([readRange(file, 0, open), Buffer.from('    "body": []'), readRange(file, close, size)]).toString('utf8');
  let x: Interaction;
  try {
    x = parseRecording(head, file);
  } catch {
    return undefined; // not the layout it seemed: parsed whole, with the usual errors
  }
  if (!x.response.events) return undefined;
  x.response.events = new FileEvents(file, starts, ends);
  return x;
}

/** A big file's events, read through a window of the file as they are asked for (in order, mostly). */
class FileEvents implements EventList {
  private window: Buffer = Buffer.alloc(0);
  private windowAt = 0;

  constructor(
    private readonly file: string,
    private readonly starts: number[],
    private readonly ends: number[],
  ) {}

  get length(): number {
    return this.starts.length;
  }

  at(i: number): WireEvent | undefined {
    const k = i < 0 ? this.starts.length + i : i;
    if (k < 0 || k >= this.starts.length) return undefined;
    const start = this.starts[k];
    const end = this.ends[k];
    if (start < this.windowAt || end > this.windowAt + this.window.length) {
      this.windowAt = start;
      this.window = readRange(this.file, start, Math.max(end, Math.min(start + BLOCK, this.ends[this.ends.length - 1])));
    }
    let item: unknown;
    try {
      item = JSON.parse(this.window.toString('utf8', start - this.windowAt, end - this.windowAt));
    } catch {
      item = undefined;
    }
    if (!isEntry(item)) throw new RecordingFileError(this.file, `has a malformed stream event at response.body[${k}]. Fix it, or delete it and record again.`);
    return toEvent(item);
  }

  *[Symbol.iterator](): Iterator<WireEvent> {
    for (let i = 0; i < this.starts.length; i++) yield this.at(i)!;
  }
}
