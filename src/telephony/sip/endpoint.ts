/**
 * The SIP user-agent server shell: datagrams in, parseMessage + TransactionManager, and the
 * manager's actions carried out (send, timers on a monotonic clock, deliver to the core
 * below). The core answers OPTIONS, rejects what it does not handle (405/501/481/400) and
 * hands new INVITEs to an InviteAdmission. Nothing a peer sends may throw out of here.
 */
import { performance } from 'node:perf_hooks';
import type { DatagramAddress, DatagramTransport } from '../transport/datagram-transport.ts';
import { SourceRateLimiter, type RateLimiterOptions } from '../transport/rate-limiter.ts';
import { newTag } from './dialog/ids.ts';
import { LogThrottle } from './endpoint-log-throttle.ts';
import { optionsResponse, respond, screenRequest } from './endpoint-responses.ts';
import type { EndpointLogger, InviteAdmission } from './endpoint-types.ts';
import type { SipRequest, SipResponse } from './message.ts';
import { parseMessage } from './parser.ts';
import { serializeMessage } from './serializer.ts';
import { TransactionManager, type ManagerEvent, type TimerConfig, type TimerName, type Destination } from './transaction/index.ts';
import { validateMessage } from './validate.ts';

export interface SipEndpointOptions {
  transport: DatagramTransport;
  admission: InviteAdmission;
  logger: EndpointLogger;
  /** Monotonic milliseconds; performance.now() unless a test drives time. */
  clock?: () => number;
  timers?: Partial<TimerConfig>;
  /** Rejections of suspicious INVITEs a source may collect before it is ignored. */
  rejectLimit?: RateLimiterOptions;
}

const DEFAULT_REJECT_LIMIT: RateLimiterOptions = { capacity: 20, refillPerSecond: 0.5 };

export class SipEndpoint {
  private readonly manager: TransactionManager;
  private readonly clock: () => number;
  private readonly timers = new Map<string, Map<TimerName, NodeJS.Timeout>>();
  private readonly limiter: SourceRateLimiter;
  private readonly logThrottle = new LogThrottle();
  private closed = false;

  constructor(private readonly options: SipEndpointOptions) {
    this.clock = options.clock ?? (() => performance.now());
    this.manager = new TransactionManager({ timers: options.timers });
    this.limiter = new SourceRateLimiter(options.rejectLimit ?? DEFAULT_REJECT_LIMIT);
    options.transport.onDatagram((bytes, from) => this.receive(bytes, from));
  }

  address(): DatagramAddress {
    return this.options.transport.address();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const byTimer of this.timers.values()) for (const handle of byTimer.values()) clearTimeout(handle);
    this.timers.clear();
    await this.options.transport.close();
  }

  /** One datagram from the network. Public so tests can feed bytes without a socket. */
  receive(bytes: Buffer, from: DatagramAddress): void {
    if (this.closed) return;
    try {
      this.handle(bytes, { transport: 'UDP', host: from.host, port: from.port });
    } catch (error) {
      // A bug of ours, not the peer's: log it and keep serving everyone else.
      this.options.logger.error({ err: error, source: from.host }, 'sip datagram handling failed');
    }
  }

  private handle(bytes: Buffer, source: Destination): void {
    // Keep-alives (CRLF pings, RFC 5626) are legitimate and need no answer.
    if (bytes.every((b) => b === 0x0d || b === 0x0a)) return;
    const parsed = parseMessage(bytes, { transport: 'datagram' });
    if (!parsed.ok) {
      this.logDrop('malformed', { source: source.host, bytes: bytes.length, code: parsed.error.code });
      return;
    }
    const message = parsed.value;
    if (message.kind === 'request' && message.method !== 'ACK' && !this.limiter.allows(source.host, this.clock())) {
      this.logDrop('rate_limited', { source: source.host, method: message.method });
      return;
    }
    this.run(this.manager.receive(message, source, this.clock()), source);
  }

  /** `source`: the packet these events answer, when they come from one (requests delivered to us). */
  private run(events: readonly ManagerEvent[], source?: Destination): void {
    for (const event of events) this.execute(event, source);
  }

  private execute(event: ManagerEvent, source: Destination | undefined): void {
    switch (event.type) {
      case 'send':
        this.options.transport.send(serializeMessage(event.message), { host: event.to.host, port: event.to.port });
        return;
      case 'startTimer':
        this.startTimer(event.tx, event.timer, event.at);
        return;
      case 'cancelTimer':
        this.cancelTimer(event.tx, event.timer);
        return;
      case 'terminated':
        for (const timer of this.timers.get(event.tx)?.keys() ?? []) this.cancelTimer(event.tx, timer);
        return;
      case 'deliver':
        if (event.message.kind === 'request' && source) this.onRequest(event.tx, event.message, source);
        return;
      case 'cancel':
        this.run(this.manager.answerCancel(event.tx, this.clock()).events);
        return;
      case 'dropped':
        this.logDrop(event.reason, { detail: event.detail });
        return;
      case 'stray':
      case 'transportError':
        // A stray ACK would belong to a dialog's 2xx; we send no 2xx yet, so there is nothing to do.
        return;
    }
  }

  private onRequest(tx: string, request: SipRequest, source: Destination): void {
    const toTag = newTag();
    const valid = validateMessage(request);
    if (!valid.ok) return this.respond(tx, respond(request, 400, 'Bad Request', toTag));
    const screened = screenRequest(request, toTag);
    if (screened) return this.respond(tx, screened);
    if (request.method === 'OPTIONS') return this.respond(tx, optionsResponse(request, toTag));
    if (request.method === 'INVITE') return this.admit(tx, request, source, toTag);
    // CANCEL reaches us as a 'cancel' event and ACK never as a new request: nothing else is left.
  }

  private admit(tx: string, invite: SipRequest, source: Destination, toTag: string): void {
    this.options.admission.admit(invite, source).then(
      (decision) => {
        if (decision.suspicious) this.limiter.take(source.host, this.clock());
        this.respond(tx, respond(invite, decision.status, decision.reason, toTag, decision.headers));
      },
      (error: unknown) => {
        this.options.logger.error({ err: error }, 'sip invite admission failed');
        this.respond(tx, respond(invite, 500, 'Server Internal Error', toTag));
      },
    );
  }

  private respond(tx: string, response: SipResponse): void {
    if (this.closed) return;
    const events = this.manager.respond(tx, response, this.clock());
    // A decision that arrives after a CANCEL (487 already sent) has no transaction left: expected.
    if (events.every((e) => e.type === 'dropped' && e.reason === 'no_transaction')) {
      this.options.logger.debug({ status: response.status }, 'sip response for a finished transaction not sent');
      return;
    }
    this.run(events);
  }

  private startTimer(tx: string, timer: TimerName, at: number): void {
    this.cancelTimer(tx, timer);
    const handle = setTimeout(() => {
      this.timers.get(tx)?.delete(timer);
      if (!this.closed) this.run(this.manager.onTimer(tx, timer, this.clock()));
    }, Math.max(0, at - this.clock()));
    handle.unref();
    let byTimer = this.timers.get(tx);
    if (!byTimer) this.timers.set(tx, (byTimer = new Map()));
    byTimer.set(timer, handle);
  }

  private cancelTimer(tx: string, timer: TimerName): void {
    const byTimer = this.timers.get(tx);
    const handle = byTimer?.get(timer);
    if (handle) clearTimeout(handle);
    byTimer?.delete(timer);
    if (byTimer?.size === 0) this.timers.delete(tx);
  }

  private logDrop(reason: string, fields: object): void {
    const allowed = this.logThrottle.admit(reason, this.clock());
    if (allowed) this.options.logger.warn({ ...fields, reason, suppressed: allowed.suppressed }, 'sip message dropped');
  }
}
