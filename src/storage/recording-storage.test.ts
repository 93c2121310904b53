import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { isValidRecordingKey, LocalRecordingStorage, recordingKeyFor } from './recording-storage.ts';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('local recording storage', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'habla-storage-test-'));
  after(() => fs.rmSync(root, { recursive: true, force: true }));
  const storage = new LocalRecordingStorage(root);

  it('stores, streams, reports and deletes a recording by key', async () => {
    const key = recordingKeyFor('project-a', 'call-1');
    assert.equal(key, 'project-a/call-1.wav');
    assert.equal(await storage.exists(key), false);
    assert.equal(await storage.get(key), undefined);
    await storage.put(key, Buffer.from('RIFF-audio'));
    assert.equal(await storage.exists(key), true);
    const stored = (await storage.get(key))!;
    assert.equal(stored.size, 10);
    assert.deepEqual(await readAll(stored.body), Buffer.from('RIFF-audio'));
    assert.ok(fs.existsSync(path.join(root, 'project-a', 'call-1.wav')), 'one folder per project under the root');
    await storage.delete(key);
    await storage.delete(key);
    assert.equal(await storage.exists(key), false);
  });

  it('writes streams whole and leaves no temporary files behind', async () => {
    const key = 'project-a/call-2.wav';
    await storage.put(key, Readable.from([Buffer.from('one '), Buffer.from('two')]));
    assert.deepEqual(await readAll((await storage.get(key))!.body), Buffer.from('one two'));
    await storage.put(key, Buffer.from('replaced'));
    assert.deepEqual(await readAll((await storage.get(key))!.body), Buffer.from('replaced'));
    assert.deepEqual(fs.readdirSync(path.join(root, 'project-a')).filter((f) => f.endsWith('.tmp')), []);
  });

  it('removes the partial file when the source stream fails', async () => {
    const failing = new Readable({ read() { this.destroy(new Error('source broke')); } });
    await assert.rejects(storage.put('project-b/broken.wav', failing), /source broke/);
    assert.equal(await storage.exists('project-b/broken.wav'), false);
    assert.deepEqual(fs.readdirSync(path.join(root, 'project-b')), []);
  });

  it('refuses keys that could escape the root', async () => {
    for (const key of ['../x.wav', '/etc/passwd', 'a/../b.wav', 'a//b.wav', 'a\\b.wav', '.hidden', 'a/.', '', 'a/b/']) {
      assert.equal(isValidRecordingKey(key), false, key);
      await assert.rejects(storage.put(key, Buffer.from('x')), /invalid recording key/, key);
      await assert.rejects(storage.exists(key), /invalid recording key/, key);
    }
    assert.ok(isValidRecordingKey('0c0e-uuid/1f2e-uuid.wav'));
  });
});
