import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, it } from 'node:test';
import { frameSipStream } from '../sip/stream-framing.ts';
import type { DatagramAddress } from './datagram-transport.ts';
import { TcpTransport, type TcpLimits } from './tcp-transport.ts';

const message = (n: number, body = '') =>
  `OPTIONS sip:habla@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bK${n}\r\nCall-ID: c${n}\r\nCSeq: ${n} OPTIONS\r\n` +
  `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

const open: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const thing of open.splice(0)) await thing.close();
});

async function transport(limits: Partial<TcpLimits> = {}) {
  const t = await TcpTransport.listen({ host: '127.0.0.1', port: 0, framer: (b) => frameSipStream(b), limits });
  open.push(t);
  const received: { text: string; from: DatagramAddress }[] = [];
  const drops: string[] = [];
  t.onMessage((bytes, from) => received.push({ text: bytes.toString(), from }));
  t.onDrop((reason) => drops.push(reason));
  return { t, received, drops };
}

async function client(port: number): Promise<net.Socket & { data: () => string }> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  let data = '';
  socket.on('data', (chunk) => (data += chunk));
  socket.on('error', () => {});
  open.push({ close: () => void socket.destroy() });
  return Object.assign(socket, { data: () => data });
}

async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const closed = (socket: net.Socket) => (socket.destroyed ? Promise.resolve() : once(socket, 'close').then(() => undefined));

describe('TcpTransport', () => {
  it('delivers whole messages in order however the bytes are cut, with the connection\'s address', async () => {
    const { t, received } = await transport();
    const peer = await client(t.address().port);
    const stream = message(1, 'first body') + '\r\n' + message(2) + message(3, 'x'.repeat(3000));
    for (let i = 0; i < stream.length; i += 7) peer.write(stream.slice(i, i + 7));
    await until(() => received.length === 3, 'three messages');
    assert.deepEqual(received.map((r) => r.text), [message(1, 'first body'), message(2), message(3, 'x'.repeat(3000))]);
    assert.deepEqual(received[0].from, { host: '127.0.0.1', port: peer.localPort });
  });

  it('answers keep-alive pings with a pong', async () => {
    const { t, received } = await transport();
    const peer = await client(t.address().port);
    peer.write('\r\n\r\n');
    await until(() => peer.data() === '\r\n', 'the pong');
    peer.write(message(1));
    await until(() => received.length === 1, 'a message after the ping');
  });

  it('replies on the connection a peer opened, and dials peers it has no connection to', async () => {
    const { t, received } = await transport();
    const peer = await client(t.address().port);
    peer.write(message(1));
    await until(() => received.length === 1, 'the request');
    t.send(Buffer.from('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n'), received[0].from);
    await until(() => peer.data().startsWith('SIP/2.0 200 OK'), 'the response on the same connection');

    // A peer that only listens: we open the connection, and its answer comes back on it.
    const server = net.createServer((socket) => socket.on('data', () => socket.write(message(9))));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    open.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    const to = { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port };
    t.send(Buffer.from(message(5)), to);
    await until(() => received.length === 2, 'the listening peer\'s message');
    assert.deepEqual(received[1].from, to, 'the answer is keyed by the address we dialled');
    assert.equal(t.connectionCount, 2);
  });

  it('reports a refused connection through onFailure, never synchronously', async () => {
    const { t } = await transport();
    const closedPort = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as net.AddressInfo;
        s.close(() => resolve(port));
      });
    });
    let failed: Error | undefined;
    let synchronous = true;
    t.send(Buffer.from(message(1)), { host: '127.0.0.1', port: closedPort }, (error) => (failed = error));
    synchronous = false;
    await until(() => failed !== undefined, 'the failure');
    assert.equal(synchronous, false);
    assert.equal(t.connectionCount, 0);
  });

  it('closes a connection whose stream cannot be framed, or that sends too much without a message', async () => {
    const { t, received, drops } = await transport({ maxBufferedBytes: 4096 });
    const garbage = await client(t.address().port);
    garbage.write('\x00\x01\x02 not sip\r\n\r\n');
    await closed(garbage);
    const endless = await client(t.address().port);
    endless.write(`OPTIONS sip:a@b SIP/2.0\r\n`);
    for (let i = 0; i < 10 && !endless.destroyed; i++) endless.write(`X-Filler: ${'a'.repeat(1000)}\r\n`);
    await closed(endless);
    assert.deepEqual(drops.sort(), ['buffer_overflow', 'invalid_stream']);
    // Others are unaffected.
    const good = await client(t.address().port);
    good.write(message(1));
    await until(() => received.length === 1, 'a good peer\'s message');
  });

  it('refuses connections beyond the per-host and total limits', async () => {
    const { t, drops } = await transport({ maxConnectionsPerHost: 2 });
    const [a, b, c] = [await client(t.address().port), await client(t.address().port), await client(t.address().port)];
    await closed(c);
    assert.deepEqual(drops, ['host_connection_limit']);
    assert.ok(!a.destroyed && !b.destroyed);
    await until(() => t.connectionCount === 2, 'two tracked connections');
    a.destroy();
    await until(() => t.connectionCount === 1, 'the closed connection forgotten');
    const d = await client(t.address().port);
    d.write(message(1));
    await sleep(50);
    assert.ok(!d.destroyed, 'a slot freed by a close can be used again');
  });

  it('closes idle connections unless a dialog retains them', async () => {
    const { t, received, drops } = await transport({ idleMs: 200 });
    const idle = await client(t.address().port);
    const kept = await client(t.address().port);
    kept.write(message(1));
    await until(() => received.length === 1, 'the kept peer\'s request');
    t.retain(received[0].from);
    await closed(idle);
    await sleep(400);
    assert.ok(!kept.destroyed, 'the retained connection stays open');
    assert.ok(drops.includes('idle'));
    t.release(received[0].from);
    await closed(kept);
  });

  it('stops listening and drops every connection on close', async () => {
    const { t } = await transport();
    const peer = await client(t.address().port);
    await t.close();
    await closed(peer);
    let failed = false;
    t.send(Buffer.from(message(1)), { host: '127.0.0.1', port: 1 }, () => (failed = true));
    await until(() => failed, 'a send after close fails');
  });
});
