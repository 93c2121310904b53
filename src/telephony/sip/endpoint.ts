/**
 * The SIP user-agent shell: datagrams in, parseMessage + TransactionManager, and the
 * manager's actions carried out (send, timers on a monotonic clock, deliver to the layers
 * above). It answers OPTIONS, rejects what nobody handles (405/501/481/400), hands new INVITEs
 * to an InviteAdmission, routes in-dialog requests and ACKs to the DialogHandler registered for
 * their Call-ID and our tag, and runs client transactions for the requests calls send.
 * Nothing a peer sends may throw out of here.
 */
import { performance } from 'node:perf_hooks';
import type { DatagramAddress, DatagramTransport } from '../transport/datagram-transport.ts';
import type { StreamTransport } from '../transport/stream-transport.ts';
import { SourceRateLimiter, type RateLimiterOptions } from '../transport/rate-limiter.ts';
import { newTag } from './dialog/ids.ts';
import { LogThrottle } from './endpoint-log-throttle.ts';
import { optionsResponse, respond, screenRequest } from './endpoint-responses.ts';
import type { AcceptedInvite, ClientListener, DialogHandler, EndpointLogger, InviteAdmission, SipTarget } from './endpoint-types.ts';
import { getCallId, getTo } from './accessors.ts';
import type { SipMessage, SipRequest, SipResponse } from './message.ts';
import { parseMessage } from './parser.ts';
import { serializeMessage } from './serializer.ts';
import { TransactionManager, type ManagerEvent, type TimerConfig, type TimerName, type Destination } from './transaction/index.ts';
import { validateMessage } from './validate.ts';

export interface SipEndpointOptions {
  transport: DatagramTransport;
  /** SIP over TCP on the same port; without it TCP targets fail as transport errors. */
  stream?: StreamTransport;
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
  /** Call legs by `<Call-ID> <our tag>`. */
  private readonly dialogs = new Map<string, DialogHandler>();
  /** Accepted INVITE server transactions → their leg, so a CANCEL reaches it. */
  private readonly pendingInvites = new Map<string, DialogHandler>();
  private readonly clients = new Map<string, ClientListener>();
  /** TCP peers of dialogs (by dialog key): their connections stay open while the dialog lives. */
  private readonly dialogConnections = new Map<string, DatagramAddress>();
  private draining = false;
  private closed = false;

  constructor(private readonly options: SipEndpointOptions) {
    this.clock = options.clock ?? (() => performance.now());
    this.manager = new TransactionManager({ timers: options.timers });
    this.limiter = new SourceRateLimiter(options.rejectLimit ?? DEFAULT_REJECT_LIMIT);
    options.transport.onDatagram((bytes, from) => this.receive(bytes, from));
    options.stream?.onMessage((bytes, from) => this.receive(bytes, from, 'TCP'));
    options.stream?.onDrop((reason, from, detail) => {
      if (reason === 'idle') this.options.logger.debug({ source: from.host }, 'idle sip tcp connection closed');
      else this.logDrop(`tcp_${reason}`, { source: from.host, detail });
    });
  }

  address(): DatagramAddress {
    return this.options.transport.address();
  }

  /** New INVITEs get 503 from now on; calls already up carry on (SIGTERM drain). */
  stopAdmitting(): void {
    this.draining = true;
  }

  /**
   * Routes in-dialog requests and ACKs for (Call-ID, our tag) to `handler` until removed. A
   * dialog over TCP keeps its connection open (`peer`): the BYE hours later must find it.
   */
  addDialog(callId: string, localTag: string, handler: DialogHandler, peer?: SipTarget): void {
    const key = dialogKeyOf(callId, localTag);
    this.dialogs.set(key, handler);
    if (peer?.transport === 'TCP' && this.options.stream && !this.dialogConnections.has(key)) {
      this.dialogConnections.set(key, peer);
      this.options.stream.retain(peer);
    }
  }

  removeDialog(callId: string, localTag: string): void {
    const key = dialogKeyOf(callId, localTag);
    this.dialogs.delete(key);
    const peer = this.dialogConnections.get(key);
    if (peer) {
      this.dialogConnections.delete(key);
      this.options.stream?.release(peer);
    }
  }

  /** Whether requests to `target` would go on a connection already open (always true for UDP). */
  hasConnection(target: SipTarget): boolean {
    return target.transport !== 'TCP' || (this.options.stream?.hasConnection(target) ?? false);
  }

  /** Lets a CANCEL of an accepted INVITE reach its leg (until the leg sends its final answer). */
  watchInvite(tx: string, handler: DialogHandler | undefined): void {
    if (handler) this.pendingInvites.set(tx, handler);
    else this.pendingInvites.delete(tx);
  }

  /** Starts a client transaction; the listener hears its responses and its failure. */
  sendRequest(request: SipRequest, to: SipTarget, listener: ClientListener): { id: string; request: SipRequest } | undefined {
    if (this.closed) return undefined;
    const sent = this.manager.send(request, { transport: to.transport ?? 'UDP', host: to.host, port: to.port }, this.clock());
    if (!sent.ok) {
      this.options.logger.warn({ method: request.method, code: sent.error }, 'sip request not sent');
      return undefined;
    }
    this.clients.set(sent.value.id, listener);
    this.run(sent.value.events);
    return { id: sent.value.id, request: sent.value.request };
  }

  /** CANCELs a pending INVITE client transaction (held until a 1xx arrives, §9.1). */
  cancelRequest(id: string): boolean {
    const result = this.manager.cancel(id, this.clock());
    if (!result.ok) return false;
    this.run(result.value);
    return true;
  }

  /** Sends outside any transaction: the ACK for a 2xx (§13.2.2.4). */
  sendStateless(message: SipMessage, to: SipTarget): void {
    if (!this.closed) this.transmit(serializeMessage(message), { transport: to.transport ?? 'UDP', host: to.host, port: to.port });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const byTimer of this.timers.values()) for (const handle of byTimer.values()) clearTimeout(handle);
    this.timers.clear();
    await Promise.all([this.options.transport.close(), this.options.stream?.close()]);
  }

  /**
   * One message from the network: a UDP datagram, or one message a TCP connection framed.
   * Public so tests can feed bytes without a socket.
   */
  receive(bytes: Buffer, from: DatagramAddress, transport: 'UDP' | 'TCP' = 'UDP'): void {
    if (this.closed) return;
    try {
      this.handle(bytes, { transport, host: from.host, port: from.port });
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
    // Requests inside a dialog we hold (a BYE, a re-INVITE) always pass: a carrier sharing an
    // address with a scanner must still be able to end its calls.
    if (message.kind === 'request' && message.method !== 'ACK' && !this.dialogOf(message) && !this.limiter.allows(source.host, this.clock())) {
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
        this.transmit(serializeMessage(event.message), event.to, event.tx);
        return;
      case 'startTimer':
        this.startTimer(event.tx, event.timer, event.at);
        return;
      case 'cancelTimer':
        this.cancelTimer(event.tx, event.timer);
        return;
      case 'terminated':
        for (const timer of this.timers.get(event.tx)?.keys() ?? []) this.cancelTimer(event.tx, timer);
        this.pendingInvites.delete(event.tx);
        this.clientTerminated(event.tx, event.reason);
        return;
      case 'deliver':
        if (event.message.kind === 'response') this.clients.get(event.tx)?.onResponse(event.message);
        else if (source) this.onRequest(event.tx, event.message, source);
        return;
      case 'cancel':
        return this.onCancel(event.tx, event.target);
      case 'dropped':
        this.logDrop(event.reason, { detail: event.detail });
        return;
      case 'stray':
        // The ACK for a 2xx belongs to the dialog (§13.3.1.4).
        this.dialogOf(event.message)?.onAck(event.message);
        return;
      case 'transportError':
        this.clients.get(event.tx)?.onFailure('transport_error');
        return;
    }
  }

  /**
   * Puts bytes on the destination's transport. A TCP send that fails (refused, reset, timed
   * out) fails its transaction at once rather than after timer B/F's 32 s.
   */
  private transmit(bytes: Uint8Array, to: Destination, tx?: string): void {
    const address = { host: to.host, port: to.port };
    if (to.transport !== 'TCP') return this.options.transport.send(bytes, address);
    const failTransaction = (error: Error) => {
      this.options.logger.debug({ err: error, destination: `${to.host}:${to.port}` }, 'sip tcp send failed');
      if (tx !== undefined && !this.closed) this.run(this.manager.transportError(tx));
    };
    if (!this.options.stream) return void setImmediate(() => failTransaction(new Error('SIP over TCP is not enabled')));
    this.options.stream.send(bytes, address, failTransaction);
  }

  private clientTerminated(tx: string, reason: 'completed' | 'timeout' | 'transport_error'): void {
    const listener = this.clients.get(tx);
    if (!listener) return;
    this.clients.delete(tx);
    if (reason !== 'completed') listener.onFailure(reason);
  }

  private onCancel(cancelTx: string, target: string | undefined): void {
    const { cancelled, events } = this.manager.answerCancel(cancelTx, this.clock());
    this.run(events);
    const leg = target === undefined ? undefined : this.pendingInvites.get(target);
    if (cancelled && leg && target !== undefined) {
      this.pendingInvites.delete(target);
      leg.onCancel?.();
    }
  }

  private dialogOf(message: SipRequest): DialogHandler | undefined {
    const callId = getCallId(message);
    const to = getTo(message);
    if (!callId.ok || !to.ok || to.value.tag === undefined) return undefined;
    return this.dialogs.get(dialogKeyOf(callId.value, to.value.tag));
  }

  private onRequest(tx: string, request: SipRequest, source: Destination): void {
    const toTag = newTag();
    const valid = validateMessage(request);
    if (!valid.ok) return this.respond(tx, respond(request, 400, 'Bad Request', toTag));
    const dialog = this.dialogOf(request);
    if (dialog) {
      if (request.method === 'ACK') dialog.onAck(request);
      else dialog.onRequest(tx, request, source);
      return;
    }
    if (request.method === 'ACK') return; // an ACK for a dialog that is gone: nothing to answer
    const screened = screenRequest(request, toTag);
    if (screened) return this.respond(tx, screened);
    if (request.method === 'OPTIONS') return this.respond(tx, optionsResponse(request, toTag));
    if (request.method === 'INVITE') return this.admit(tx, request, source, toTag);
    // CANCEL reaches us as a 'cancel' event and ACK never as a new request: nothing else is left.
  }

  private admit(tx: string, invite: SipRequest, source: Destination, toTag: string): void {
    if (this.draining) return this.respond(tx, respond(invite, 503, 'Service Unavailable', toTag, [{ name: 'Retry-After', value: '30' }]));
    this.options.admission.admit(invite, source).then(
      (decision) => {
        if (decision.action === 'accept') return this.startAccepted(decision.start, { tx, invite, source, toTag });
        if (decision.suspicious) this.limiter.take(source.host, this.clock());
        this.respond(tx, respond(invite, decision.status, decision.reason, toTag, decision.headers));
      },
      (error: unknown) => {
        this.options.logger.error({ err: error }, 'sip invite admission failed');
        this.respond(tx, respond(invite, 500, 'Server Internal Error', toTag));
      },
    );
  }

  private startAccepted(start: (invite: AcceptedInvite) => void, invite: AcceptedInvite): void {
    // Cancelled while admission ran: the 487 has been sent and the transaction is gone.
    if (this.closed || !this.manager.get(invite.tx)) return;
    start(invite);
  }

  /** Answers a server transaction (requests delivered to a DialogHandler, accepted INVITEs). */
  respond(tx: string, response: SipResponse): void {
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

function dialogKeyOf(callId: string, localTag: string): string {
  return `${callId} ${localTag}`;
}
