// A tiny app whose server asks the LLM with today's date in its system prompt, as many apps do:
// POST /api/ask { question } → { answer }. TODAY sets the date (default: the real one).
import http from 'node:http';
import OpenAI from 'openai';

const openai = new OpenAI({ apiKey: 'sk-dated-server-key', baseURL: process.env.OPENAI_BASE_URL, maxRetries: 0 });
const today = () => process.env.TODAY ?? new Date().toISOString().slice(0, 10);

async function ask(req, res) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const { question } = JSON.parse(Buffer.concat(chunks).toString());
  try {
    const completion = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: `You are a helpful assistant. Today is ${today()}. Answer in one sentence.` },
        { role: 'user', content: question },
      ],
    });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ answer: completion.choices[0].message.content }));
  } catch (err) {
    res.writeHead(err.status ?? 502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: err.message }));
  }
}

http
  .createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/api/ask') return void ask(req, res);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>dated</title><p>ask</p>');
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
