import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { describe, test } from 'node:test';
import { RtpPortAllocator } from './port-allocator.ts';

function randomBase(): number {
  return 40000 + 2 * Math.floor(Math.random() * 9000);
}

function bindBlocker(port: number): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => resolve(socket));
  });
}

describe('RtpPortAllocator', () => {
  test('binds an even RTP port and the next odd one for RTCP, on the configured host', async () => {
    const base = randomBase();
    const allocator = new RtpPortAllocator({ host: '127.0.0.1', min: base, max: base + 9 });
    const pair = await allocator.allocate();
    try {
      assert.equal(pair.port % 2, 0);
      assert.ok(pair.port >= base && pair.port + 1 <= base + 9);
      assert.deepEqual(pair.rtp.address(), { address: '127.0.0.1', family: 'IPv4', port: pair.port });
      assert.equal(pair.rtcp.address().port, pair.port + 1);
    } finally {
      await pair.close();
    }
  });

  test('an odd minimum starts at the next even port', async () => {
    const base = randomBase() + 1;
    const allocator = new RtpPortAllocator({ host: '127.0.0.1', min: base, max: base + 4 });
    const pair = await allocator.allocate();
    assert.equal(pair.port, base + 1);
    await pair.close();
  });

  test('skips pairs bound by someone else (RTP or RTCP port) and pairs already handed out', async () => {
    const base = randomBase();
    const rtpBlocker = await bindBlocker(base); // first pair: RTP port taken
    const rtcpBlocker = await bindBlocker(base + 3); // second pair: RTCP port taken
    const allocator = new RtpPortAllocator({ host: '127.0.0.1', min: base, max: base + 11 });
    try {
      const first = await allocator.allocate();
      const second = await allocator.allocate();
      assert.equal(first.port, base + 4);
      assert.equal(second.port, base + 6);
      assert.equal(allocator.inUse, 2);
      await Promise.all([first.close(), second.close()]);
      assert.equal(allocator.inUse, 0);
    } finally {
      rtpBlocker.close();
      rtcpBlocker.close();
    }
  });

  test('says so clearly when the range is exhausted, and recovers when a pair is freed', async () => {
    const base = randomBase();
    const allocator = new RtpPortAllocator({ host: '127.0.0.1', min: base, max: base + 3 });
    const first = await allocator.allocate();
    const second = await allocator.allocate();
    await assert.rejects(allocator.allocate(), { message: `no free RTP ports in ${base}-${base + 3}` });
    await first.close();
    const again = await allocator.allocate();
    assert.equal(again.port, first.port);
    await Promise.all([second.close(), again.close()]);
  });

  test('round-robins: a port just freed is not handed out again while others are free', async () => {
    const base = randomBase();
    const allocator = new RtpPortAllocator({ host: '127.0.0.1', min: base, max: base + 7 });
    const ports: number[] = [];
    for (let i = 0; i < 5; i++) {
      const pair = await allocator.allocate();
      ports.push(pair.port);
      await pair.close();
    }
    assert.deepEqual(ports, [base, base + 2, base + 4, base + 6, base]);
  });

  test('concurrent allocations never get the same pair', async () => {
    const base = randomBase();
    const allocator = new RtpPortAllocator({ host: '127.0.0.1', min: base, max: base + 7 });
    const pairs = await Promise.all([allocator.allocate(), allocator.allocate(), allocator.allocate(), allocator.allocate()]);
    assert.equal(new Set(pairs.map((p) => p.port)).size, 4);
    await assert.rejects(allocator.allocate(), /no free RTP ports/);
    await Promise.all(pairs.map((p) => p.close()));
  });

  test('close() is idempotent and frees the ports for other processes', async () => {
    const base = randomBase();
    const allocator = new RtpPortAllocator({ host: '127.0.0.1', min: base, max: base + 1 });
    const pair = await allocator.allocate();
    await Promise.all([pair.close(), pair.close()]);
    await pair.close();
    const blocker = await bindBlocker(pair.port); // would fail with EADDRINUSE if still bound
    blocker.close();
  });

  test('refuses ranges it cannot serve', () => {
    assert.throws(() => new RtpPortAllocator({ host: '127.0.0.1', min: 0, max: 0 }), RangeError);
    assert.throws(() => new RtpPortAllocator({ host: '127.0.0.1', min: 41000, max: 40000 }), RangeError);
    assert.throws(() => new RtpPortAllocator({ host: '127.0.0.1', min: 41001, max: 41002 }), /no even\/odd port pair/);
    assert.throws(() => new RtpPortAllocator({ host: '127.0.0.1', min: 65534, max: 65536 }), RangeError);
  });

  test('a bind error other than "in use" is reported, not skipped', async () => {
    const base = randomBase();
    const allocator = new RtpPortAllocator({ host: '192.0.2.1', min: base, max: base + 3 }); // TEST-NET: not ours
    await assert.rejects(allocator.allocate(), { code: 'EADDRNOTAVAIL' });
    assert.equal(allocator.inUse, 0);
  });
});
