import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getTopVia } from '../accessors.ts';
import { getHeader, getHeaders, type SipRequest, type SipResponse } from '../message.ts';
import type { ManagerEvent } from './events.ts';
import { TransactionManager } from './manager.ts';
import { Driver, UDP_PEER, isRequest, parse, request, response, statusOf } from './test-support.ts';

function setup(options: ConstructorParameters<typeof TransactionManager>[0] = {}) {
  let n = 0;
  const manager = new TransactionManager({ generateBranch: () => `z9hG4bKtest${++n}`, generateTag: () => 'newtag', ...options });
  const driver = new Driver((timer, now, tx) => manager.onTimer(tx!, timer, now));
  return { manager, driver };
}

function withoutBranch(req: SipRequest): SipRequest {
  return { ...req, headers: req.headers.map((h) => (h.name === 'Via' ? { ...h, value: 'SIP/2.0/UDP pc33.atlanta.com' } : h)) };
}

const byType = <T extends ManagerEvent['type']>(events: readonly ManagerEvent[], type: T) =>
  events.filter((e): e is Extract<ManagerEvent, { type: T }> => e.type === type);

const SOURCE = { transport: 'UDP', host: '192.0.2.4', port: 5060 };

describe('transaction manager: client side', () => {
  it('adds a branch, tags actions with the transaction id, routes responses and forgets ended transactions', () => {
    const { manager, driver } = setup();
    const sent = manager.send(withoutBranch(request()), UDP_PEER, 0);
    assert.ok(sent.ok);
    const { id, request: invite, events } = sent.value;
    const via = getTopVia(invite);
    assert.ok(via.ok);
    assert.equal(via.value.branch, 'z9hG4bKtest1');
    assert.equal(id, 'z9hG4bKtest1 INVITE');
    assert.ok(events.every((e) => 'tx' in e && e.tx === id));
    driver.apply(events);
    driver.apply(manager.receive(response(invite, 486, 'Busy Here'), SOURCE, 100));
    assert.ok(isRequest(driver.sent.at(-1)!.message, 'ACK'));
    assert.equal(manager.size, 1);
    driver.advance(40_000);
    assert.deepEqual(driver.terminated.map((t) => [t.tx, t.reason]), [[id, 'completed']]);
    assert.equal(manager.size, 0);
    assert.equal(manager.get(id), undefined);
    const late = manager.receive(response(invite, 486, 'Busy Here'), SOURCE, 40_001);
    assert.deepEqual(late.map((e) => e.type === 'dropped' && e.reason), ['no_transaction']);
  });

  it('refuses to open a transaction for ACK, a duplicate, or a request without a usable Via', () => {
    const { manager } = setup();
    assert.deepEqual(manager.send(request({ method: 'ACK' }), UDP_PEER, 0), { ok: false, error: 'ack_has_no_transaction' });
    assert.ok(manager.send(request(), UDP_PEER, 0).ok);
    assert.deepEqual(manager.send(request(), UDP_PEER, 0), { ok: false, error: 'duplicate_transaction' });
    const noVia = { ...request(), headers: request().headers.filter((h) => h.name !== 'Via') };
    assert.deepEqual(manager.send(noVia, UDP_PEER, 0), { ok: false, error: 'malformed' });
  });

  it('keeps an INVITE and its CANCEL apart by CSeq method although they share the branch (§17.1.3)', () => {
    const { manager, driver } = setup();
    const sent = manager.send(request(), UDP_PEER, 0);
    assert.ok(sent.ok);
    const inviteId = sent.value.id;
    driver.apply(sent.value.events);
    // TU cancels before any 1xx: the CANCEL must wait (§9.1).
    const early = manager.cancel(inviteId, 100);
    assert.deepEqual(early, { ok: true, value: [] });
    const invite = sent.value.request;
    driver.apply(manager.receive(response(invite, 180, 'Ringing'), SOURCE, 300));
    const cancel = driver.sent.at(-1)!;
    assert.ok(isRequest(cancel.message, 'CANCEL'));
    assert.equal(cancel.tx, 'z9hG4bKnashds8 CANCEL');
    assert.equal(cancel.message.uri, invite.uri);
    assert.deepEqual(getHeaders(cancel.message, 'Via'), getHeaders(invite, 'Via'));
    for (const name of ['From', 'To', 'Call-ID', 'Route']) assert.deepEqual(getHeaders(cancel.message, name), getHeaders(invite, name), name);
    assert.equal(getHeader(cancel.message, 'CSeq'), '314159 CANCEL');
    assert.ok(driver.armed().includes('cancel'));

    const cancelOk = response(cancel.message as SipRequest, 200, 'OK');
    driver.apply(manager.receive(cancelOk, SOURCE, 400));
    driver.apply(manager.receive(response(invite, 487, 'Request Terminated'), SOURCE, 450));
    assert.deepEqual(driver.delivered.map(statusOf), [180, 200, 487]);
    assert.equal(getHeader(driver.sent.at(-1)!.message, 'CSeq'), '314159 ACK');
    assert.deepEqual(manager.cancel(inviteId, 500), { ok: false, error: 'too_late' });
    assert.deepEqual(manager.cancel('nope', 500), { ok: false, error: 'no_transaction' });
    driver.advance(40_000);
    assert.equal(manager.size, 0);
  });

  it('drops hostile responses with a reason, never throwing', () => {
    const { manager } = setup();
    const sent = manager.send(request(), UDP_PEER, 0);
    assert.ok(sent.ok);
    const invite = sent.value.request;
    const ok = response(invite, 200, 'OK');
    const cases: [SipResponse, string][] = [
      [response(request({ branch: 'z9hG4bKunknown' }), 200, 'OK'), 'no_transaction'],
      [{ ...ok, headers: ok.headers.filter((h) => h.name !== 'Via') }, 'malformed'],
      [{ ...ok, headers: ok.headers.map((h) => (h.name === 'CSeq' ? { ...h, value: '314159 BYE' } : h)) }, 'no_transaction'],
      [{ ...ok, headers: ok.headers.map((h) => (h.name === 'CSeq' ? { ...h, value: 'x' } : h)) }, 'malformed'],
      [{ ...ok, headers: ok.headers.map((h) => (h.name === 'Via' ? { ...h, value: 'SIP/2.0/UDP host' } : h)) }, 'malformed'],
      [{ ...ok, headers: [{ name: 'Via', value: 'SIP/2.0/UDP proxy.example.com;branch=z9hG4bKnashds8' }, ...ok.headers] }, 'multiple_via'],
    ];
    for (const [bad, reason] of cases) {
      const events = manager.receive(bad, SOURCE, 10);
      assert.deepEqual(events.map((e) => e.type === 'dropped' && e.reason), [reason]);
    }
    // A CSeq number that does not match reaches the transaction, which drops it silently.
    const wrongSeq = { ...ok, headers: ok.headers.map((h) => (h.name === 'CSeq' ? { ...h, value: '1 INVITE' } : h)) };
    assert.deepEqual(manager.receive(wrongSeq, SOURCE, 10), []);
    assert.equal(manager.get(sent.value.id)?.state, 'calling');
  });
});

describe('transaction manager: server side', () => {
  it('creates a server transaction per new request, stamps received/rport, answers where rport says', () => {
    const { manager, driver } = setup();
    const natted = request({ extraHeaders: '', sentBy: '10.0.0.5:5060;rport' });
    const source = { transport: 'UDP', host: '203.0.113.9', port: 40123 };
    const events = manager.receive(natted, source, 0);
    driver.apply(events);
    const delivered = driver.delivered[0] as SipRequest;
    assert.equal(getHeaders(delivered, 'Via')[0], 'SIP/2.0/UDP 10.0.0.5:5060;rport=40123;branch=z9hG4bKnashds8;received=203.0.113.9');
    const id = byType(events, 'deliver')[0].tx;
    assert.equal(id, 'z9hG4bKnashds8 10.0.0.5:5060 INVITE');
    driver.advance(200);
    const trying = driver.sent[0];
    assert.deepEqual(trying.to, source);
    assert.match(getHeader(trying.message, 'Via')!, /received=203\.0\.113\.9/);
    // The retransmission is absorbed into the same transaction.
    driver.apply(manager.receive(natted, source, 500));
    assert.equal(driver.delivered.length, 1);
    assert.equal(manager.size, 1);
    // Without rport a UDP response goes to the source address on the sent-by port (§18.2.2).
    const plain = manager.receive(request({ branch: 'z9hG4bKplain', sentBy: 'pc33.atlanta.com:5070' }), source, 0);
    driver.apply(plain).advance(200);
    assert.deepEqual(driver.sent.at(-1)!.to, { transport: 'UDP', host: '203.0.113.9', port: 5070 });
  });

  it('the same branch from two sent-by addresses is two transactions (§17.2.3)', () => {
    const { manager } = setup();
    manager.receive(request({ sentBy: 'a.example.com' }), SOURCE, 0);
    manager.receive(request({ sentBy: 'b.example.com' }), SOURCE, 0);
    manager.receive(request({ sentBy: 'a.example.com:5060' }), SOURCE, 0); // default port: same as the first
    assert.equal(manager.size, 2);
  });

  it('an ACK for a non-2xx is absorbed by the INVITE transaction; the ACK for a 2xx is stray (the dialog\'s)', () => {
    const { manager, driver } = setup();
    const events = manager.receive(request(), SOURCE, 0);
    const id = byType(events, 'deliver')[0].tx;
    driver.apply(events).apply(manager.respond(id, response(request(), 486, 'Busy Here'), 0));
    driver.apply(manager.receive(request({ method: 'ACK' }), SOURCE, 100));
    assert.equal(manager.get(id)?.state, 'confirmed');
    const stray = manager.receive(request({ method: 'ACK', branch: 'z9hG4bK2xxack' }), SOURCE, 100);
    assert.deepEqual(stray.map((e) => e.type), ['stray']);
    assert.deepEqual(manager.respond('unknown', response(request(), 200, 'OK'), 0).map((e) => e.type === 'dropped' && e.reason), ['no_transaction']);
  });

  it('CANCEL: 200 and 487 carry the To tag of the 180 already sent, then the ACK confirms (§9.2)', () => {
    const { manager, driver } = setup();
    const invite = request();
    const inviteId = byType(manager.receive(invite, SOURCE, 0), 'deliver')[0].tx;
    driver.apply(manager.respond(inviteId, response(invite, 180, 'Ringing', 'ring1'), 10));
    const cancelReq = request({ method: 'CANCEL' });
    const events = manager.receive(cancelReq, SOURCE, 1_000);
    assert.deepEqual(events.map((e) => e.type === 'cancel' && [e.tx, e.target, e.message.method]), [['z9hG4bKnashds8 pc33.atlanta.com:5060 CANCEL', inviteId, 'CANCEL']]);
    const answer = manager.answerCancel(byType(events, 'cancel')[0].tx, 1_000);
    assert.equal(answer.cancelled, true);
    driver.apply(answer.events);
    const [ok, terminated] = driver.sent.slice(-2).map((s) => s.message as SipResponse);
    assert.deepEqual([ok.status, getHeader(ok, 'CSeq'), terminated.status, getHeader(terminated, 'CSeq')], [200, '314159 CANCEL', 487, '314159 INVITE']);
    assert.match(getHeader(ok, 'To')!, /;tag=ring1$/);
    assert.match(getHeader(terminated, 'To')!, /;tag=ring1$/);
    driver.apply(manager.receive(cancelReq, SOURCE, 1_100)); // retransmitted CANCEL: the 200 again
    assert.equal(statusOf(driver.sent.at(-1)!.message), 200);
    driver.apply(manager.receive(request({ method: 'ACK' }), SOURCE, 1_200));
    assert.equal(manager.get(inviteId)?.state, 'confirmed');
    driver.advance(60_000);
    assert.equal(manager.size, 0);
  });

  it('CANCEL without a live INVITE gets 481; after the final response it gets 200 and cancels nothing', () => {
    const { manager, driver } = setup();
    const orphan = manager.receive(request({ method: 'CANCEL', branch: 'z9hG4bKorphan' }), SOURCE, 0);
    assert.equal('target' in orphan[0], false);
    const a = manager.answerCancel(byType(orphan, 'cancel')[0].tx, 0);
    driver.apply(a.events);
    assert.deepEqual([a.cancelled, statusOf(driver.sent.at(-1)!.message)], [false, 481]);
    assert.match(getHeader(driver.sent.at(-1)!.message, 'To')!, /tag=newtag/);

    const inviteId = byType(manager.receive(request(), SOURCE, 0), 'deliver')[0].tx;
    driver.apply(manager.respond(inviteId, response(request(), 200, 'OK'), 5));
    const late = manager.receive(request({ method: 'CANCEL' }), SOURCE, 10);
    const b = manager.answerCancel(byType(late, 'cancel')[0].tx, 10);
    driver.apply(b.events);
    assert.deepEqual([b.cancelled, statusOf(driver.sent.at(-1)!.message)], [false, 200]);
    assert.equal(manager.get(inviteId)?.state, 'accepted');
    assert.deepEqual(manager.answerCancel(inviteId, 10), { cancelled: false, events: [] }, 'not a CANCEL transaction');
  });

  it('drops requests without a usable Via or CSeq, and sheds load beyond maxTransactions', () => {
    const { manager } = setup({ maxTransactions: 2 });
    const noBranch = withoutBranch(request({ method: 'OPTIONS' }));
    const badCseq = { ...request(), headers: request().headers.map((h) => (h.name === 'CSeq' ? { ...h, value: '1 BYE' } : h)) };
    for (const bad of [noBranch, badCseq, { ...request(), headers: [] }]) {
      assert.deepEqual(manager.receive(bad, SOURCE, 0).map((e) => e.type === 'dropped' && e.reason), ['malformed']);
    }
    manager.receive(request({ branch: 'z9hG4bK1' }), SOURCE, 0);
    manager.receive(request({ branch: 'z9hG4bK2', method: 'OPTIONS' }), SOURCE, 0);
    const shed = manager.receive(request({ branch: 'z9hG4bK3' }), SOURCE, 0);
    assert.deepEqual(shed.map((e) => e.type === 'dropped' && e.reason), ['overloaded']);
    assert.equal(manager.size, 2);
  });

  it('stale timers and transport errors for unknown transactions are no-ops', () => {
    const { manager } = setup();
    assert.deepEqual(manager.onTimer('gone', 'A', 0), []);
    assert.deepEqual(manager.transportError('gone'), []);
    const parsed = parse('OPTIONS sip:x@y SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bKo\nCSeq: 1 OPTIONS\n\n');
    assert.equal(manager.receive(parsed, SOURCE, 0)[0].type, 'deliver');
  });
});
