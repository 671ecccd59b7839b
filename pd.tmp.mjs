import { chromium } from '@playwright/test';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--disable-background-networking','--no-first-run'] });
const ctx = await b.newContext();
await ctx.route('https://api.openai.com/**', async (route) => {
  const r = route.request();
  const buf = r.postDataBuffer();
  console.log(r.url(), r.headers()['content-type'], buf?.length, buf?.toString('latin1').slice(0, 200).replace(/\r\n/g,'|'));
  await route.fulfill({ status: 200, body: '{"text":"hi"}', headers: { 'content-type': 'application/json', 'access-control-allow-origin': '*' } });
});
const page = await ctx.newPage();
await page.goto('data:text/html,<p>x</p>');
await page.evaluate(async () => {
  const fd = new FormData();
  fd.append('model', 'whisper-1');
  fd.append('file', new Blob([new Uint8Array(100000).fill(7)], { type: 'audio/wav' }), 'a.wav');
  await fetch('https://api.openai.com/v1/audio/transcriptions', { method: 'POST', body: fd });
  await new Promise((res) => { const x = new XMLHttpRequest(); x.open('POST', 'https://api.openai.com/v1/audio/transcriptions'); x.onload = res; x.onerror = res; x.send(fd); });
  const f = new File([new Uint8Array(3000000).fill(9)], 'big.wav', { type: 'audio/wav' });
  const fd2 = new FormData(); fd2.append('file', f); fd2.append('model', 'm');
  await fetch('https://api.openai.com/v1/audio/transcriptions', { method: 'POST', body: fd2 });
});
await b.close();
