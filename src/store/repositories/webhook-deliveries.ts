import type { Kysely } from 'kysely';
import { nowIso } from '../../domain/ids.ts';
import type { Page, PageParams } from '../../domain/pagination.ts';
import { mapPage } from '../../domain/pagination.ts';
import { fromJson } from '../columns.ts';
import { notifyOutboxWrite } from '../outbox-signal.ts';
import { paginate } from '../paginate.ts';
import type { Database, WebhookDeliveriesTable, WebhookDeliveryAttemptsTable } from '../schema.ts';

// Read side of the webhook outbox for the API (list, inspect, redeliver by hand).
// The dispatcher's side is src/webhooks/outbox-queue.ts.

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryAttempt {
  attempt: number;
  at: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

export interface DeliveryItem {
  id: string;
  event_id: string;
  event: string;
  call_id: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: string | null;
  created_date: string;
  last_attempt: Omit<DeliveryAttempt, 'attempt'> | null;
}

/** The detail adds every attempt and the body sent. */
export interface DeliveryDetail extends DeliveryItem {
  attempt_log: DeliveryAttempt[];
  payload: unknown;
}

type DeliveryRow = WebhookDeliveriesTable;
type AttemptRow = WebhookDeliveryAttemptsTable;

export class WebhookDeliveryRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(projectId: string, webhookId: string, params: PageParams, status?: DeliveryStatus): Promise<Page<DeliveryItem>> {
    let base = this.db
      .selectFrom('webhook_deliveries')
      .where('webhook_deliveries.project_id', '=', projectId)
      .where('webhook_deliveries.webhook_id', '=', webhookId);
    if (status) base = base.where('webhook_deliveries.status', '=', status);
    const page = await paginate<DeliveryRow>(base, { sort: 'webhook_deliveries.created_date', id: 'webhook_deliveries.id' }, params);
    const last = await this.lastAttempts(page.data.map((row) => row.id));
    return mapPage(page, (row) => toItem(row, last.get(row.id) ?? null));
  }

  async get(projectId: string, webhookId: string, deliveryId: string): Promise<DeliveryDetail | undefined> {
    const row = await this.row(projectId, webhookId, deliveryId);
    if (!row) return undefined;
    const attempts = (await this.db
      .selectFrom('webhook_delivery_attempts')
      .selectAll()
      .where('delivery_id', '=', deliveryId)
      .orderBy('attempt')
      .orderBy('started_at')
      .execute()).map(toAttempt);
    return {
      ...toItem(row, attempts[attempts.length - 1] ?? null),
      attempt_log: attempts,
      payload: fromJson<unknown>(row.payload, null),
    };
  }

  /**
   * Puts a finished (delivered or failed) delivery back to pending, due now. The guarded
   * UPDATE makes concurrent redeliveries of one row safe: only one of them wins.
   * Returns undefined when the row does not exist, 'pending' when it was not finished.
   */
  async redeliver(projectId: string, webhookId: string, deliveryId: string): Promise<DeliveryItem | 'pending' | undefined> {
    const result = await this.db
      .updateTable('webhook_deliveries')
      .set({ status: 'pending', next_attempt_at: nowIso(), locked_until: null, completed_at: null })
      .where('project_id', '=', projectId)
      .where('webhook_id', '=', webhookId)
      .where('id', '=', deliveryId)
      .where('status', 'in', ['delivered', 'failed'])
      .executeTakeFirst();
    const row = await this.row(projectId, webhookId, deliveryId);
    if (!row) return undefined;
    if (Number(result.numUpdatedRows) === 0) return 'pending';
    notifyOutboxWrite(this.db);
    const last = await this.lastAttempts([row.id]);
    return toItem(row, last.get(row.id) ?? null);
  }

  private row(projectId: string, webhookId: string, deliveryId: string): Promise<DeliveryRow | undefined> {
    return this.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('webhook_id', '=', webhookId)
      .where('id', '=', deliveryId)
      .executeTakeFirst();
  }

  /** The latest attempt of each delivery, in one query for the whole page. */
  private async lastAttempts(deliveryIds: string[]): Promise<Map<string, DeliveryAttempt>> {
    const latest = new Map<string, DeliveryAttempt>();
    if (deliveryIds.length === 0) return latest;
    const rows = await this.db
      .selectFrom('webhook_delivery_attempts')
      .selectAll()
      .where('delivery_id', 'in', deliveryIds)
      .orderBy('attempt')
      .orderBy('started_at')
      .execute();
    for (const row of rows) latest.set(row.delivery_id, toAttempt(row));
    return latest;
  }
}

function toAttempt(row: AttemptRow): DeliveryAttempt {
  return {
    attempt: Number(row.attempt),
    at: row.started_at,
    status_code: row.status_code === null ? null : Number(row.status_code),
    error: row.error,
    duration_ms: Number(row.duration_ms),
  };
}

function toItem(row: DeliveryRow, last: DeliveryAttempt | null): DeliveryItem {
  const status = row.status as DeliveryStatus;
  return {
    id: row.id,
    event_id: row.event_id,
    event: row.event_type,
    call_id: row.call_id,
    status,
    attempts: Number(row.attempts),
    // Only a pending delivery has a next attempt; a finished row keeps its last schedule.
    next_attempt_at: status === 'pending' ? row.next_attempt_at : null,
    created_date: row.created_date,
    last_attempt: last && { at: last.at, status_code: last.status_code, error: last.error, duration_ms: last.duration_ms },
  };
}
