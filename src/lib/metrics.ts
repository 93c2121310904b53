import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';

// One registry per process (main.ts builds it; tests build their own). Metric names follow
// Prometheus conventions: base units (seconds), `_total` for counters.

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  webhookDeliveries: Counter<'outcome'>;
  /** Set at scrape time by whoever knows (the store): calls not yet ended, by status. */
  activeCalls: Gauge<'status'>;
  calls: CallMetrics;
  rtp: RtpMetrics;
}

/** Call outcomes and setup times of the calls this process drives (fed by each CallSession). */
export interface CallMetrics {
  /** Calls this process ended, by final status and end_reason (counted once the store committed the end). */
  ended: Counter<'status' | 'end_reason'>;
  /** Outbound: first INVITE sent → 2xx received (ringing included); inbound: INVITE received → 200 OK sent. */
  setupSeconds: Histogram<'direction'>;
  /** The voice agent's per-reply latency by stage (TURN_LATENCY_STAGES), fed from each call's latency figures. */
  turnLatency: Histogram<'stage'>;
}

/**
 * The stages of an agent reply's latency (src/voice/agent/observer.ts AgentLatencyRecord):
 * endpointing silence, STT, LLM first token and first sentence, TTS first byte, the caller's
 * end of speech to the agent's first audio, and what Habla itself added.
 */
export const TURN_LATENCY_STAGES = ['endpointing', 'stt', 'llm_first_token', 'llm_first_sentence', 'tts_first_byte', 'voice_to_voice', 'overhead'] as const;
export type TurnLatencyStage = (typeof TURN_LATENCY_STAGES)[number];

/** From Habla's own few-ms overhead to a slow LLM's 10 s; finest where voice-to-voice lives (0.3–1.5 s). */
export const TURN_LATENCY_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1, 1.5, 2, 3, 5, 10];

/** From an inbound answer in milliseconds to an outbound call rung for a minute. */
export const CALL_SETUP_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60];

/** Fine around the 5 ms a paced 20 ms stream can afford, coarse beyond. */
export const RTP_SEND_JITTER_BUCKETS_S = [0.0005, 0.001, 0.0015, 0.002, 0.003, 0.004, 0.005, 0.006, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05];

/**
 * Media figures of the calls on this process. Each RTP session measures itself; whoever follows
 * the sessions (the engine's RtpMetricsFeed) registers `onScrape` to fold in what changed just
 * before every scrape, so the figures are live without any work on the 20 ms send path.
 */
export interface RtpMetrics {
  /** Packet send time minus its ideal time (the tick's deadline), every packet of every call. */
  sendJitter: BucketHistogram;
  packetsSent: Counter;
  packetsReceived: Counter;
  /** The callers' packets that never arrived (RFC 3550 A.1 accounting per stream). */
  packetsLost: Counter;
  /** Calls with media now (answered, not yet ended). */
  sessions: Gauge;
  /** Calls that got media (answered), since start: its rate is call setups per second. */
  sessionsStarted: Counter;
  onScrape(fold: () => void): void;
}

export function createMetrics(options: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'habla_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'habla_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status code',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'habla_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method and route pattern',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    webhookDeliveries: new Counter({
      name: 'habla_webhook_deliveries_total',
      help: 'Webhook delivery attempts, by outcome (delivered, retry, failed)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    activeCalls: new Gauge({
      name: 'habla_calls_active',
      help: 'Calls not yet ended, by status (dialing, in_progress)',
      labelNames: ['status'],
      registers: [registry],
    }),
    calls: {
      ended: new Counter({
        name: 'habla_calls_ended_total',
        help: 'Calls ended by this process, by final status and end_reason',
        labelNames: ['status', 'end_reason'],
        registers: [registry],
      }),
      setupSeconds: new Histogram({
        name: 'habla_call_setup_seconds',
        help: 'Call setup time by direction: outbound, INVITE sent to answer (ringing included); inbound, INVITE received to 200 OK sent',
        labelNames: ['direction'],
        buckets: CALL_SETUP_BUCKETS_S,
        registers: [registry],
      }),
      turnLatency: new Histogram({
        name: 'habla_turn_latency_seconds',
        help: "Voice agent reply latency by stage: endpointing, stt, llm_first_token, llm_first_sentence, tts_first_byte, voice_to_voice (caller's end of speech to the agent's first audio), overhead (Habla's own share)",
        labelNames: ['stage'],
        buckets: TURN_LATENCY_BUCKETS_S,
        registers: [registry],
      }),
    },
    rtp: createRtpMetrics(registry),
  };
}

function createRtpMetrics(registry: Registry): RtpMetrics {
  const folds: (() => void)[] = [];
  // Every RTP metric asks for a fold before it is read; the first of a scrape does it (all
  // metrics are collected in one synchronous turn), so the figures of one scrape agree.
  let foldedThisTurn = false;
  const collect = () => {
    if (foldedThisTurn) return;
    foldedThisTurn = true;
    queueMicrotask(() => (foldedThisTurn = false));
    for (const fold of folds) fold();
  };
  const counter = (name: string, help: string) => new Counter({ name, help, registers: [registry], collect });
  return {
    sendJitter: new BucketHistogram({
      name: 'habla_rtp_send_jitter_seconds',
      help: 'RTP packet send time minus its ideal time on the 20 ms media clock, every packet of every call',
      buckets: RTP_SEND_JITTER_BUCKETS_S,
      registry,
      collect,
    }),
    packetsSent: counter('habla_rtp_packets_sent_total', 'RTP packets sent to callers'),
    packetsReceived: counter('habla_rtp_packets_received_total', 'RTP packets received from callers and accepted'),
    packetsLost: counter('habla_rtp_packets_lost_total', "Callers' RTP packets that never arrived (sequence gaps)"),
    sessions: new Gauge({ name: 'habla_rtp_sessions_active', help: 'Calls with media now', registers: [registry], collect }),
    sessionsStarted: counter('habla_rtp_sessions_total', 'Calls that got media (answered) since the process started'),
    onScrape: (fold) => void folds.push(fold),
  };
}

/**
 * A Prometheus histogram fed with bucket counts instead of single observations: the RTP
 * sessions already keep fine histograms, and folding their counts in costs one step per bucket
 * where prom-client's Histogram would need one `observe()` per packet (15 000 a second at 300
 * calls). It is registered as a custom metric (prom-client reads `get()`).
 */
export class BucketHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  /** Upper edges in seconds, ascending (`le`). */
  readonly buckets: readonly number[];
  private readonly below: number[];
  private count = 0;
  private sum = 0;
  private readonly collect?: () => void;

  constructor(opts: { name: string; help: string; buckets: readonly number[]; registry?: Registry; collect?: () => void }) {
    this.name = opts.name;
    this.help = opts.help;
    this.buckets = opts.buckets;
    this.below = opts.buckets.map(() => 0);
    this.collect = opts.collect;
    opts.registry?.registerMetric(this as unknown as Metric);
  }

  /** Adds observations: how many fell at or below each bucket edge, how many in all, their sum (seconds). */
  add(atOrBelow: readonly number[], count: number, sum: number): void {
    for (let i = 0; i < this.below.length; i++) this.below[i] += atOrBelow[i] ?? count;
    this.count += count;
    this.sum += sum;
  }

  reset(): void {
    this.below.fill(0);
    this.count = 0;
    this.sum = 0;
  }

  async get(): Promise<{ name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: { metricName: string; labels: Record<string, string | number>; value: number }[] }> {
    this.collect?.();
    const bucket = `${this.name}_bucket`;
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: [
        ...this.buckets.map((le, i) => ({ metricName: bucket, labels: { le }, value: this.below[i]! })),
        { metricName: bucket, labels: { le: '+Inf' }, value: this.count },
        { metricName: `${this.name}_sum`, labels: {}, value: this.sum },
        { metricName: `${this.name}_count`, labels: {}, value: this.count },
      ],
    };
  }
}
