import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDtmfRelay } from './dtmf-relay.ts';
import { parseTrunk } from './peer-address.ts';

describe('SIP INFO DTMF bodies', () => {
  it('reads the dtmf-relay Signal line and bare application/dtmf digits', () => {
    assert.equal(parseDtmfRelay('Signal=5\r\nDuration=160\r\n'), '5');
    assert.equal(parseDtmfRelay('Signal= #\r\nDuration=100'), '#');
    assert.equal(parseDtmfRelay('signal=10'), '*');
    assert.equal(parseDtmfRelay('Signal=11'), '#');
    assert.equal(parseDtmfRelay('d'), 'D');
    assert.equal(parseDtmfRelay('7\r\n'), '7');
  });

  it('ignores anything that is not one DTMF key', () => {
    for (const body of ['', 'Signal=12', 'Signal=55', 'Duration=160', 'hello', 'Signal=5; rm -rf']) {
      assert.equal(parseDtmfRelay(body), undefined, JSON.stringify(body));
    }
  });
});

describe('trunk addresses (termination_uri)', () => {
  it('takes host, host:port, IPv6 and sip: URIs', () => {
    const udp = 'UDP';
    assert.deepEqual(parseTrunk('sip.example.com'), { host: 'sip.example.com', port: 5060, uriHost: 'sip.example.com', transport: udp });
    assert.deepEqual(parseTrunk(' 192.0.2.1:5080 '), { host: '192.0.2.1', port: 5080, uriHost: '192.0.2.1:5080', transport: udp });
    assert.deepEqual(parseTrunk('[2001:db8::1]:5062'), { host: '2001:db8::1', port: 5062, uriHost: '[2001:db8::1]:5062', transport: udp });
    assert.deepEqual(parseTrunk('sip:trunk.example.com:5070;transport=udp'), { host: 'trunk.example.com', port: 5070, uriHost: 'trunk.example.com:5070', transport: udp });
  });

  it('reads ;transport=tcp after a host:port or a sip: URI', () => {
    assert.deepEqual(parseTrunk('trunk.example.com:5060;transport=tcp'), { host: 'trunk.example.com', port: 5060, uriHost: 'trunk.example.com:5060', transport: 'TCP' });
    assert.deepEqual(parseTrunk('sip:192.0.2.1;lr;transport=TCP'), { host: '192.0.2.1', port: 5060, uriHost: '192.0.2.1', transport: 'TCP' });
    // A caller's Contact is read the same way (our BYE's fallback target over TCP).
    assert.deepEqual(parseTrunk('sip:caller@[2001:db8::7]:5070;transport=tcp'), { host: '2001:db8::7', port: 5070, uriHost: '[2001:db8::7]:5070', transport: 'TCP' });
  });

  it('refuses what is not an address, or a transport we do not speak', () => {
    for (const bad of ['', ':5060', 'sip:', 'host:99999', 'a b', 'host;transport=tls', 'host;transport=sctp']) assert.equal(parseTrunk(bad), undefined, bad);
  });
});
