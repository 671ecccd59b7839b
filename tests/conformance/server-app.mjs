// The app server of the conformance suite (tests/conformance/server.spec.ts): a tiny backend that,
// for POST /relay, calls the LLM upstream named by the `x-upstream` header with Node's global fetch
// (the body and its content type as they came)
// and streams each read of the answer back to its client as it comes (one write per read); and for a
// WebSocket to /socket, opens one to the `x-upstream` URL with undici's WebSocket (the subprotocols
// its client offered) and relays frames and the close both ways. The plugin is not imported here: it
// comes in through `node --import …/register.js`, as in a user's app.
import http from 'node:http';
import { WebSocket } from 'undici';
import { WebSocketServer } from 'ws';

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

const sockets = new WebSocketServer({ noServer: true });
server.on('upgrade', (req, socket, head) => {
  const target = req.headers['x-upstream'];
  if (req.url !== '/socket' || typeof target !== 'string') return void socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
  const protocols = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  sockets.handleUpgrade(req, socket, head, (client) => {
    const upstream = new WebSocket(target, { protocols });
    upstream.binaryType = 'arraybuffer';
    // What the client says before the upstream is open waits for it.
    const early = [];
    client.on('message', (data, binary) => {
      const frame = binary ? data : data.toString();
      if (upstream.readyState === WebSocket.OPEN) upstream.send(frame);
      else early.push(frame);
    });
    upstream.addEventListener('open', () => early.splice(0).forEach((f) => upstream.send(f)));
    upstream.addEventListener('message', (e) => client.send(typeof e.data === 'string' ? e.data : Buffer.from(e.data)));
    upstream.addEventListener('close', (e) => (e.code === 1005 || e.code === 1006 ? client.terminate() : client.close(e.code, e.reason)));
    client.on('close', (code, reason) => upstream.close(code === 1000 || (code >= 3000 && code < 5000) ? code : undefined, reason.toString()));
  });
});

// Its stdin is a pipe from the worker that started it: when that worker is gone (even killed), stop as on SIGTERM.
process.stdin.on('end', () => process.kill(process.pid, 'SIGTERM')).resume();

server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`listening ${server.address().port}`));
