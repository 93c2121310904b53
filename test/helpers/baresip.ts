import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silenceWav, toBaresipWav } from './audio-fixtures.ts';
import { BaresipControl, type BaresipEvent } from './baresip-control.ts';
import { freePortGroup, freeTcpPort } from './ports.ts';

export type { BaresipEvent } from './baresip-control.ts';

// baresip 1.0.0 (Debian baresip-core) as a headless test softphone: its own config dir, SIP on
// 127.0.0.1 without registration, audio from a WAV file (aufile) instead of a sound card, both
// directions of every call recorded to WAV (sndfile), and commands/events over ctrl_tcp.
// Quirks of 1.0.0 this works around:
// - it binds SIP on UDP p, TCP p AND SIP/TLS on TCP p+1 (TLS cannot be turned off): we pick p
//   with all three free, and retry if someone takes one first;
// - a module that fails to load (ctrl_tcp on a taken port) is only a log line: we check for it;
// - media goes out from the first network interface unless `net_interface 127.0.0.1`;
// - no audio source means no call (it fails to start the stream), and when the aufile source
//   reaches the end of its file the menu module HANGS UP the call: sources are padded with
//   silence unless the test wants exactly that (`hangupWhenAudioEnds`);
// - aufile needs 8 kHz mono 16-bit WAV (ausrc_srate 8000): inputs are converted with sox;
// - it answers 404 to an INVITE whose Request-URI user is not its account's user: give it the
//   user (the number) the server under test will dial (`user: '+34910000001'`).

export interface BaresipOptions {
  /** SIP UDP/TCP port on 127.0.0.1; 0/undefined picks a free one (with p+1 free for TLS). */
  sipPort?: number;
  /** The account's user part (default `baresip`): its AOR is sip:<user>@127.0.0.1:<port>. */
  user?: string;
  /**
   * SDES-SRTP: `true` requires it on every call (`mediaenc=srtp-mand`: RTP/SAVP with a=crypto);
   * `'best-effort'` (`mediaenc=srtp`) offers RTP/AVP with a=crypto and falls back to plain RTP.
   */
  srtp?: boolean | 'best-effort';
  /** `auto` (default) answers every incoming call at once; `manual` waits for `answer()`. */
  answerMode?: 'auto' | 'manual';
  /** Codecs offered/accepted, in order (default PCMU then PCMA). */
  codecs?: ('PCMU' | 'PCMA')[];
  /** Any WAV sox reads; sent as the call's audio. Default: silence. */
  audioSource?: string;
  /** Hang up when `audioSource` has played out (baresip's own behaviour at end of file). */
  hangupWhenAudioEnds?: boolean;
  /** Silence after the audio before baresip hangs up by itself. Default 120000. */
  maxCallMs?: number;
  /** Where sndfile writes dump-<time>-enc.wav (what we sent) and -dec.wav (what we heard). */
  recordDir?: string;
}

export interface CallRecording {
  /** What this phone sent (after the codec's input, before encoding). */
  sent: string;
  /** What this phone received, decoded. */
  received: string;
}

export interface Baresip {
  sipPort: number;
  /** sip:<user>@127.0.0.1:<port>: what a peer dials to reach this phone. */
  uri: string;
  workDir: string;
  recordDir: string;
  pid: number;
  events: readonly BaresipEvent[];
  dial(uri: string): Promise<void>;
  /** Accepts the ringing incoming call (answerMode 'manual'). */
  answer(): Promise<void>;
  hangup(): Promise<void>;
  /** RFC 4733 DTMF on the current call, one key after another. */
  sendDtmf(digits: string): Promise<void>;
  /** Switches the current call's audio to this WAV (padded like `audioSource`). */
  play(wav: string, opts?: { hangupWhenAudioEnds?: boolean }): Promise<void>;
  command(command: string, params?: string): Promise<string>;
  /**
   * The first event (from `since`, an index into `events`, default 0) matching `match`: an event
   * type ('CALL_ESTABLISHED'), a RegExp tried on the event's JSON, or a predicate.
   */
  waitFor(match: string | RegExp | ((event: BaresipEvent) => boolean), timeoutMs?: number, since?: number): Promise<BaresipEvent>;
  /** DTMF keys received so far (CALL_DTMF_START events), in order. */
  receivedDtmf(): string;
  /** The WAV pairs sndfile wrote, oldest first (one per call; calls in the same second share names). */
  recordings(): CallRecording[];
  /** stdout+stderr without colour codes, SIP trace included. */
  output(): string;
  /** Quits baresip (SIGKILL after 3 s) and removes its work dir. Idempotent. */
  stop(): Promise<void>;
}

const MODULES = '/usr/lib/baresip/modules';
/**
 * baresip's RTP/RTCP ports: outside Habla's default range (HABLA_RTP_PORT_MIN/MAX 10000-20000)
 * and the kernel's ephemeral range (32768-60999, where sipp's ports come from), so the peers never
 * take a port the server under test wants. baresip tries random ports in it until one binds.
 */
const RTP_PORTS = '21000-29999';

function configText(sipPort: number, ctrlPort: number, source: string, recordDir: string): string {
  return `poll_method\t\tepoll
sip_listen\t\t127.0.0.1:${sipPort}
net_interface\t\t127.0.0.1
call_local_timeout\t120
call_max_calls\t\t4
audio_player\t\tnil,nil
audio_source\t\taufile,${source}
audio_alert\t\tnil,nil
ausrc_srate\t\t8000
auplay_srate\t\t8000
ausrc_channels\t\t1
auplay_channels\t\t1
audio_level\t\tno
rtp_stats\t\tno
rtcp_mux\t\tno
rtp_ports\t\t${RTP_PORTS}
module_path\t\t${MODULES}
module\t\t\tg711.so
module\t\t\taufile.so
module\t\t\tsndfile.so
module\t\t\tsrtp.so
module_tmp\t\taccount.so
module_app\t\tmenu.so
module_app\t\tctrl_tcp.so
ctrl_tcp_listen\t\t127.0.0.1:${ctrlPort}
snd_path\t\t${recordDir}
statmode_default\toff
`;
}

function accountLine(opts: BaresipOptions, sipPort: number): string {
  const codecs = (opts.codecs ?? ['PCMU', 'PCMA']).map((c) => `${c}/8000/1`).join(',');
  return [`<sip:${opts.user ?? 'baresip'}@127.0.0.1:${sipPort}>`, 'regint=0', `answermode=${opts.answerMode ?? 'auto'}`,
    `audio_codecs=${codecs}`, ...(opts.srtp ? [`mediaenc=${opts.srtp === 'best-effort' ? 'srtp' : 'srtp-mand'}`] : [])].join(';');
}

async function prepareSource(workDir: string, name: string, wav: string | undefined, padMs: number): Promise<string> {
  const out = path.join(workDir, name);
  return wav ? toBaresipWav(wav, out, padMs) : silenceWav(out, padMs);
}

interface Launch {
  child: ChildProcess;
  output: () => string;
  sipPort: number;
  ctrlPort: number;
}

const stripAnsi = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

async function launch(workDir: string, opts: BaresipOptions, source: string, recordDir: string): Promise<Launch> {
  const sipPort = opts.sipPort || (await freePortGroup([{ offset: 0, protocols: ['udp', 'tcp'] }, { offset: 1, protocols: ['tcp'] }]));
  const ctrlPort = await freeTcpPort();
  fs.writeFileSync(path.join(workDir, 'config'), configText(sipPort, ctrlPort, source, recordDir));
  fs.writeFileSync(path.join(workDir, 'accounts'), `${accountLine(opts, sipPort)}\n`);
  fs.writeFileSync(path.join(workDir, 'contacts'), '');
  // -t: quits by itself after 10 minutes, so a test process killed mid-run leaves no phone behind.
  const child = spawn('baresip', ['-f', workDir, '-s', '-t', '600'], { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (d) => (text += d));
  child.stderr!.on('data', (d) => (text += d));
  const output = () => stripAnsi(text);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`baresip did not start:\n${output()}`)), 10_000);
    const check = () => {
      if (!output().includes('baresip is ready.')) return;
      clearTimeout(timer);
      resolve();
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`baresip exited with ${code} while starting:\n${output()}`), { retry: /in use/i.test(output()) }));
    });
  });
  if (/ctrl_tcp: failed to listen/.test(output())) {
    child.kill('SIGKILL');
    throw Object.assign(new Error(`baresip ctrl_tcp could not listen:\n${output()}`), { retry: true });
  }
  return { child, output, sipPort, ctrlPort };
}

/** Starts a baresip softphone and connects to its control port. Call `stop()` in `after`. */
export async function startBaresip(opts: BaresipOptions = {}): Promise<Baresip> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'habla-baresip-'));
  const recordDir = opts.recordDir ?? path.join(workDir, 'recordings');
  fs.mkdirSync(recordDir, { recursive: true });
  const maxCallMs = opts.maxCallMs ?? 120_000;
  const padFor = (hangup?: boolean, given?: string) => (hangup && given ? 0 : maxCallMs);
  const source = await prepareSource(workDir, 'source.wav', opts.audioSource, padFor(opts.hangupWhenAudioEnds, opts.audioSource));
  let started: Launch | undefined;
  for (let attempt = 1; !started; attempt++) {
    try {
      started = await launch(workDir, opts, source, recordDir);
    } catch (error) {
      if (!(error as { retry?: boolean }).retry || opts.sipPort || attempt >= 3) throw error;
    }
  }
  const { child, output, sipPort, ctrlPort } = started;
  const control = await BaresipControl.connect(ctrlPort);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  let sources = 0;
  let stopped = false;

  const waitFor: Baresip['waitFor'] = (match, timeoutMs = 10_000, since = 0) => {
    const test = typeof match === 'string' ? (e: BaresipEvent) => e.type === match
      : match instanceof RegExp ? (e: BaresipEvent) => match.test(JSON.stringify(e)) : match;
    return new Promise((resolve, reject) => {
      const find = () => control.events.slice(since).find(test);
      const found = find();
      if (found) return resolve(found);
      const timer = setTimeout(() => {
        unsubscribe();
        reject(new Error(`baresip ${sipPort}: no event ${String(match)} within ${timeoutMs} ms; events: ` +
          `${control.events.map((e) => `${e.type}${e.param ? `(${e.param})` : ''}`).join(', ') || 'none'}\n${output().slice(-4000)}`));
      }, timeoutMs);
      const unsubscribe = control.onEvent(() => {
        const event = find();
        if (!event) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(event);
      });
    });
  };

  return {
    sipPort, workDir, recordDir, pid: child.pid!, events: control.events,
    uri: `sip:${opts.user ?? 'baresip'}@127.0.0.1:${sipPort}`,
    async dial(uri) { await control.command('dial', uri); },
    async answer() { await control.command('accept'); },
    async hangup() { await control.command('hangup'); },
    async sendDtmf(digits) {
      for (const digit of digits) await control.command('sndcode', digit);
    },
    async play(wav, playOpts = {}) {
      const file = await prepareSource(workDir, `source-${++sources}.wav`, wav, padFor(playOpts.hangupWhenAudioEnds, wav));
      await control.command('ausrc', `aufile,${file}`);
    },
    command: (command, params) => control.command(command, params),
    waitFor,
    receivedDtmf: () => control.events.filter((e) => e.type === 'CALL_DTMF_START').map((e) => e.param ?? '').join(''),
    recordings() {
      const files = fs.readdirSync(recordDir).filter((f) => f.endsWith('-enc.wav')).sort();
      return files.map((f) => ({ sent: path.join(recordDir, f), received: path.join(recordDir, f.replace(/-enc\.wav$/, '-dec.wav')) }));
    },
    output,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null) {
        await control.command('quit', '', 1000).catch(() => undefined);
        const force = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(force);
      }
      control.close();
      fs.rmSync(workDir, { recursive: true, force: true });
    },
  };
}
