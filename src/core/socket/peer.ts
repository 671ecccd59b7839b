// The SocketPeer contract's bookkeeping, for the ends a transport makes: frames that come before the
// first listener are held for it, and the close is told once, whichever side closed (a listener that
// comes after it hears it on a microtask).
import type { SocketPeer, WireFrame } from './transport.js';

export abstract class HeldPeer implements SocketPeer {
  /** How it closed, once it has. */
  protected ended?: { code: number; reason: string };
  private readonly held: WireFrame[] = [];
  private readonly frameListeners: ((frame: WireFrame) => void)[] = [];
  private readonly closeListeners: ((code: number, reason: string) => void)[] = [];

  abstract send(frame: WireFrame): void;
  abstract close(code: number, reason: string): void;

  /** A frame came from the other side. */
  protected heard(frame: WireFrame): void {
    if (!this.frameListeners.length) return void this.held.push(frame);
    for (const l of this.frameListeners) l(frame);
  }

  /** This end is over: its close listeners hear it, once. */
  protected end(code: number, reason: string): void {
    if (this.ended) return;
    this.ended = { code, reason };
    for (const l of this.closeListeners.splice(0)) l(code, reason);
  }

  onFrame(listener: (frame: WireFrame) => void): void {
    this.frameListeners.push(listener);
    for (const f of this.held.splice(0)) listener(f);
  }

  onClose(listener: (code: number, reason: string) => void): void {
    const ended = this.ended;
    if (ended) queueMicrotask(() => listener(ended.code, ended.reason));
    else this.closeListeners.push(listener);
  }
}
