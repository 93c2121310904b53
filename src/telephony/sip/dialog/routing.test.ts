/** A carrier with two Record-Routing proxies, in both directions, and a legacy strict router. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHeaders } from '../message.ts';
import { createUacDialog, createUasDialog } from './create-dialog.ts';
import { confirmDialog } from './dialog.ts';
import { carrier200, carrierInvite, HABLA_SDP, strictRouterInvite } from './fixtures/calls.ts';
import { header, onWire, request, response, value, via } from './fixtures/helpers.ts';
import { requestTarget } from './headers.ts';
import { buildAck, buildBye } from './in-dialog-request.ts';
import { buildDialogResponse } from './uas-responses.ts';
import { buildInvite } from './uac-requests.ts';

const CONTACT = 'sip:habla@203.0.113.10:5060';

describe('route sets', () => {
  it('outbound: the UAC reverses Record-Route, sends BYE and ACK loose-routed through sbc-a then core', () => {
    const invite = onWire(value(buildInvite({
      requestUri: 'sip:+34600111222@trunk.carrier.net', from: { uri: 'sip:+34911234567@habla.example.com' }, fromTag: 'hb9',
      to: { uri: 'sip:+34600111222@trunk.carrier.net' }, callId: 'out-9@203.0.113.10', via: via('z9hG4bKo9'),
      contact: CONTACT, sdp: HABLA_SDP,
    })));
    const dialog = value(createUacDialog(invite, response(carrier200(invite))));
    assert.deepEqual(dialog.routeSet, ['sip:198.51.100.20;lr;r2=on;ftag=hb9', 'sip:core.carrier.net;lr;r2=on;ftag=hb9']);
    assert.equal(dialog.remoteTarget, 'sip:+34600111222@10.20.30.40:5060');
    for (const msg of [value(buildAck(dialog, { via: via('z9hG4bKa9') })), value(buildBye(dialog, { via: via('z9hG4bKb9') })).request]) {
      const sent = onWire(msg);
      assert.equal(sent.uri, 'sip:+34600111222@10.20.30.40:5060');
      assert.deepEqual(getHeaders(sent, 'Route'), ['<sip:198.51.100.20;lr;r2=on;ftag=hb9>', '<sip:core.carrier.net;lr;r2=on;ftag=hb9>']);
    }
  });

  it('inbound: the UAS keeps Record-Route order, copies it into its 180/200, routes its BYE through edge then sbc-b', () => {
    const invite = request(carrierInvite);
    const early = value(createUasDialog(invite, { localTag: 'in1', localContact: CONTACT }));
    assert.deepEqual(early.routeSet, ['sip:edge.carrier.net;lr;did=4f1.c2', 'sip:sbc-b.carrier.net;transport=udp;lr']);
    for (const status of [180, 200]) {
      const r = onWire(buildDialogResponse(invite, early, status));
      assert.deepEqual(getHeaders(r, 'Record-Route'), getHeaders(invite, 'Record-Route'));
      assert.deepEqual(getHeaders(r, 'Via'), getHeaders(invite, 'Via'));
    }
    assert.deepEqual(getHeaders(buildDialogResponse(invite, early, 486), 'Record-Route'), []);
    const bye = onWire(value(buildBye(confirmDialog(early), { via: via('z9hG4bKib') })).request);
    assert.equal(bye.uri, 'sip:+34600111222@10.99.0.7:5060;transport=udp');
    assert.deepEqual(getHeaders(bye, 'Route'), ['<sip:edge.carrier.net;lr;did=4f1.c2>', '<sip:sbc-b.carrier.net;transport=udp;lr>']);
    assert.equal(header(bye, 'To'), '"+34600111222" <sip:+34600111222@carrier.net;user=phone>;tag=fr0m-c4rr13r');
  });

  it('a strict first hop takes the Request-URI and the remote target goes last in Route (§12.2.1.1)', () => {
    const dialog = confirmDialog(value(createUasDialog(request(strictRouterInvite), { localTag: 's1', localContact: CONTACT })));
    const bye = onWire(value(buildBye(dialog, { via: via('z9hG4bKs1') })).request);
    assert.equal(bye.uri, 'sip:legacy.carrier.net;maddr=10.99.0.1');
    assert.deepEqual(getHeaders(bye, 'Route'), ['<sip:sbc-b.carrier.net;lr>', '<sip:+34600111222@10.99.0.7:5060>']);
  });

  it('parameters a Request-URI may not carry are stripped from it, but not from Route', () => {
    const target = value(requestTarget('sip:bob@10.0.0.1;method=INVITE?Subject=hi', []));
    assert.equal(target.uri, 'sip:bob@10.0.0.1');
    const strict = value(requestTarget('sip:bob@10.0.0.1', ['sip:old.example.net;method=BYE', 'sip:p2.example.net;lr']));
    assert.deepEqual(strict, { uri: 'sip:old.example.net', routes: ['sip:p2.example.net;lr', 'sip:bob@10.0.0.1'] });
  });

  it('sips over TLS marks the dialog secure; sips over UDP does not', () => {
    const tls = strictRouterInvite.toString()
      .replace('INVITE sip:+34910000000', 'INVITE sips:+34910000000')
      .replace('SIP/2.0/UDP legacy', 'SIP/2.0/TLS legacy')
      .replace('Contact: <sip:', 'Contact: <sips:');
    assert.equal(value(createUasDialog(request(Buffer.from(tls)), { localTag: 't', localContact: CONTACT })).secure, true);
    const udp = tls.replace('SIP/2.0/TLS legacy', 'SIP/2.0/UDP legacy');
    assert.equal(value(createUasDialog(request(Buffer.from(udp)), { localTag: 't', localContact: CONTACT })).secure, false);
  });
});
