// multipart/form-data (RFC 7578), read from the bytes of a request for its key and its recording:
// text fields by value, each file part by its name, type, size and the sha256 of its bytes. The
// boundary is not kept (it is new on every call), nor is the order of differently named fields.
// Synchronous, because a request is described synchronously; file bytes are hashed where they lie.
import crypto from 'node:crypto';

/** A file part as its request is keyed and stored: never its bytes. */
export interface FilePart {
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
}

export type FormValue = string | FilePart;
/** The fields in the order first seen; a name sent more than once holds its values in order. */
export type FormFields = Record<string, FormValue | FormValue[]>;

export function isMultipart(contentType: string | undefined): boolean {
  return !!contentType && /^\s*multipart\/form-data\b/i.test(contentType);
}

/** Whether a stored value is a file part (what `parseMultipart` makes of one). */
export function isFilePart(v: unknown): v is FilePart {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const p = v as Record<string, unknown>;
  return typeof p.filename === 'string' && typeof p.sha256 === 'string' && typeof p.size === 'number' && Object.keys(p).length === 4;
}

/** `multipart/form-data` without its boundary: what a recording stores as the request's content type. */
export const MULTIPART = 'multipart/form-data';

/** The fields of a multipart body, or what is wrong with it (in words for an error message). */
export function parseMultipart(body: Buffer, contentType: string): { fields: FormFields } | { problem: string } {
  const boundary = boundaryOf(contentType);
  if (!boundary) return { problem: `its content-type (${contentType.slice(0, 100)}) names no boundary` };
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  if (at < 0) return { problem: 'its body does not contain the boundary its content-type names' };
  const fields: FormFields = Object.create(null);
  for (let n = 0; ; n++) {
    at += delimiter.length;
    // `--` after a delimiter ends the body; otherwise a line end starts the next part.
    if (body[at] === 0x2d && body[at + 1] === 0x2d) break;
    if (body[at] === 0x0d && body[at + 1] === 0x0a) at += 2;
    else if (body[at] === 0x0a) at += 1;
    else return { problem: `part ${n} does not start on a new line after the boundary` };
    const headEnd = findBlankLine(body, at);
    if (!headEnd) return { problem: `part ${n} has no blank line after its headers` };
    const head = parseHeaders(body.toString('latin1', at, headEnd.start));
    const next = body.indexOf(delimiter, headEnd.end);
    if (next < 0) return { problem: `part ${n} is not closed by the boundary (the body ends early)` };
    // The line end before a delimiter belongs to the delimiter.
    let end = next;
    if (body[end - 1] === 0x0a) end -= body[end - 2] === 0x0d ? 2 : 1;
    const disposition = head['content-disposition'];
    const name = disposition && dispositionParam(disposition, 'name');
    if (name === undefined) return { problem: `part ${n} has no Content-Disposition name` };
    const bytes = body.subarray(headEnd.end, Math.max(headEnd.end, end));
    const filename = dispositionParam(disposition, 'filename');
    const value: FormValue =
      filename === undefined
        ? bytes.toString('utf8')
        : { filename, content_type: (head['content-type'] ?? 'application/octet-stream').trim(), size: bytes.length, sha256: crypto.createHash('sha256').update(bytes).digest('hex') };
    const had = fields[name];
    fields[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
    at = next;
  }
  return { fields: { ...fields } };
}

function boundaryOf(contentType: string): string | undefined {
  const m = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))/i.exec(contentType);
  const b = m?.[1] ?? m?.[2];
  return b && b.length <= 200 ? b : undefined;
}

function findBlankLine(body: Buffer, from: number): { start: number; end: number } | undefined {
  const crlf = body.indexOf('\r\n\r\n', from, 'latin1');
  const lf = body.indexOf('\n\n', from, 'latin1');
  if (crlf >= 0 && (lf < 0 || crlf <= lf)) return { start: crlf, end: crlf + 4 };
  if (lf >= 0) return { start: lf, end: lf + 2 };
  // A part with no headers at all starts with its blank line.
  return undefined;
}

function parseHeaders(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) out[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return out;
}

/** A Content-Disposition parameter: `filename*=UTF-8''…` first, then the quoted or bare form (bytes read as UTF-8). */
function dispositionParam(disposition: string, param: string): string | undefined {
  const star = new RegExp(`;\\s*${param}\\*\\s*=\\s*([^']*)'[^']*'([^;\\s]*)`, 'i').exec(disposition);
  if (star) {
    try {
      return decodeURIComponent(star[2]);
    } catch {
      // fall back to the plain parameter
    }
  }
  const m = new RegExp(`;\\s*${param}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, 'i').exec(disposition);
  if (!m) return undefined;
  const raw = m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
  // Headers were read as latin1: browsers and undici send names as UTF-8 bytes (quotes and line ends percent-encoded).
  const utf8 = Buffer.from(raw, 'latin1').toString('utf8');
  return m[1] !== undefined ? utf8.replace(/%22/g, '"').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n') : utf8;
}
