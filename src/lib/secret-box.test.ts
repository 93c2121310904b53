import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createSecretBox, resolveSecretKey } from './secret-box.ts';

test('seals and opens a secret; the sealed text does not contain it', () => {
  const box = createSecretBox(randomBytes(32));
  const sealed = box.seal('trunk-p4ssw0rd');
  assert.ok(!sealed.includes('trunk-p4ssw0rd'));
  assert.notEqual(box.seal('trunk-p4ssw0rd'), sealed, 'a fresh IV every time');
  assert.equal(box.open(sealed), 'trunk-p4ssw0rd');
});

test('a tampered ciphertext or another key is rejected', () => {
  const box = createSecretBox(randomBytes(32));
  const sealed = box.seal('secret');
  const raw = Buffer.from(sealed.slice(3), 'base64');
  raw[raw.length - 1] ^= 1;
  assert.throws(() => box.open(`v1:${raw.toString('base64')}`));
  assert.throws(() => createSecretBox(randomBytes(32)).open(sealed));
});

test('the key is generated once into the data directory with mode 0600, then reused', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'habla-key-'));
  const first = resolveSecretKey(undefined, dir);
  assert.equal(first.length, 32);
  assert.equal(fs.statSync(path.join(dir, 'secret.key')).mode & 0o777, 0o600);
  assert.deepEqual(resolveSecretKey(undefined, dir), first);
});

test('a configured key must be 32 bytes in hex or base64', () => {
  const hex = randomBytes(32).toString('hex');
  assert.equal(resolveSecretKey(hex, '/nonexistent').toString('hex'), hex);
  assert.throws(() => resolveSecretKey('too-short', '/nonexistent'), /HABLA_SECRET_KEY/);
});
