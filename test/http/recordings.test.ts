import assert from 'node:assert/strict';
import { it } from 'node:test';
import { unzipSync } from 'fflate';
import { CallRepository, type CallRecord } from '../../src/store/repositories/calls.ts';
import { recordingKeyFor } from '../../src/storage/recording-storage.ts';
import { describeEachDatabase, type TestApi } from '../helpers/app.ts';
import { storeCall, toneWav } from './call-fixtures.ts';

const MISSING = '00000000-0000-4000-8000-000000000000';

/** Stores a WAV for the call the way the recorder will: audio in storage, key on the call. */
async function record(api: TestApi, call: CallRecord, audio: Buffer): Promise<void> {
  const key = recordingKeyFor(call.project_id, call.id);
  await api.deps.recordings.put(key, audio);
  await new CallRepository(api.store.db).setRecordingKey(call.id, key);
}

/** Follows a recording_url through the app, without any API key. */
async function download(api: TestApi, url: string) {
  const { pathname, search } = new URL(url);
  return api.app.inject({ method: 'GET', url: pathname + search });
}

describeEachDatabase('recordings API', (api) => {
  it('gives a signed link that downloads the recording without an API key', async () => {
    const call = await storeCall(api(), { status: 'completed' });
    const wav = toneWav(250);
    await record(api(), call, wav);

    const r = await api().request('GET', `/v1/recording/${call.id}`);
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body), ['recording_url']);
    const url = new URL(r.body.recording_url);
    assert.equal(url.pathname, `/recordings/${call.id}`);
    assert.ok(Number(url.searchParams.get('expires')) > Date.now() / 1000);

    const audio = await download(api(), r.body.recording_url);
    assert.equal(audio.statusCode, 200);
    assert.equal(audio.headers['content-type'], 'audio/wav');
    assert.equal(Number(audio.headers['content-length']), wav.length);
    assert.deepEqual(audio.rawPayload, wav);
    assert.equal(audio.rawPayload.subarray(0, 4).toString('ascii'), 'RIFF');
  });

  it('puts the same working link in CallResponse.recording_url', async () => {
    const call = await storeCall(api(), { status: 'completed' });
    const wav = toneWav(120, 660);
    await record(api(), call, wav);
    const got = await api().request('GET', `/v1/call/${call.id}`);
    assert.equal(typeof got.body.recording_url, 'string');
    assert.deepEqual((await download(api(), got.body.recording_url)).rawPayload, wav);
    const listed = await api().request('GET', '/v1/call/?limit=1000');
    const entry = listed.body.data.find((c: any) => c.id === call.id);
    assert.deepEqual((await download(api(), entry.recording_url)).rawPayload, wav);
  });

  it('refuses tampered, foreign and expired links with 401', async () => {
    const call = await storeCall(api(), { status: 'completed' });
    const other = await storeCall(api(), { status: 'completed' });
    await record(api(), call, toneWav());
    await record(api(), other, toneWav());
    const link = new URL((await api().request('GET', `/v1/recording/${call.id}`)).body.recording_url);
    const expires = link.searchParams.get('expires')!;
    const signature = link.searchParams.get('signature')!;

    const cases = [
      `/recordings/${other.id}?expires=${expires}&signature=${signature}`,
      `/recordings/${call.id}?expires=${Number(expires) + 86400}&signature=${signature}`,
      `/recordings/${call.id}?expires=${Math.floor(Date.now() / 1000) - 10}&signature=${signature}`,
      `/recordings/${call.id}?expires=${expires}&signature=${signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}`,
    ];
    for (const path of cases) {
      const r = await api().app.inject({ method: 'GET', url: path });
      assert.equal(r.statusCode, 401, path);
      assert.equal(JSON.parse(r.body).error_code, 'UNAUTHORIZED');
    }
    const unsigned = await api().app.inject({ method: 'GET', url: `/recordings/${call.id}` });
    assert.equal(unsigned.statusCode, 422);
    const withKeyOnly = await api().app.inject({ method: 'GET', url: `/recordings/${call.id}`, headers: { authorization: `Bearer ${api().adminKey}` } });
    assert.equal(withKeyOnly.statusCode, 422, 'an API key is no substitute for the signature');
  });

  it('stops serving a link once the call is deleted', async () => {
    const call = await storeCall(api(), { status: 'completed' });
    await record(api(), call, toneWav());
    const link = (await api().request('GET', `/v1/recording/${call.id}`)).body.recording_url;
    await api().request('POST', '/v1/call/bulk-delete', { body: { call_ids: [call.id] } });
    const r = await download(api(), link);
    assert.equal(r.statusCode, 404);
    assert.equal(JSON.parse(r.body).error_code, 'NO_RECORDINGS_FOUND');
  });

  it('answers 404 for calls without recording, unknown and foreign calls; 422 for bad ids', async () => {
    const unrecorded = await storeCall(api(), { status: 'completed' });
    const none = await api().request('GET', `/v1/recording/${unrecorded.id}`);
    assert.equal(none.status, 404);
    assert.equal(none.body.error_code, 'NO_RECORDINGS_FOUND');
    assert.equal((await api().request('GET', `/v1/call/${unrecorded.id}`)).body.recording_url, null);

    const lost = await storeCall(api(), { status: 'completed' });
    await new CallRepository(api().store.db).setRecordingKey(lost.id, recordingKeyFor(lost.project_id, lost.id));
    assert.equal((await api().request('GET', `/v1/recording/${lost.id}`)).body.error_code, 'NO_RECORDINGS_FOUND', 'key set, audio missing');

    const unknown = await api().request('GET', `/v1/recording/${MISSING}`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error_code, 'CALL_NOT_FOUND');

    const theirs = await storeCall(api(), { projectId: api().other.projectId, status: 'completed' });
    await record(api(), theirs, toneWav());
    assert.equal((await api().request('GET', `/v1/recording/${theirs.id}`)).status, 404);
    assert.equal((await api().request('GET', `/v1/recording/${theirs.id}`, { key: api().other.key })).status, 200);

    const bad = await api().request('GET', '/v1/recording/xyz');
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.body.detail[0].loc, ['path', 'call_id']);
  });

  it('needs a key with recordings.view for the link and the bulk download', async () => {
    const call = await storeCall(api(), { status: 'completed' });
    await record(api(), call, toneWav());
    assert.equal((await api().request('GET', `/v1/recording/${call.id}`, { key: null })).status, 401);
    assert.equal((await api().request('POST', '/v1/recording/bulk', { key: null, body: { call_ids: [call.id] } })).status, 401);
    const callsOnly = await api().restrictedKey(['calls.view']);
    const denied = await api().request('GET', `/v1/recording/${call.id}`, { key: callsOnly });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error_code, 'MISSING_PERMISSIONS');
    assert.equal((await api().request('POST', '/v1/recording/bulk', { key: callsOnly, body: { call_ids: [call.id] } })).status, 403);
    const listener = await api().restrictedKey(['recordings.view']);
    assert.equal((await api().request('GET', `/v1/recording/${call.id}`, { key: listener })).status, 200);
    assert.equal((await api().request('POST', '/v1/recording/bulk', { key: listener, body: { call_ids: [call.id] } })).status, 200);
  });

  it('downloads the recorded calls among those asked as one ZIP', async () => {
    const first = await storeCall(api(), { status: 'completed' });
    const second = await storeCall(api(), { status: 'transferred' });
    const silent = await storeCall(api(), { status: 'no_answer' });
    const theirs = await storeCall(api(), { projectId: api().other.projectId, status: 'completed' });
    const wavA = toneWav(200, 440);
    const wavB = toneWav(300, 880);
    await record(api(), first, wavA);
    await record(api(), second, wavB);
    await record(api(), theirs, toneWav(50));

    const r = await api().app.inject({
      method: 'POST', url: '/v1/recording/bulk',
      headers: { authorization: `Bearer ${api().adminKey}` },
      payload: { call_ids: [first.id, second.id, silent.id, theirs.id, MISSING] },
    });
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['content-type'], 'application/zip');
    assert.match(String(r.headers['content-disposition']), /attachment; filename="recordings\.zip"/);
    const files = unzipSync(new Uint8Array(r.rawPayload));
    assert.deepEqual(Object.keys(files).sort(), [`${first.id}.wav`, `${second.id}.wav`].sort());
    assert.deepEqual(Buffer.from(files[`${first.id}.wav`]), wavA);
    assert.deepEqual(Buffer.from(files[`${second.id}.wav`]), wavB);
  });

  it('answers 404 NO_RECORDINGS_FOUND when none of the calls has a recording', async () => {
    const silent = await storeCall(api(), { status: 'completed' });
    const theirs = await storeCall(api(), { projectId: api().other.projectId, status: 'completed' });
    await record(api(), theirs, toneWav());
    const r = await api().request('POST', '/v1/recording/bulk', { body: { call_ids: [silent.id, theirs.id, MISSING] } });
    assert.equal(r.status, 404);
    assert.deepEqual(r.body, {
      status: 'error', error_code: 'NO_RECORDINGS_FOUND', message: 'None of the requested calls have recordings available',
    });
  });

  it('limits bulk downloads to 50 calls (400) and validates the body (422)', async () => {
    const tooMany = await api().request('POST', '/v1/recording/bulk', { body: { call_ids: Array.from({ length: 51 }, () => MISSING) } });
    assert.equal(tooMany.status, 400);
    assert.deepEqual(tooMany.body, {
      status: 'error', error_code: 'BULK_DOWNLOAD_LIMIT_EXCEEDED', message: 'Bulk download is limited to 50 recordings',
    });
    const fifty = await api().request('POST', '/v1/recording/bulk', { body: { call_ids: Array.from({ length: 50 }, () => MISSING) } });
    assert.equal(fifty.status, 404, 'exactly 50 is allowed');
    const empty = await api().request('POST', '/v1/recording/bulk', { body: { call_ids: [] } });
    assert.equal(empty.status, 422);
    assert.deepEqual(empty.body.detail[0].loc, ['body', 'call_ids']);
    const missing = await api().request('POST', '/v1/recording/bulk', { body: {} });
    assert.equal(missing.status, 422);
    const notUuid = await api().request('POST', '/v1/recording/bulk', { body: { call_ids: ['abc'] } });
    assert.deepEqual(notUuid.body.detail[0].loc, ['body', 'call_ids', 0]);
  });
});
