/**
 * A minimal raw websocket client for protocol tests and verifiers: records every frame,
 * flattens coalesced frames into messages, and waits with deadlines (no fixed sleeps).
 */
import { WebSocket } from 'ws';
import { waitFor } from '../../util/wait.ts';

export type Message = Record<string, unknown> & { type?: string; id?: number };

export class RawClient {
  readonly ws: WebSocket;
  readonly frames: string[] = [];
  readonly messages: Message[] = [];
  closeCode: number | null = null;
  #read = 0;
  #opened: Promise<void>;

  constructor(url: string, headers: Record<string, string> = {}) {
    this.ws = new WebSocket(url, { headers, perMessageDeflate: false });
    this.#opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.ws.on('message', (data) => {
      const text = data.toString();
      this.frames.push(text);
      const parsed = JSON.parse(text) as Message | Message[];
      for (const m of Array.isArray(parsed) ? parsed : [parsed]) this.messages.push(m);
    });
    this.ws.on('close', (code) => {
      this.closeCode = code;
    });
  }

  opened(): Promise<void> {
    return this.#opened;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Next unread message (in order), waiting up to timeoutMs. */
  async next(what = 'next message', timeoutMs = 5000): Promise<Message> {
    return waitFor(
      async () => {
        const m = this.messages[this.#read];
        if (m) {
          this.#read++;
          return { done: true, value: m, seen: JSON.stringify(m) };
        }
        return { done: false, seen: `${this.messages.length} messages, closed=${this.closeCode}` };
      },
      { what, timeoutMs, intervalMs: 2, maxIntervalMs: 20 },
    );
  }

  /** Next unread message matching `pred`, skipping others. */
  async nextMatching(pred: (m: Message) => boolean, what: string, timeoutMs = 5000): Promise<Message> {
    for (;;) {
      const m = await this.next(what, timeoutMs);
      if (pred(m)) return m;
    }
  }

  async waitClosed(timeoutMs = 5000): Promise<number> {
    return waitFor(
      async () => ({
        done: this.closeCode !== null,
        value: this.closeCode as number,
        seen: `readyState=${this.ws.readyState}`,
      }),
      { what: 'the server to close the websocket', timeoutMs, intervalMs: 5, maxIntervalMs: 50 },
    );
  }

  /** Connects and authenticates; returns after auth_ok. */
  static async authed(url: string, token: string): Promise<RawClient> {
    const c = new RawClient(url);
    await c.opened();
    c.send({ type: 'auth', access_token: token });
    await c.nextMatching((m) => m.type === 'auth_ok', 'auth_ok');
    return c;
  }

  close(): void {
    this.ws.terminate();
  }
}
