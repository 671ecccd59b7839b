// The app server of the conformance suite (tests/conformance/server.spec.ts): a tiny backend that,
// for POST /relay, calls the LLM upstream named by the `x-upstream` header with Node's global fetch
// (the body and its content type as they came)
// and streams each read of the answer back to its client as it comes (one write per read). The
// plugin is not imported here: it comes in through `node --import …/register.js`, as in a user's app.
import http from 'node:http';

const server = http.createServer({ noDelay: true }, async (req, res) => {
  const target = req.headers['x-upstream'];
  if (req.method !== 'POST' || req.url !== '/relay' || typeof target !== 'string') {
    return void res.writeHead(400, { 'content-type': 'text/plain' }).end('POST /relay with an x-upstream header');
  }
  const parts = [];
  for await (const c of req) parts.push(c);
  // The client going away cancels the call upstream, as an app that passes its request's signal on does.
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  let upstream;
  try {
    upstream = await fetch(target, { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? 'application/json' }, body: Buffer.concat(parts), signal: controller.signal });
  } catch (err) {
    return void res.writeHead(502, { 'content-type': 'text/plain' }).end(`app: the upstream call failed: ${err.cause ?? err.message}`);
  }
  res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream' });
  res.flushHeaders();
  try {
    for await (const chunk of upstream.body ?? []) await new Promise((r) => res.write(chunk, () => r()));
    res.end();
  } catch {
    // The upstream broke mid-answer: break the client's connection too.
    res.socket?.destroy();
  }
});

// Its stdin is a pipe from the worker that started it: when that worker is gone (even killed), stop as on SIGTERM.
process.stdin.on('end', () => process.kill(process.pid, 'SIGTERM')).resume();

server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`listening ${server.address().port}`));
