import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';

// Free ports on 127.0.0.1 for the SIP peers the tests start (sipp, baresip), and a read-only
// check of which UDP ports are bound (so waiting for a peer to be ready never races it for a port).

/** A UDP port the OS reports free on 127.0.0.1 (it may be taken again before it is used). */
export async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

async function isFree(port: number, protocol: 'udp' | 'tcp'): Promise<boolean> {
  return new Promise((resolve) => {
    if (protocol === 'udp') {
      const socket = dgram.createSocket('udp4');
      socket.once('error', () => resolve(false));
      socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
    } else {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    }
  });
}

/**
 * A port p where every `offsets[i]` (p + offset) is free for each protocol listed, e.g. baresip
 * binds SIP on UDP p and TCP p and SIP/TLS on TCP p+1; sipp's RTP echo binds p and p+2.
 */
export async function freePortGroup(needs: { offset: number; protocols: ('udp' | 'tcp')[] }[], even = false): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = await freeUdpPort();
    if (even && base % 2 === 1) continue;
    if (base + Math.max(...needs.map((n) => n.offset)) > 65535) continue;
    let ok = true;
    for (const need of needs) {
      for (const protocol of need.protocols) {
        if (!(await isFree(base + need.offset, protocol))) ok = false;
      }
    }
    if (ok) return base;
  }
  throw new Error('no free port group found on 127.0.0.1');
}

export async function freeTcpPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Whether process `pid` itself has a UDP socket bound to `port` (read-only, from /proc: the
 * socket inodes among its fds, matched against /proc/net/udp). Checking the port alone would
 * call a peer ready when another process holds the port it failed to bind.
 */
export function pidBindsUdpPort(pid: number, port: number): boolean {
  return pidBindsPort(pid, port, 'udp');
}

/** pidBindsUdpPort for either protocol: a TCP socket of `pid` bound to `port` (listening or connected). */
export function pidBindsPort(pid: number, port: number, protocol: 'udp' | 'tcp'): boolean {
  let inodes: Set<string>;
  try {
    inodes = new Set(fs.readdirSync(`/proc/${pid}/fd`).map((fd) => {
      try {
        return /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1] ?? '';
      } catch {
        return '';
      }
    }).filter(Boolean));
  } catch {
    return false; // the process is gone
  }
  return kernelSockets(protocol).some((socket) => socket.port === port && inodes.has(socket.inode));
}

export interface KernelSocket {
  /** Local port. */
  port: number;
  inode: string;
  /** Datagrams dropped for want of receive-buffer room (the table's last column; UDP). */
  drops: number;
}

/** Every IPv4 and IPv6 socket of `protocol` on the machine, from /proc/net/<protocol>{,6}. */
export function kernelSockets(protocol: 'udp' | 'tcp'): KernelSocket[] {
  const sockets: KernelSocket[] = [];
  for (const table of [`/proc/net/${protocol}`, `/proc/net/${protocol}6`]) {
    let text = '';
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      sockets.push({ port: parseInt(fields[1].split(':').pop() ?? '', 16), inode: fields[9], drops: Number(fields.at(-1)) || 0 });
    }
  }
  return sockets;
}

export async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
}
