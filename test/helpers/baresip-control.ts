import net from 'node:net';

// baresip's ctrl_tcp module: JSON objects framed as netstrings ("<length>:<json>,") both ways.
// We send {command, params, token}; baresip answers {response, ok, data, token} and pushes
// {event: true, type, class, param, …} for everything that happens (CALL_INCOMING,
// CALL_ESTABLISHED, CALL_CLOSED with the reason, CALL_DTMF_START with the key, …).

export interface BaresipEvent {
  type: string;
  class?: string;
  accountaor?: string;
  direction?: 'incoming' | 'outgoing';
  peeruri?: string;
  id?: string;
  /** CALL_CLOSED: the reason ("Connection reset by peer", "486 Busy Here"); CALL_DTMF_START: the key. */
  param?: string;
  [field: string]: unknown;
}

interface Response {
  ok: boolean;
  data: string;
  token: string;
}

export class BaresipControl {
  readonly events: BaresipEvent[] = [];
  private buffer = Buffer.alloc(0);
  private nextToken = 1;
  private pending = new Map<string, (response: Response) => void>();
  private listeners = new Set<() => void>();

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk) => this.receive(chunk));
    socket.on('error', () => undefined); // baresip quitting closes it; exits are reported elsewhere
  }

  static async connect(port: number): Promise<BaresipControl> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    return new BaresipControl(socket);
  }

  /** Runs a menu command (`dial`, `hangup`, `accept`, `sndcode`, `ausrc`, …) and returns its text. */
  async command(command: string, params = '', timeoutMs = 5000): Promise<string> {
    const token = `t${this.nextToken++}`;
    const json = Buffer.from(JSON.stringify({ command, params, token }));
    const response = new Promise<Response>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(token);
        reject(new Error(`baresip did not answer "${command}" within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(token, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
    this.socket.write(Buffer.concat([Buffer.from(`${json.length}:`), json, Buffer.from(',')]));
    const { ok, data } = await response;
    if (!ok) throw new Error(`baresip command "${command} ${params}" failed: ${data.trim()}`);
    return data;
  }

  /** Calls `listener` whenever an event arrives; returns the unsubscribe function. */
  onEvent(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const colon = this.buffer.indexOf(0x3a);
      if (colon < 0) return;
      const length = Number(this.buffer.subarray(0, colon).toString('ascii'));
      if (this.buffer.length < colon + 1 + length + 1) return;
      const message = JSON.parse(this.buffer.subarray(colon + 1, colon + 1 + length).toString('utf8'));
      this.buffer = this.buffer.subarray(colon + 1 + length + 1);
      if (message.response) this.pending.get(message.token)?.(message);
      else if (message.event) {
        this.events.push(message as BaresipEvent);
        for (const listener of this.listeners) listener();
      }
    }
  }
}
