import assert from 'node:assert/strict';
import { it } from 'node:test';
import { bootstrap } from '../../src/store/bootstrap.ts';
import { ApiKeyRepository } from '../../src/store/repositories/api-keys.ts';
import { ProjectRepository } from '../../src/store/repositories/projects.ts';
import { describeEachDatabase, type TestApi } from '../helpers/app.ts';

const MISSING = '00000000-0000-4000-8000-000000000000';

/** A new profile with one project and an unrestricted key there: a tenant of its own. */
async function newTenant(api: TestApi, name: string) {
  const projects = new ProjectRepository(api.store.db);
  const profileId = await projects.createProfile(name);
  const project = await projects.create(profileId, `${name} project`, null);
  const key = await keyFor(api, project.id, profileId);
  return { profileId, projectId: project.id, key };
}

async function keyFor(api: TestApi, projectId: string, profileId: string): Promise<string> {
  const created = await new ApiKeyRepository(api.store.db).create({
    projectId, creatorId: profileId, name: 'tenant', restricted: false, permissions: null, expiryDate: null,
  });
  return created.value;
}

describeEachDatabase('projects API', (api) => {
  it('lists the projects of the key’s creator and creates new ones with the creator as admin', async () => {
    const initial = await api().request('GET', '/v1/project/');
    assert.equal(initial.status, 200);
    const mine = initial.body.data.find((p: any) => p.id === api().projectId);
    assert.deepEqual(mine, { id: api().projectId, name: 'Default project', description: null, members_count: 1 });
    assert.ok(initial.body.data.every((p: any) => p.id !== api().other.projectId));

    const created = await api().request('POST', '/v1/project/', { body: { name: 'Ventas', description: 'Outbound sales' } });
    assert.equal(created.status, 201);
    assert.match(created.body.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(created.body, { id: created.body.id, name: 'Ventas', description: 'Outbound sales', members_count: 1 });

    const fetched = await api().request('GET', `/v1/project/${created.body.id}`);
    assert.equal(fetched.status, 200);
    assert.deepEqual(fetched.body, created.body);
    const listed = await api().request('GET', '/v1/project/?limit=50');
    assert.ok(listed.body.data.some((p: any) => p.id === created.body.id));
    assert.equal(listed.body.data[0].id, created.body.id, 'newest first by default');
    const projects = new ProjectRepository(api().store.db);
    assert.equal(await projects.roleOf(api().profileId, created.body.id), 'admin');

    const bare = await api().request('POST', '/v1/project/', { body: { name: 'Bare' } });
    assert.equal(bare.status, 201);
    assert.equal(bare.body.description, null);
    const explicitNull = await api().request('POST', '/v1/project/', { body: { name: 'Null', description: null } });
    assert.equal(explicitNull.body.description, null);
    const empty = await api().request('POST', '/v1/project/', { body: { name: 'Empty', description: '' } });
    assert.equal(empty.body.description, '');
    // The other tenant sees none of them.
    const theirs = await api().request('GET', '/v1/project/?limit=50', { key: api().other.key });
    assert.deepEqual(theirs.body.data.map((p: any) => p.id), [api().other.projectId]);
  });

  it('updates only the fields given', async () => {
    const created = await api().request('POST', '/v1/project/', { body: { name: 'Soporte', description: 'Inbound' } });
    const id = created.body.id;
    const renamed = await api().request('PATCH', `/v1/project/${id}`, { body: { name: 'Soporte 24h' } });
    assert.equal(renamed.status, 200);
    assert.deepEqual(renamed.body, { id, name: 'Soporte 24h', description: 'Inbound', members_count: 1 });
    const described = await api().request('PATCH', `/v1/project/${id}`, { body: { description: 'Inbound, all day' } });
    assert.equal(described.body.name, 'Soporte 24h');
    assert.equal(described.body.description, 'Inbound, all day');
    const cleared = await api().request('PATCH', `/v1/project/${id}`, { body: { description: null } });
    assert.equal(cleared.body.description, null);
    const unchanged = await api().request('PATCH', `/v1/project/${id}`, { body: {} });
    assert.equal(unchanged.status, 200);
    assert.deepEqual(unchanged.body, cleared.body);
    assert.deepEqual((await api().request('GET', `/v1/project/${id}`)).body, cleared.body);
  });

  it('answers PROJECT_NOT_FOUND for projects the profile is not a member of', async () => {
    for (const id of [api().other.projectId, MISSING]) {
      for (const [method, body] of [['GET', undefined], ['PATCH', { name: 'x' }], ['DELETE', undefined]] as const) {
        const r = await api().request(method, `/v1/project/${id}`, body ? { body } : {});
        assert.equal(r.status, 404, `${method} ${id}`);
        assert.deepEqual(r.body, { status: 'error', error_code: 'PROJECT_NOT_FOUND', message: `Project ${id} not found` });
      }
    }
    const theirs = await api().request('GET', `/v1/project/${api().other.projectId}`, { key: api().other.key });
    assert.equal(theirs.body.name, 'Other project', 'untouched');
  });

  it('lets members read a project but only admins change or delete it', async () => {
    const owner = await newTenant(api(), 'Owner');
    const projects = new ProjectRepository(api().store.db);
    await projects.addMember(owner.projectId, api().profileId, 'member');

    const seen = await api().request('GET', `/v1/project/${owner.projectId}`);
    assert.equal(seen.status, 200);
    assert.equal(seen.body.members_count, 2);
    const listed = await api().request('GET', '/v1/project/?limit=50');
    assert.ok(listed.body.data.some((p: any) => p.id === owner.projectId));

    const patch = await api().request('PATCH', `/v1/project/${owner.projectId}`, { body: { name: 'Mine now' } });
    assert.equal(patch.status, 403);
    assert.deepEqual(patch.body, { status: 'error', error_code: 'UNATHORIZED_ROLE', message: 'You are not authorized to update this project' });
    const del = await api().request('DELETE', `/v1/project/${owner.projectId}`);
    assert.equal(del.status, 403);
    assert.equal(del.body.error_code, 'UNATHORIZED_ROLE');
    assert.equal((await api().request('GET', `/v1/project/${owner.projectId}`, { key: owner.key })).body.name, 'Owner project');
  });

  it('needs companies.update / companies.delete to change projects, and an unrestricted key to create one', async () => {
    const created = await api().request('POST', '/v1/project/', { body: { name: 'Guarded' } });
    const id = created.body.id;
    const reader = await api().restrictedKey(['calls.view']);
    assert.equal((await api().request('GET', '/v1/project/', { key: reader })).status, 200);
    assert.equal((await api().request('GET', `/v1/project/${id}`, { key: reader })).status, 200);
    for (const [method, body] of [['PATCH', { name: 'x' }], ['DELETE', undefined], ['POST', { name: 'x' }]] as const) {
      const url = method === 'POST' ? '/v1/project/' : `/v1/project/${id}`;
      const r = await api().request(method, url, { key: reader, ...(body ? { body } : {}) });
      assert.equal(r.status, 403, method);
      assert.equal(r.body.error_code, 'MISSING_PERMISSIONS');
    }
    const updater = await api().restrictedKey(['companies.update']);
    const patched = await api().request('PATCH', `/v1/project/${id}`, { key: updater, body: { name: 'Renamed' } });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.name, 'Renamed');
    assert.equal((await api().request('DELETE', `/v1/project/${id}`, { key: updater })).status, 403);
    const deleter = await api().restrictedKey(['companies.delete']);
    assert.equal((await api().request('DELETE', `/v1/project/${id}`, { key: deleter })).status, 204);
  });

  it('never deletes a profile’s last project', async () => {
    const solo = await newTenant(api(), 'Solo');
    const r = await api().request('DELETE', `/v1/project/${solo.projectId}`, { key: solo.key });
    assert.equal(r.status, 400);
    assert.deepEqual(r.body, { status: 'error', error_code: 'LAST_PROJECT', message: 'Cannot delete the last project' });
    assert.equal((await api().request('GET', `/v1/project/${solo.projectId}`, { key: solo.key })).status, 200);
  });

  it('soft-deletes a project: gone from the API, kept in the store, its keys stop working', async () => {
    const tenant = await newTenant(api(), 'Leaving');
    const second = await api().request('POST', '/v1/project/', { key: tenant.key, body: { name: 'Second' } });
    assert.equal(second.status, 201);
    assert.equal((await api().request('GET', `/v1/project/${second.body.id}`, { key: tenant.key })).status, 200);
    const survivorKey = await keyFor(api(), second.body.id, tenant.profileId);

    const deleted = await api().request('DELETE', `/v1/project/${tenant.projectId}`, { key: survivorKey });
    assert.equal(deleted.status, 204);
    assert.equal(deleted.raw, '');

    const revoked = await api().request('GET', '/v1/project/', { key: tenant.key });
    assert.equal(revoked.status, 401);
    assert.equal(revoked.body.error_code, 'INVALID_API_KEY');
    const listed = await api().request('GET', '/v1/project/', { key: survivorKey });
    assert.deepEqual(listed.body.data.map((p: any) => p.id), [second.body.id]);
    const gone = await api().request('GET', `/v1/project/${tenant.projectId}`, { key: survivorKey });
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error_code, 'PROJECT_NOT_FOUND');
    assert.equal((await api().request('DELETE', `/v1/project/${tenant.projectId}`, { key: survivorKey })).status, 404);

    const row = await api().store.db.selectFrom('projects').selectAll().where('id', '=', tenant.projectId).executeTakeFirstOrThrow();
    assert.equal(row.name, 'Leaving project');
    assert.match(row.deleted_at ?? '', /^\d{4}-\d\d-\d\dT/);
    // Now the survivor is the last one.
    const last = await api().request('DELETE', `/v1/project/${second.body.id}`, { key: survivorKey });
    assert.equal(last.body.error_code, 'LAST_PROJECT');
  });

  it('lets a key delete its own project when the profile has another', async () => {
    const tenant = await newTenant(api(), 'Self');
    await api().request('POST', '/v1/project/', { key: tenant.key, body: { name: 'Elsewhere' } });
    assert.equal((await api().request('DELETE', `/v1/project/${tenant.projectId}`, { key: tenant.key })).status, 204);
    assert.equal((await api().request('GET', '/v1/project/', { key: tenant.key })).status, 401);
  });

  it('pages through projects', async () => {
    const tenant = await newTenant(api(), 'Pager');
    for (let i = 0; i < 4; i++) await api().request('POST', '/v1/project/', { key: tenant.key, body: { name: `P${i}` } });
    const first = await api().request('GET', '/v1/project/?limit=2&order=asc', { key: tenant.key });
    assert.equal(first.status, 200);
    assert.deepEqual(first.body.data.map((p: any) => p.name), ['Pager project', 'P0']);
    assert.equal(first.body.has_more, true);
    assert.equal(first.body.total_pages, 3);
    const next = await api().request('GET', `/v1/project/?limit=2&order=asc&after=${first.body.last_id}`, { key: tenant.key });
    assert.deepEqual(next.body.data.map((p: any) => p.name), ['P1', 'P2']);
    const page3 = await api().request('GET', '/v1/project/?limit=2&order=asc&page=3', { key: tenant.key });
    assert.deepEqual(page3.body.data.map((p: any) => p.name), ['P3']);
    assert.equal(page3.body.has_more, false);
    const defaults = await api().request('GET', '/v1/project/', { key: tenant.key });
    assert.equal(defaults.body.data.length, 5);
    assert.equal(defaults.body.data[0].name, 'P3');
    const both = await api().request('GET', `/v1/project/?after=${MISSING}&before=${MISSING}`);
    assert.equal(both.status, 422);
    assert.equal(both.body.error_code, 'INVALID_PAGINATION_PARAMETERS');
    assert.equal((await api().request('GET', '/v1/project/?limit=51')).status, 422);
  });

  it('answers FastAPI-shaped 422s for bad bodies and ids', async () => {
    const noName = await api().request('POST', '/v1/project/', { body: { description: 'x' } });
    assert.equal(noName.status, 422);
    assert.deepEqual(noName.body.detail, [{ loc: ['body', 'name'], msg: 'Field required', type: 'missing' }]);
    const objectName = await api().request('POST', '/v1/project/', { body: { name: { a: 1 } } });
    assert.equal(objectName.status, 422);
    assert.deepEqual(objectName.body.detail[0].loc, ['body', 'name']);
    assert.equal((await api().request('POST', '/v1/project/')).status, 422);
    // Strings stay strings: no silent null → "" or 5 → "5" (pydantic rejects both).
    const nullName = await api().request('POST', '/v1/project/', { body: { name: null } });
    assert.equal(nullName.status, 422);
    assert.deepEqual(nullName.body.detail, [{ loc: ['body', 'name'], msg: 'Input should be a valid string', type: 'string_type' }]);
    const numberName = await api().request('PATCH', `/v1/project/${api().projectId}`, { body: { name: 5 } });
    assert.equal(numberName.status, 422);
    const numberDescription = await api().request('POST', '/v1/project/', { body: { name: 'n', description: 5 } });
    assert.deepEqual(numberDescription.body.detail[0].loc, ['body', 'description']);
    const badPatch = await api().request('PATCH', `/v1/project/${api().projectId}`, { body: { description: { text: 'x' } } });
    assert.equal(badPatch.status, 422);
    assert.deepEqual(badPatch.body.detail[0].loc, ['body', 'description']);
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const r = await api().request(method, '/v1/project/nope', method === 'PATCH' ? { body: {} } : {});
      assert.equal(r.status, 422, method);
      assert.deepEqual(r.body.detail[0].loc, ['path', 'id']);
    }
  });
});

describeEachDatabase('projects API: deleting the bootstrapped project', (api) => {
  it('keeps the operator key usable: the next boot re-adds it to a live project', async () => {
    const spare = await api().request('POST', '/v1/project/', { body: { name: 'Spare' } });
    assert.equal(spare.status, 201);
    assert.equal((await api().request('DELETE', `/v1/project/${api().projectId}`)).status, 204);
    assert.equal((await api().request('GET', '/v1/project/')).status, 401);
    await bootstrap(api().store, api().adminKey);
    const again = await api().request('GET', '/v1/project/');
    assert.equal(again.status, 200);
  });
});
