import assert from 'node:assert/strict';
import { it } from 'node:test';
import { contractValidator } from '../helpers/contract.ts';
import { describeEachDatabase, type TestApi } from '../helpers/app.ts';

const MISSING = '00000000-0000-4000-8000-000000000000';
const matchesContract = contractValidator('VoiceResponseSchema');

/** Every voice of the catalogue, in the API's ascending order. */
async function allVoices(api: TestApi, query = ''): Promise<any[]> {
  const voices: any[] = [];
  let after = '';
  for (;;) {
    const r = await api.request('GET', `/v1/voice/?limit=50&order=asc${after}${query}`);
    assert.equal(r.status, 200, r.raw);
    voices.push(...r.body.data);
    if (!r.body.has_more) return voices;
    after = `&after=${r.body.last_id}`;
  }
}

describeEachDatabase('voices API', (api) => {
  it('lists the real espeak-ng voices, newest-ordered pages of 10 by default', async () => {
    const catalogue = api().deps.voices.list();
    assert.ok(catalogue.length > 20, 'espeak-ng must be installed: the catalogue lists its voices');
    const r = await api().request('GET', '/v1/voice/');
    assert.equal(r.status, 200);
    assert.equal(r.body.data.length, 10);
    assert.equal(r.body.has_more, true);
    assert.equal(r.body.current_page, 1);
    assert.equal(r.body.total_pages, Math.ceil(catalogue.length / 10));
    assert.equal(r.body.data[0].id, catalogue[catalogue.length - 1].id);
    for (const voice of r.body.data) {
      assert.equal(voice.provider, 'espeak');
      assert.equal(voice.is_favourite, false);
      assert.match(voice.language, /^[a-z]{2,3}$/);
      assert.ok(['male', 'female'].includes(voice.gender));
      // The contract's provider enum lacks the espeak extension; everything else must match it.
      assert.deepEqual(matchesContract({ ...voice, provider: 'gemini' }), []);
    }
    const everything = await allVoices(api());
    assert.deepEqual(everything.map((v) => v.id), catalogue.map((v) => v.id));
    assert.equal(new Set(everything.map((v) => v.id)).size, everything.length);
  });

  it('pages with cursors both ways and by page number', async () => {
    const first = await api().request('GET', '/v1/voice/?limit=3&order=asc');
    const second = await api().request('GET', `/v1/voice/?limit=3&order=asc&after=${first.body.last_id}`);
    assert.equal(second.body.current_page, null);
    const byPage = await api().request('GET', '/v1/voice/?limit=3&order=asc&page=2');
    assert.deepEqual(byPage.body.data.map((v: any) => v.id), second.body.data.map((v: any) => v.id));
    const back = await api().request('GET', `/v1/voice/?limit=3&order=asc&before=${second.body.first_id}`);
    assert.deepEqual(back.body.data.map((v: any) => v.id), first.body.data.map((v: any) => v.id));
    assert.equal(back.body.has_more, false);

    const both = await api().request('GET', `/v1/voice/?after=${MISSING}&before=${MISSING}`);
    assert.equal(both.status, 422);
    assert.equal(both.body.error_code, 'INVALID_PAGINATION_PARAMETERS');
    const unknownCursor = await api().request('GET', `/v1/voice/?after=${MISSING}`);
    assert.equal(unknownCursor.status, 422);
    assert.equal(unknownCursor.body.error_code, 'INVALID_PAGINATION_PARAMETERS');
    const tooMany = await api().request('GET', '/v1/voice/?limit=51');
    assert.equal(tooMany.status, 422);
    assert.deepEqual(tooMany.body.detail[0].loc, ['query', 'limit']);
  });

  it('searches names without regard to case or accents, and filters by gender', async () => {
    const spanish = await allVoices(api(), '&search=SPANISH');
    assert.ok(spanish.length >= 2);
    assert.ok(spanish.every((v) => /spanish/i.test(v.name)), spanish.map((v) => v.name).join());
    assert.ok(spanish.some((v) => v.provider_voice_id === 'es'));
    const accented = await allVoices(api(), `&search=${encodeURIComponent('spánish')}`);
    assert.deepEqual(accented.map((v) => v.id), spanish.map((v) => v.id));

    const female = await allVoices(api(), '&gender=Female');
    assert.ok(female.length > 0);
    assert.ok(female.every((v) => v.gender === 'female'));
    const male = await allVoices(api(), '&gender=male');
    assert.equal(female.length + male.length, api().deps.voices.list().length);
    const spanishWomen = await allVoices(api(), '&gender=female&search=spanish');
    assert.ok(spanishWomen.length >= 1);
    assert.ok(spanishWomen.every((v) => v.gender === 'female' && /spanish/i.test(v.name)));

    const none = await api().request('GET', '/v1/voice/?search=zzzz-no-such-voice');
    assert.deepEqual(none.body.data, []);
    assert.equal(none.body.has_more, false);
    assert.equal(none.body.total_pages, 0);

    const badGender = await api().request('GET', '/v1/voice/?gender=robot');
    assert.equal(badGender.status, 400);
    assert.equal(badGender.body.error_code, 'NOT_VALID_FIELD');
  });

  it('gets one voice, 404 VOICE_NOT_FOUND for unknown ids, 422 for malformed ones', async () => {
    const voice = api().deps.voices.list()[0];
    const r = await api().request('GET', `/v1/voice/${voice.id}`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { ...voice, is_favourite: false });
    const unknown = await api().request('GET', `/v1/voice/${MISSING}`);
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body, { status: 'error', error_code: 'VOICE_NOT_FOUND', message: 'Voice not found' });
    const bad = await api().request('GET', '/v1/voice/es');
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.body.detail[0].loc, ['path', 'voice_id']);
  });

  it('keeps per-project favourites: add (idempotent), list, flag, remove', async () => {
    const [a, b] = api().deps.voices.list().slice(5, 7);
    const added = await api().request('POST', `/v1/voice/favourite/${a.id}`);
    assert.equal(added.status, 201);
    assert.deepEqual(added.body, { ...a, is_favourite: true });
    const again = await api().request('POST', `/v1/voice/favourite/${a.id}`);
    assert.equal(again.status, 201);
    assert.equal(again.body.is_favourite, true);
    assert.equal((await api().request('POST', `/v1/voice/favourite/${b.id}`)).status, 201);

    const list = await api().request('GET', '/v1/voice/favourite');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.data.map((v: any) => v.id), [b.id, a.id]);
    assert.ok(list.body.data.every((v: any) => v.is_favourite === true));
    const oldestFirst = await api().request('GET', '/v1/voice/favourite?order=asc&limit=1');
    assert.deepEqual(oldestFirst.body.data.map((v: any) => v.id), [a.id]);
    assert.equal(oldestFirst.body.has_more, true);
    const next = await api().request('GET', `/v1/voice/favourite?order=asc&limit=1&after=${a.id}`);
    assert.deepEqual(next.body.data.map((v: any) => v.id), [b.id]);

    assert.equal((await api().request('GET', `/v1/voice/${a.id}`)).body.is_favourite, true);
    const listed = await allVoices(api());
    assert.deepEqual(listed.filter((v) => v.is_favourite).map((v) => v.id).sort(), [a.id, b.id].sort());

    // Another project has favourites of its own.
    const theirs = await api().request('GET', '/v1/voice/favourite', { key: api().other.key });
    assert.deepEqual(theirs.body.data, []);
    assert.equal((await api().request('GET', `/v1/voice/${a.id}`, { key: api().other.key })).body.is_favourite, false);
    const theirDelete = await api().request('DELETE', `/v1/voice/favourite/${a.id}`, { key: api().other.key });
    assert.equal(theirDelete.status, 404);

    const removed = await api().request('DELETE', `/v1/voice/favourite/${a.id}`);
    assert.equal(removed.status, 204);
    assert.equal(removed.raw, '');
    assert.deepEqual((await api().request('GET', '/v1/voice/favourite')).body.data.map((v: any) => v.id), [b.id]);
    const twice = await api().request('DELETE', `/v1/voice/favourite/${a.id}`);
    assert.equal(twice.status, 404);
    assert.deepEqual(twice.body, { status: 'error', error_code: 'VOICE_NOT_FOUND', message: 'Voice not found in favourites' });
    assert.equal((await api().request('DELETE', `/v1/voice/favourite/${b.id}`)).status, 204);
  });

  it('answers 404 for favouriting unknown voices and 422 for malformed ids and pages', async () => {
    const unknown = await api().request('POST', `/v1/voice/favourite/${MISSING}`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error_code, 'VOICE_NOT_FOUND');
    assert.deepEqual((await api().request('GET', '/v1/voice/favourite')).body.data, []);
    assert.equal((await api().request('DELETE', `/v1/voice/favourite/${MISSING}`)).status, 404);
    const bad = await api().request('POST', '/v1/voice/favourite/nope');
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.body.detail[0].loc, ['path', 'voice_id']);
    const badDelete = await api().request('DELETE', '/v1/voice/favourite/nope');
    assert.equal(badDelete.status, 422);
    const both = await api().request('GET', `/v1/voice/favourite?after=${MISSING}&before=${MISSING}`);
    assert.equal(both.status, 422);
    assert.equal(both.body.error_code, 'INVALID_PAGINATION_PARAMETERS');
  });

  it('needs a valid key (401) carrying voices.view (403)', async () => {
    const voice = api().deps.voices.list()[0];
    assert.equal((await api().request('GET', '/v1/voice/', { key: null })).status, 401);
    assert.equal((await api().request('GET', `/v1/voice/${voice.id}`, { key: 'hbl_nope' })).body.error_code, 'INVALID_API_KEY');
    const stranger = await api().restrictedKey(['phones.view']);
    for (const [method, url] of [
      ['GET', '/v1/voice/'], ['GET', `/v1/voice/${voice.id}`], ['GET', '/v1/voice/favourite'],
      ['POST', `/v1/voice/favourite/${voice.id}`], ['DELETE', `/v1/voice/favourite/${voice.id}`],
    ]) {
      const r = await api().request(method, url, { key: stranger });
      assert.equal(r.status, 403, `${method} ${url}`);
      assert.equal(r.body.error_code, 'MISSING_PERMISSIONS');
    }
    const viewer = await api().restrictedKey(['voices.view']);
    assert.equal((await api().request('POST', `/v1/voice/favourite/${voice.id}`, { key: viewer })).status, 201);
    assert.equal((await api().request('DELETE', `/v1/voice/favourite/${voice.id}`, { key: viewer })).status, 204);
  });
});
