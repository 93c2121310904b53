import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSpanishNumber, normalizePhoneNumber, normalizeSipUserIdentifier } from './phone-number.ts';

describe('normalizePhoneNumber', () => {
  it('reads the written forms of a Spanish number as the same E.164 number', () => {
    for (const written of ['+34612345678', '34612345678', '0034612345678', '612345678', '+34 612 34 56 78', '612-34-56-78', '(+34) 612.345.678']) {
      assert.equal(normalizePhoneNumber(written), '+34612345678', written);
    }
    assert.equal(normalizePhoneNumber(' 912345678 '), '+34912345678');
  });

  it('keeps other countries when they are written with + or 00', () => {
    assert.equal(normalizePhoneNumber('+1 415 555 2671'), '+14155552671');
    assert.equal(normalizePhoneNumber('0044 7911 123456'), '+447911123456');
  });

  it('rejects what is not a valid number', () => {
    for (const bad of ['', '   ', '+34123', '+1415555267', '+999123', '+34612345678x', 'abc', '+34 612 345 678 ext 2',
      '++34612345678', '+3461234567890123', '1'.repeat(40), 'user@example.com']) {
      assert.equal(normalizePhoneNumber(bad), undefined, bad);
    }
  });

  it('tells Spanish numbers apart', () => {
    assert.equal(isSpanishNumber('+34612345678'), true);
    assert.equal(isSpanishNumber('+14155552671'), false);
    assert.equal(isSpanishNumber('612345678'), false);
  });
});

describe('normalizeSipUserIdentifier', () => {
  it('accepts user@domain and lower-cases the domain only', () => {
    assert.equal(normalizeSipUserIdentifier('Alice@PBX.Example.com'), 'Alice@pbx.example.com');
    assert.equal(normalizeSipUserIdentifier('1001@10.0.0.5'), '1001@10.0.0.5');
  });

  it('rejects schemes, spaces and missing parts', () => {
    for (const bad of ['sip:alice@example.com', 'alice@', '@example.com', 'alice example@x.com', 'alice', 'a@b@c', 'alice@-bad.com']) {
      assert.equal(normalizeSipUserIdentifier(bad), undefined, bad);
    }
  });
});
