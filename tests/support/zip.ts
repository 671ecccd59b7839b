// Reads the entries of a zip (the HTML report keeps its data as a base64 zip inside index.html).
import zlib from 'node:zlib';

export function unzip(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let i = 0;
  while (i + 30 <= buf.length && buf.readUInt32LE(i) === 0x04034b50) {
    const method = buf.readUInt16LE(i + 8);
    const flags = buf.readUInt16LE(i + 6);
    let size = buf.readUInt32LE(i + 18);
    const nameLength = buf.readUInt16LE(i + 26);
    const extraLength = buf.readUInt16LE(i + 28);
    const name = buf.subarray(i + 30, i + 30 + nameLength).toString();
    const start = i + 30 + nameLength + extraLength;
    if (flags & 0x08 && size === 0) {
      // Sizes follow the data: find the central directory's record for this entry.
      const cd = buf.indexOf(Buffer.concat([Buffer.from([0x50, 0x4b, 0x01, 0x02])]), start);
      for (let c = cd; c >= 0 && c + 46 <= buf.length && buf.readUInt32LE(c) === 0x02014b50; ) {
        const n = buf.readUInt16LE(c + 28);
        if (buf.subarray(c + 46, c + 46 + n).toString() === name) {
          size = buf.readUInt32LE(c + 20);
          break;
        }
        c += 46 + n + buf.readUInt16LE(c + 30) + buf.readUInt16LE(c + 32);
      }
    }
    const data = buf.subarray(start, start + size);
    out.set(name, method === 8 ? zlib.inflateRawSync(data) : Buffer.from(data));
    i = start + size + (flags & 0x08 ? (buf.readUInt32LE(start + size) === 0x08074b50 ? 16 : 12) : 0);
  }
  return out;
}
