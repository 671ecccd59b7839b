// The cases' WebSocket client in Node: undici's WebSocket (Node 22's global WebSocket is the same
// code), which makes its handshake through the global dispatcher unless given another.
import { WebSocket } from 'undici';
import type { SocketClient } from './adapter.js';

/** Opens `url` and resolves once it is open (or closed without opening: `closed` says how). */
export function undiciSocket(url: string, protocols: string[], headers?: Record<string, string>): Promise<SocketClient> {
  const ws = new WebSocket(url, { protocols, ...(headers && { headers }) });
  ws.binaryType = 'arraybuffer';
  const received: SocketClient['received'] = [];
  ws.addEventListener('message', (e) => received.push(typeof e.data === 'string' ? JSON.parse(e.data) : { type: 'binary' }));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.addEventListener('close', (e) => resolve({ code: e.code, reason: e.reason })));
  const client: SocketClient = { send: (json) => ws.send(JSON.stringify(json)), close: (code, reason) => ws.close(code, reason), received, closed };
  return new Promise((resolve) => {
    ws.addEventListener('open', () => resolve(client));
    void closed.then(() => resolve(client));
  });
}
