/**
 * A media worker thread: RTP sessions, their sockets and one media clock, away from the main
 * thread's database writes, SIP, HTTP and garbage collection. Packets are paced here; the main
 * thread hears about frames once a tick (TickCollector) and about events as they happen.
 * Started by WorkerMediaHost (worker-media-host.ts) through worker-boot.ts.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { NegotiatedMedia } from '../../sdp/index.ts';
import { MediaClock } from '../media-clock.ts';
import { bindRtpPair } from '../port-allocator.ts';
import { RtpSession } from '../rtp-session.ts';
import type { MediaLogger, RtpSockets } from '../types.ts';
import type { FromWorker, MediaWorkerData, SessionCounters, ToWorker } from './protocol.ts';
import { TickCollector } from './tick-collector.ts';

const REALTIME_PRIORITY = 10;
const HIGH_NICE = -10;

const link = parentPort!;
const config = workerData as MediaWorkerData;
const post = (message: FromWorker, transfer?: ArrayBuffer[]): void => link.postMessage(message, transfer);

const clock = new MediaClock({ phases: config.clockPhases, onError: (err) => logger.warn({ err }, 'media clock listener threw') });
const bound = new Map<number, RtpSockets>(); // port → sockets not yet given to a session
const sessions = new Map<number, RtpSession>();
const ticks = new TickCollector((batch, transfer) => post(batch, transfer));

const logger: MediaLogger = {
  warn: (fields, msg) => post({ t: 'log', level: 'warn', fields: loggable(fields), msg }),
  debug: (fields, msg) => {
    if (config.forwardDebug) post({ t: 'log', level: 'debug', fields: loggable(fields), msg });
  },
};

link.on('message', (message: ToWorker) => {
  try {
    handle(message);
  } catch (err) {
    logger.warn({ err, message: message.t }, 'media worker could not handle a message');
  }
});
setInterval(() => post({ t: 'counters', sessions: [...sessions].map(([id, s]) => countersOf(id, s)) }), config.countersIntervalMs).unref();
raisePriority(config.priority);
post({ t: 'ready' });

/**
 * Media wants the CPU briefly every 20 ms; the main thread's work (store, SIP, HTTP) can wait.
 * On a busy machine the scheduler otherwise queues the media thread behind it (measured on 2
 * cores at 200 calls: send jitter p99 20 ms at normal priority, 10 ms at nice -10, 5 ms under
 * SCHED_FIFO). Linux applies both per thread; both need CAP_SYS_NICE (root has it). `realtime`
 * falls back to `high`, and `high` to normal priority, saying so once.
 */
function raisePriority(priority: MediaWorkerData['priority']): void {
  if (priority === 'normal' || process.platform !== 'linux') return;
  let threadId: number;
  try {
    threadId = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
  } catch (err) {
    return logger.warn({ err }, 'media thread priority left as it is (no /proc/thread-self)');
  }
  if (priority === 'realtime') {
    // SCHED_FIFO 10: above every normal thread, below the kernel's own real-time threads. The
    // kernel's real-time throttling (95% by default) still leaves the rest of the machine a share.
    const chrt = spawnSync('chrt', ['-f', '-p', String(REALTIME_PRIORITY), String(threadId)], { encoding: 'utf8' });
    if (chrt.status === 0) return;
    logger.warn({ reason: chrt.error?.message ?? chrt.stderr.trim() }, 'media thread could not run real-time (SCHED_FIFO); trying nice -10');
  }
  try {
    os.setPriority(threadId, HIGH_NICE);
  } catch (err) {
    logger.warn({ err }, 'media thread priority could not be raised (needs CAP_SYS_NICE); media runs at normal priority');
  }
}

function handle(m: ToWorker): void {
  switch (m.t) {
    case 'bind':
      return void bindRtpPair(config.host, m.port).then(
        (sockets) => {
          if (sockets) bound.set(m.port, sockets);
          post(sockets ? { t: 'bound', req: m.req, ok: true } : { t: 'bound', req: m.req, ok: false, code: 'EADDRINUSE', message: 'in use' });
        },
        (error: NodeJS.ErrnoException) => post({ t: 'bound', req: m.req, ok: false, code: error.code, message: error.message }),
      );
    case 'release':
      void bound.get(m.port)?.close();
      bound.delete(m.port);
      return;
    case 'open':
      return open(m.id, m.port, m.media);
    case 'update':
      return sessions.get(m.id)?.update(revive(m.media));
    case 'play':
      return play(m.id, m.playId, m.pcm);
    case 'clear':
      return sessions.get(m.id)?.clearPlayout();
    case 'dtmf':
      return sendDtmf(m.id, m.req, m.digits, m.opts);
    case 'stats':
      return post({ t: 'stats', req: m.req, stats: sessions.get(m.id)?.stats() ?? null });
    case 'close':
      return close(m.id, m.req);
  }
}

function open(id: number, port: number, media: NegotiatedMedia): void {
  const sockets = bound.get(port);
  if (!sockets) throw new Error(`no bound RTP port ${port}`);
  bound.delete(port);
  const session = new RtpSession({ sockets, clock, media: revive(media), mediaTimeoutMs: config.mediaTimeoutMs, logger, rtcpIntervalMs: config.rtcpIntervalMs });
  sessions.set(id, session);
  session.onTick(({ caller, agent }) => ticks.add(id, caller, agent));
  session.onDtmf((digit) => post({ t: 'digit', id, digit }));
  session.onMediaTimeout(() => post({ t: 'media-timeout', id }));
}

function play(id: number, playId: number, pcm: Int16Array): void {
  const session = sessions.get(id);
  const done = session ? session.play(pcm).done : Promise.resolve({ playedMs: 0, interrupted: true });
  void done.then((result) => post({ t: 'played', id, playId, ...result }));
}

function sendDtmf(id: number, req: number, digits: string, opts: object): void {
  const session = sessions.get(id);
  const sent = session ? session.sendDtmf(digits, opts) : Promise.reject(new Error('RTP session is closed'));
  sent.then(
    () => post({ t: 'dtmf-done', req }),
    (error: Error) => post({ t: 'dtmf-done', req, error: { name: error.name, message: error.message } }),
  );
}

function close(id: number, req: number): void {
  const session = sessions.get(id);
  if (!session) return post({ t: 'closed', req, counters: null });
  void session.close().then(() => {
    // Counted after the session stopped: nothing moves any more, these are its final figures.
    post({ t: 'closed', req, counters: countersOf(id, session) });
    sessions.delete(id);
  });
}

function countersOf(id: number, session: RtpSession): SessionCounters {
  const { sent, received, lost } = session.packetCounts;
  return { id, sent, received, lost, jitter: session.sendJitterSnapshot() };
}

/** Keys arrive as plain Uint8Arrays (structured clone); the SRTP code wants Buffers. */
function revive(media: NegotiatedMedia): NegotiatedMedia {
  const crypto = media.crypto;
  if (!crypto) return media;
  const key = (k: { masterKey: Uint8Array; masterSalt: Uint8Array }) => ({ masterKey: Buffer.from(k.masterKey), masterSalt: Buffer.from(k.masterSalt) });
  return { ...media, crypto: { ...crypto, localKey: key(crypto.localKey), remoteKey: key(crypto.remoteKey) } };
}

/** Errors survive structured cloning only partly: keep their message and code as fields. */
function loggable(fields: object): object {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = value instanceof Error ? { type: value.name, message: value.message, code: (value as NodeJS.ErrnoException).code } : value;
  }
  return out;
}
