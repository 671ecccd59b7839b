// Two ends of an in-memory WebSocket: what one sends the other receives (on a later microtask, as
// over a network; held until the other end listens, as a socket's buffer holds it), and a close on
// either end closes both. The memory transport's sockets, and the
// scripted upstream's.
import type { SocketPeer, WireFrame } from '../../src/core/socket/transport.js';

export interface End extends SocketPeer {
  readonly closed: boolean;
}

export function socketPair(): [End, End] {
  const frames: ((f: WireFrame) => void)[][] = [[], []];
  const held: WireFrame[][] = [[], []];
  const closes: ((code: number, reason: string) => void)[][] = [[], []];
  let closed = false;
  const end = (me: 0 | 1): End => ({
    get closed() {
      return closed;
    },
    send: (f) => {
      if (closed) return;
      // A frame sent before a close arrives before it, as on a socket.
      queueMicrotask(() => {
        if (!frames[1 - me].length) held[1 - me].push(f);
        for (const l of frames[1 - me]) l(f);
      });
    },
    close: (code, reason) => {
      if (closed) return;
      closed = true;
      queueMicrotask(() => {
        for (const l of [...closes[0], ...closes[1]]) l(code, reason);
      });
    },
    onFrame: (l) => {
      frames[me].push(l);
      for (const f of held[me].splice(0)) l(f);
    },
    onClose: (l) => void closes[me].push(l),
  });
  return [end(0), end(1)];
}
