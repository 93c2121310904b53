import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { SecretBox } from '../lib/secret-box.ts';
import { onOutboxWrite } from '../store/outbox-signal.ts';
import type { Database } from '../store/schema.ts';
import { OutboxQueue, type DueDelivery } from './outbox-queue.ts';
import { backoffMs, DEFAULT_RETRY, isRetryable, type RetryPolicy } from './retry.ts';
import { send, type SendOptions, type SendResult } from './sender.ts';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signatureHeader } from './signature.ts';

// Delivers the webhook outbox. Rows live in the database, so pending events survive restarts;
// each delivery holds a lease (locked_until) so a crash mid-delivery is retried once it expires,
// and several processes sharing PostgreSQL never deliver the same row at once.
// Deliveries run detached from the poll loop, at most `perEndpointConcurrency` per webhook:
// a slow endpoint uses up its own slots only. Delivered rows past the retention period are
// deleted by the poll loop, at most once per prune interval.

const DAY_MS = 86_400_000;

export interface DispatcherOptions {
  db: Kysely<Database>;
  secretBox: SecretBox;
  logger?: Logger;
  allowPrivateNetworks: boolean;
  pollIntervalMs?: number;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  perEndpointConcurrency?: number;
  batchSize?: number;
  now?: () => number;
  random?: () => number;
  /** Delivered rows older than this are deleted (HABLA_WEBHOOK_RETENTION_DAYS); default 30 days. */
  retentionMs?: number;
  /** How often the dispatcher looks for rows past retention; default hourly. */
  pruneIntervalMs?: number;
  /** Told the outcome of every attempt (metrics). */
  onOutcome?: (outcome: 'delivered' | 'retry' | 'failed') => void;
  /** Replaces the HTTP client (tests). */
  send?: (options: SendOptions) => Promise<SendResult>;
}

export class WebhookDispatcher {
  private readonly queue: OutboxQueue;
  private readonly retry: RetryPolicy;
  private readonly pollIntervalMs: number;
  private readonly timeoutMs: number;
  private readonly perEndpoint: number;
  private readonly batchSize: number;
  private readonly now: () => number;
  private readonly retentionMs: number;
  private readonly pruneIntervalMs: number;
  /** The first poll prunes: a process that restarts often still keeps the table trimmed. */
  private nextPruneAt = 0;
  private readonly inFlight = new Map<string, number>();
  private readonly running = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private again = false;
  private stopped = true;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: DispatcherOptions) {
    this.queue = new OutboxQueue(options.db);
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.perEndpoint = options.perEndpointConcurrency ?? 4;
    this.batchSize = options.batchSize ?? 100;
    this.now = options.now ?? Date.now;
    this.retentionMs = options.retentionMs ?? 30 * DAY_MS;
    this.pruneIntervalMs = options.pruneIntervalMs ?? 3_600_000;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unsubscribe = onOutboxWrite(this.options.db, () => this.nudge());
    this.nudge();
  }

  /** Stops polling, interrupts deliveries in flight and gives their leases back. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe?.();
    clearTimeout(this.timer);
    this.abort.abort();
    await Promise.allSettled([...this.running]);
  }

  /** Looks for due rows now rather than at the next poll. */
  nudge(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), 0);
  }

  private async tick(): Promise<void> {
    this.ticking = true;
    try {
      do {
        this.again = false;
        await this.dispatchDue();
      } while (this.again && !this.stopped);
      await this.pruneIfDue();
    } catch (error) {
      this.options.logger?.warn({ err: error }, 'webhook dispatcher poll failed');
    } finally {
      this.ticking = false;
      if (!this.stopped) this.timer = setTimeout(() => void this.tick(), this.pollIntervalMs);
    }
  }

  private async dispatchDue(): Promise<void> {
    const nowMs = this.now();
    const now = new Date(nowMs).toISOString();
    const leaseUntil = new Date(nowMs + this.timeoutMs + 30_000).toISOString();
    for (const delivery of await this.queue.due(now, this.batchSize)) {
      if (this.stopped) return;
      if ((this.inFlight.get(delivery.webhook_id) ?? 0) >= this.perEndpoint) continue;
      if (!(await this.queue.claim(delivery.id, now, leaseUntil))) continue;
      this.launch(delivery);
    }
  }

  private async pruneIfDue(): Promise<void> {
    const nowMs = this.now();
    if (this.stopped || nowMs < this.nextPruneAt) return;
    this.nextPruneAt = nowMs + this.pruneIntervalMs;
    const deleted = await this.queue.pruneDelivered(new Date(nowMs - this.retentionMs).toISOString());
    if (deleted > 0) this.options.logger?.info({ deleted, retention_days: this.retentionMs / DAY_MS }, 'pruned delivered webhook events');
  }

  private launch(delivery: DueDelivery): void {
    this.inFlight.set(delivery.webhook_id, (this.inFlight.get(delivery.webhook_id) ?? 0) + 1);
    const run = this.deliver(delivery)
      .catch((error) => this.options.logger?.warn({ err: error, delivery_id: delivery.id }, 'webhook delivery bookkeeping failed'))
      .finally(() => {
        const left = (this.inFlight.get(delivery.webhook_id) ?? 1) - 1;
        if (left === 0) this.inFlight.delete(delivery.webhook_id);
        else this.inFlight.set(delivery.webhook_id, left);
        this.running.delete(run);
        // A finished delivery may unblock the call's next event or a waiting slot.
        this.nudge();
      });
    this.running.add(run);
  }

  private async deliver(delivery: DueDelivery): Promise<void> {
    const attempt = delivery.attempts + 1;
    const startedMs = this.now();
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'Habla-Webhooks/1',
      [EVENT_ID_HEADER]: delivery.event_id,
    };
    // Webhooks created before secrets existed have none: their deliveries go unsigned.
    if (delivery.secret_sealed !== null) {
      const secret = this.options.secretBox.open(delivery.secret_sealed);
      headers[SIGNATURE_HEADER] = signatureHeader(secret, delivery.payload, Math.floor(startedMs / 1000));
    }
    const result = await (this.options.send ?? send)({
      url: delivery.url, body: delivery.payload, headers, timeoutMs: this.timeoutMs,
      allowPrivateNetworks: this.options.allowPrivateNetworks, signal: this.abort.signal,
    });
    if (this.stopped) return this.queue.release(delivery.id);
    const record = { attempt, startedAt: new Date(startedMs).toISOString(), durationMs: result.durationMs, statusCode: result.statusCode, error: result.error };
    const at = new Date(this.now()).toISOString();
    const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    if (ok) {
      this.options.onOutcome?.('delivered');
      return this.queue.settle(delivery.id, record, { status: 'delivered', at });
    }
    const retry = !result.blocked && isRetryable(result.statusCode) && attempt < this.retry.maxAttempts;
    this.options.onOutcome?.(retry ? 'retry' : 'failed');
    if (!retry) {
      this.options.logger?.warn({ delivery_id: delivery.id, webhook_id: delivery.webhook_id, attempts: attempt, status: result.statusCode }, 'webhook delivery failed');
      return this.queue.settle(delivery.id, record, { status: 'failed', at });
    }
    const retryAt = new Date(this.now() + backoffMs(this.retry, attempt, this.options.random)).toISOString();
    await this.queue.settle(delivery.id, record, { status: 'pending', retryAt });
  }
}
