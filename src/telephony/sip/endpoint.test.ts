import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DatagramAddress, DatagramHandler, DatagramTransport } from '../transport/datagram-transport.ts';
import type { StreamMessageHandler, StreamTransport } from '../transport/stream-transport.ts';
import { SipEndpoint, type SipEndpointOptions } from './endpoint.ts';
import type { InviteAdmission, InviteDecision } from './endpoint-types.ts';
import { getHeader, getHeaders, type SipResponse } from './message.ts';
import { getTo } from './accessors.ts';
import { parseMessage } from './parser.ts';

class FakeTransport implements DatagramTransport {
  sent: { bytes: Buffer; to: DatagramAddress }[] = [];
  handler: DatagramHandler = () => {};
  closed = false;
  send(bytes: Uint8Array, to: DatagramAddress): void {
    this.sent.push({ bytes: Buffer.from(bytes), to });
  }
  onDatagram(handler: DatagramHandler): void {
    this.handler = handler;
  }
  address(): DatagramAddress {
    return { host: '127.0.0.1', port: 5060 };
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  responses(): SipResponse[] {
    return this.sent.map(({ bytes }) => {
      const parsed = parseMessage(bytes);
      assert.ok(parsed.ok && parsed.value.kind === 'response');
      return parsed.value;
    });
  }
}

const PEER: DatagramAddress = { host: '192.0.2.10', port: 5070 };
let branch = 0;

function request(method: string, options: { toTag?: string; cseqMethod?: string; branch?: string; contact?: string } = {}): Buffer {
  const b = options.branch ?? `z9hG4bK-test-${++branch}`;
  const to = `<sip:+34912345678@127.0.0.1>${options.toTag ? `;tag=${options.toTag}` : ''}`;
  return Buffer.from(
    `${method} sip:+34912345678@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5070;branch=${b}\r\n` +
      `From: <sip:caller@192.0.2.10>;tag=f1\r\nTo: ${to}\r\nCall-ID: call-${b}\r\nCSeq: 1 ${options.cseqMethod ?? method}\r\n` +
      `Contact: ${options.contact ?? '<sip:caller@192.0.2.10:5070>'}\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`,
  );
}

interface Harness {
  transport: FakeTransport;
  endpoint: SipEndpoint;
  admitted: { source: DatagramAddress; uri: string }[];
  warnings: { fields: Record<string, unknown>; message: string }[];
  send(bytes: Buffer | string, from?: DatagramAddress): void;
}

function harness(decide: () => Promise<InviteDecision> = async () => ({ action: 'reject', status: 404, reason: 'Not Found' }), options: Partial<SipEndpointOptions> = {}): Harness {
  const transport = new FakeTransport();
  const admitted: Harness['admitted'] = [];
  const warnings: Harness['warnings'] = [];
  const admission: InviteAdmission = {
    admit(invite, source) {
      admitted.push({ source, uri: invite.uri });
      return decide();
    },
  };
  const quiet = () => {};
  const logger = { debug: quiet, info: quiet, error: quiet, warn: (fields: object, message: string) => warnings.push({ fields: fields as Record<string, unknown>, message }) };
  const endpoint = new SipEndpoint({ transport, admission, logger, ...options });
  return { transport, endpoint, admitted, warnings, send: (bytes, from = PEER) => transport.handler(Buffer.from(bytes), from) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('SIP endpoint', () => {
  it('answers OPTIONS with 200, Allow and Accept: application/sdp, to the source', () => {
    const h = harness();
    h.send(request('OPTIONS'));
    const [response] = h.transport.responses();
    assert.equal(response.status, 200);
    assert.deepEqual(getHeaders(response, 'Allow'), ['INVITE', 'ACK', 'CANCEL', 'OPTIONS', 'BYE']);
    assert.equal(getHeader(response, 'Accept'), 'application/sdp');
    assert.ok(getTo(response).ok && (getTo(response) as any).value.tag, 'a final response carries a To tag');
    assert.deepEqual(h.transport.sent[0].to, PEER, 'the transport gets exactly host and port');
  });

  it('unknown methods get 501, recognised unsupported ones 405 with Allow (RFC 3261 §8.2.1)', () => {
    const h = harness();
    h.send(request('FROBNICATE'));
    h.send(request('REGISTER'));
    h.send(request('SUBSCRIBE', { toTag: 'x' }));
    const [unknown, register, subscribe] = h.transport.responses();
    assert.equal(unknown.status, 501);
    assert.equal(register.status, 405);
    assert.ok(getHeaders(register, 'Allow').includes('OPTIONS'));
    assert.equal(subscribe.status, 405, 'method inspection comes before dialog matching');
  });

  it('in-dialog requests for dialogs we do not have get 481, as does an out-of-dialog BYE', () => {
    const h = harness();
    h.send(request('BYE', { toTag: 'gone' }));
    h.send(request('INVITE', { toTag: 'gone' }));
    h.send(request('OPTIONS', { toTag: 'gone' }));
    h.send(request('BYE'));
    assert.deepEqual(h.transport.responses().map((r) => r.status), [481, 481, 481, 481]);
    assert.equal(h.admitted.length, 0, 'a re-INVITE is not a new call');
  });

  it('a request with a header that does not parse is a 400; one the transaction layer cannot match is dropped', () => {
    const h = harness();
    h.send(request('OPTIONS', { contact: '<sip:caller@192.0.2.10:5070' }));
    assert.deepEqual(h.transport.responses().map((r) => r.status), [400]);
    h.send(request('OPTIONS', { cseqMethod: 'INVITE' }));
    assert.equal(h.transport.sent.length, 1);
    assert.ok(h.warnings.some((w) => w.message === 'sip message dropped'));
  });

  it('hands a new INVITE to admission with its source and answers its decision; retransmissions are absorbed', async () => {
    const h = harness(async () => ({ action: 'reject', status: 480, reason: 'Temporarily Unavailable', headers: [{ name: 'Warning', value: '399 habla "x"' }] }));
    const invite = request('INVITE', { branch: 'z9hG4bK-invite-1' });
    h.send(invite);
    h.send(invite);
    await settle();
    assert.deepEqual(h.admitted, [{ source: { transport: 'UDP', ...PEER }, uri: 'sip:+34912345678@127.0.0.1' }]);
    const finals = h.transport.responses().filter((r) => r.status >= 200);
    assert.equal(finals.length, 1);
    assert.equal(finals[0].status, 480);
    assert.equal(getHeader(finals[0], 'Warning'), '399 habla "x"');
    h.send(invite);
    assert.equal(h.transport.responses().at(-1)!.status, 480, 'a retransmission after the final gets the final again');
    assert.equal(h.admitted.length, 1);
    await h.endpoint.close();
  });

  it('an admission that fails answers 500 instead of leaving the caller ringing', async () => {
    const h = harness(async () => {
      throw new Error('database down');
    });
    h.send(request('INVITE'));
    await settle();
    assert.equal(h.transport.responses().at(-1)!.status, 500);
    await h.endpoint.close();
  });

  it('CANCEL of a pending INVITE gets 200 and the INVITE 487; the late decision sends nothing more', async () => {
    let release!: (d: InviteDecision) => void;
    const h = harness(() => new Promise((resolve) => (release = resolve)));
    h.send(request('INVITE', { branch: 'z9hG4bK-c1' }));
    h.send(request('CANCEL', { branch: 'z9hG4bK-c1' }));
    await settle();
    release({ action: 'reject', status: 404, reason: 'Not Found' });
    await settle();
    const statuses = h.transport.responses().map((r) => `${r.status} ${getHeader(r, 'CSeq')}`);
    assert.deepEqual(statuses, ['200 1 CANCEL', '487 1 INVITE']);
    assert.equal(h.warnings.length, 0, 'the late decision is expected, not a warning');
    await h.endpoint.close();
  });

  it('a source that collects suspicious rejections is dropped unanswered, other sources are not', async () => {
    const h = harness(async () => ({ action: 'reject', status: 404, reason: 'Not Found', suspicious: true }), {
      rejectLimit: { capacity: 2, refillPerSecond: 0 },
    });
    for (let i = 0; i < 4; i++) {
      h.send(request('INVITE'));
      await settle();
    }
    assert.equal(h.admitted.length, 2);
    assert.equal(h.transport.responses().filter((r) => r.status === 404).length, 2);
    h.send(request('OPTIONS'));
    assert.equal(h.transport.responses().filter((r) => r.status === 200).length, 0, 'the flooding source is ignored');
    h.send(request('OPTIONS'), { host: '192.0.2.99', port: 5060 });
    assert.equal(h.transport.responses().filter((r) => r.status === 200).length, 1);
    assert.ok(h.warnings.some((w) => w.fields.reason === 'rate_limited'));
    // A dialog the endpoint holds for that source still gets its in-dialog requests.
    const seen: string[] = [];
    h.endpoint.addDialog('call-live', 'ours', { onRequest: (_tx, r) => seen.push(r.method), onAck: () => {} });
    h.send(Buffer.from(
      'BYE sip:+34912345678@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bK-live-bye\r\n' +
        'From: <sip:caller@192.0.2.10>;tag=f1\r\nTo: <sip:+34912345678@127.0.0.1>;tag=ours\r\nCall-ID: call-live\r\n' +
        'CSeq: 2 BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n',
    ));
    assert.deepEqual(seen, ['BYE'], 'in-dialog requests bypass the source limit');
    await h.endpoint.close();
  });

  it('malformed datagrams are dropped with a rate-limited log line and never throw', () => {
    let now = 0;
    const h = harness(undefined, { clock: () => now });
    const garbage = [Buffer.from([0xff, 0x00, 0x13]), Buffer.from('INVITE sip:x SIP/2.0\r\n'), Buffer.from('SIP/2.0 200\r\n\r\n'), Buffer.alloc(70_000, 0x41), Buffer.alloc(0)];
    for (let i = 0; i < 200; i++) h.send(garbage[i % garbage.length]);
    now = 5_000;
    h.send(garbage[0]);
    assert.equal(h.transport.sent.length, 0);
    const lines = h.warnings.filter((w) => w.message === 'sip message dropped');
    assert.ok(lines.length >= 1 && lines.length <= 4, `${lines.length} lines for 201 drops`);
    assert.ok(lines.some((w) => Number(w.fields.suppressed) > 100), 'the later line counts what it left out');
    h.send(request('OPTIONS'));
    assert.equal(h.transport.responses()[0].status, 200, 'still serving after the flood');
  });

  it('CRLF keep-alives are ignored silently', () => {
    const h = harness();
    h.send('\r\n\r\n');
    assert.equal(h.transport.sent.length, 0);
    assert.equal(h.warnings.length, 0);
  });

  it('sends 100 Trying for an INVITE the admission has not answered within 200 ms', async () => {
    const h = harness(() => new Promise(() => {}), { timers: { tryingDelay: 5 } });
    h.send(request('INVITE'));
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.deepEqual(h.transport.responses().map((r) => r.status), [100]);
    await h.endpoint.close();
    assert.equal(h.transport.closed, true);
    h.send(request('OPTIONS'));
    assert.equal(h.transport.sent.length, 1, 'nothing is answered after close');
  });
});

class FakeStream implements StreamTransport {
  sent: { bytes: Buffer; to: DatagramAddress }[] = [];
  retained: string[] = [];
  refuse = false;
  handler: StreamMessageHandler = () => {};
  send(bytes: Uint8Array, to: DatagramAddress, onFailure?: (error: Error) => void): void {
    if (this.refuse) return void setImmediate(() => onFailure?.(new Error('ECONNREFUSED')));
    this.sent.push({ bytes: Buffer.from(bytes), to });
  }
  onMessage(handler: StreamMessageHandler): void {
    this.handler = handler;
  }
  onDrop(): void {}
  hasConnection(): boolean {
    return false;
  }
  retain(to: DatagramAddress): void {
    this.retained.push(`${to.host}:${to.port}`);
  }
  release(to: DatagramAddress): void {
    this.retained.splice(this.retained.indexOf(`${to.host}:${to.port}`), 1);
  }
  address(): DatagramAddress {
    return { host: '127.0.0.1', port: 5060 };
  }
  async close(): Promise<void> {}
}

describe('SIP endpoint over TCP', () => {
  const tcpRequest = (method: string) => Buffer.from(request(method).toString().replace('SIP/2.0/UDP', 'SIP/2.0/TCP'));

  it('answers a request that came over TCP on TCP, to the connection it came from', () => {
    const stream = new FakeStream();
    const h = harness(undefined, { stream });
    stream.handler(tcpRequest('OPTIONS'), { host: '192.0.2.10', port: 40123 });
    assert.equal(h.transport.sent.length, 0, 'nothing on UDP');
    assert.equal(stream.sent.length, 1);
    assert.deepEqual(stream.sent[0].to, { host: '192.0.2.10', port: 40123 }, 'the connection, not the Via port');
    assert.match(stream.sent[0].bytes.toString(), /^SIP\/2\.0 200 OK/);
  });

  it('fails a client transaction at once when its TCP connection cannot be made', async () => {
    const stream = new FakeStream();
    stream.refuse = true;
    const h = harness(undefined, { stream });
    const parsed = parseMessage(tcpRequest('OPTIONS'));
    assert.ok(parsed.ok && parsed.value.kind === 'request');
    const failures: string[] = [];
    h.endpoint.sendRequest(parsed.value, { host: '192.0.2.20', port: 5060, transport: 'TCP' }, { onResponse: () => {}, onFailure: (reason) => failures.push(reason) });
    await settle();
    await settle();
    assert.deepEqual(failures, ['transport_error']);
  });

  it('keeps a TCP dialog\'s connection retained until the dialog is removed', () => {
    const stream = new FakeStream();
    const h = harness(undefined, { stream });
    const handler = { onRequest: () => {}, onAck: () => {} };
    h.endpoint.addDialog('call-1', 'tag-1', handler, { host: '192.0.2.10', port: 40123, transport: 'TCP' });
    h.endpoint.addDialog('call-2', 'tag-2', handler, { host: '192.0.2.10', port: 5060, transport: 'UDP' });
    assert.deepEqual(stream.retained, ['192.0.2.10:40123']);
    h.endpoint.removeDialog('call-1', 'tag-1');
    h.endpoint.removeDialog('call-2', 'tag-2');
    assert.deepEqual(stream.retained, []);
  });
});
