import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

// A real local HTTP endpoint for webhook tests, a poll-until helper and the reference verifier.

/**
 * Reference verifier, written from the recipe in docs/webhooks.md only:
 * header "t=<unix>,v1=<hex>", v1 = HMAC-SHA256(secret, "<t>.<raw body>"), t within 5 minutes.
 */
export function verifySignature(secret: string, header: string | string[] | undefined, rawBody: string, nowSeconds = Date.now() / 1000): boolean {
  if (typeof header !== 'string') return false;
  const parts = Object.fromEntries(header.split(',').map((kv) => kv.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > 300 || !parts.v1) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface ReceivedRequest {
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: any;
  /** The `Habla-Event-Id` header. */
  eventId: string;
  at: number;
}

/** What to answer request number `index` (0-based): a status, or 'hang' to never answer. */
export type ReceiverBehaviour = (index: number) => number | 'hang';

/** Answers `statuses[i]` for request i; the last status repeats. */
export const answering = (...statuses: number[]): ReceiverBehaviour => (index) =>
  statuses[Math.min(index, statuses.length - 1)]!;

/** `port`: listen on this one (a receiver coming back where an earlier one was); free by default. */
export async function startReceiver(behaviour: ReceiverBehaviour = () => 200, options: { port?: number } = {}) {
  const received: ReceivedRequest[] = [];
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const index = received.length;
      received.push({
        headers: req.headers, raw, body: JSON.parse(raw), eventId: String(req.headers['habla-event-id']), at: performance.now(),
      });
      const answer = behaviour(index);
      if (answer === 'hang') return void hanging.push(res);
      res.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return { url, port: (server.address() as AddressInfo).port, received, close };
}

export async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
