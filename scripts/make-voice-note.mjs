// Writes the demo's voice note, tests/demo/voice-note.wav: a quarter second of a 440 Hz tone that
// fades in and out, 8 kHz 8-bit mono PCM (2,044 bytes). The same bytes on every run; the committed
// file was made by `node scripts/make-voice-note.mjs`. Its bytes key the demo's transcription
// recordings, so writing other ones means recording those again (`npm run record`).
import fs from 'node:fs';

const rate = 8000;
const samples = rate / 4;
const data = Buffer.alloc(samples);
for (let i = 0; i < samples; i++) {
  const fade = Math.min(1, i / 400, (samples - i) / 400);
  data[i] = 128 + Math.round(100 * fade * Math.sin((2 * Math.PI * 440 * i) / rate));
}
const header = Buffer.alloc(44);
header.write('RIFF', 0);
header.writeUInt32LE(36 + data.length, 4);
header.write('WAVEfmt ', 8);
header.writeUInt32LE(16, 16); // fmt chunk size
header.writeUInt16LE(1, 20); // PCM
header.writeUInt16LE(1, 22); // mono
header.writeUInt32LE(rate, 24);
header.writeUInt32LE(rate, 28); // bytes a second
header.writeUInt16LE(1, 32); // block align
header.writeUInt16LE(8, 34); // bits a sample
header.write('data', 36);
header.writeUInt32LE(data.length, 40);
fs.writeFileSync(new URL('../tests/demo/voice-note.wav', import.meta.url), Buffer.concat([header, data]));
