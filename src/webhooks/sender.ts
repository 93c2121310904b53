import http from 'node:http';
import https from 'node:https';
import { BlockedAddressError, checkLiteralHost, guardedLookup } from './ssrf.ts';

export interface SendResult {
  /** HTTP status, when a response arrived. */
  statusCode: number | null;
  /** Network error, timeout or refusal, when no response arrived. */
  error: string | null;
  /** The URL was refused by the SSRF guard: retrying cannot help. */
  blocked: boolean;
  durationMs: number;
}

export interface SendOptions {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  allowPrivateNetworks: boolean;
  signal?: AbortSignal;
}

const MAX_RESPONSE_BYTES = 64 * 1024;

/** POSTs once. Never throws: every outcome is a SendResult. The timeout covers the whole exchange. */
export function send(options: SendOptions): Promise<SendResult> {
  const started = performance.now();
  const done = (partial: Omit<SendResult, 'durationMs'>): SendResult => ({ ...partial, durationMs: Math.round(performance.now() - started) });
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(options.url);
      checkLiteralHost(url.hostname, options.allowPrivateNetworks);
    } catch (error) {
      return resolve(done({ statusCode: null, error: (error as Error).message, blocked: error instanceof BlockedAddressError }));
    }
    const client = url.protocol === 'https:' ? https : http;
    let settled = false;
    const finish = (result: Omit<SendResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(done(result));
    };
    const request = client.request(url, {
      method: 'POST',
      headers: { ...options.headers, 'content-length': Buffer.byteLength(options.body) },
      lookup: guardedLookup(options.allowPrivateNetworks) as any,
      signal: options.signal,
    });
    const timer = setTimeout(() => finish({ statusCode: null, error: `timeout after ${options.timeoutMs} ms`, blocked: false }), options.timeoutMs);
    request.on('response', (response) => {
      // Read (and drop) a bounded body so the exchange completes; the status decides the outcome.
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > MAX_RESPONSE_BYTES) finish({ statusCode: response.statusCode ?? null, error: null, blocked: false });
      });
      response.on('end', () => finish({ statusCode: response.statusCode ?? null, error: null, blocked: false }));
      response.on('error', () => finish({ statusCode: response.statusCode ?? null, error: null, blocked: false }));
    });
    request.on('error', (error) => finish({ statusCode: null, error: error.message, blocked: error instanceof BlockedAddressError }));
    request.end(options.body);
  });
}
