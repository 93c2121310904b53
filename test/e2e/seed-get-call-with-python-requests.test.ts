import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { contractValidator } from '../helpers/contract.ts';
import { startHablaProcess, type HablaProcess } from '../helpers/server-process.ts';

// The seed's own snippet (/work/shared/seeds/000): Python `requests` doing GET /v1/call/{id}
// against a running Habla prints a body that validates against the contract's CallResponse.

let habla: HablaProcess;
before(async () => {
  habla = await startHablaProcess();
});
after(async () => {
  await habla?.stop();
});

async function api(method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(habla.url + path, {
    method,
    headers: { authorization: `Bearer ${habla.adminKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  assert.ok(response.status < 300, `${method} ${path} → ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

const SEED_SNIPPET = `
import requests, sys
url = sys.argv[1] + "/v1/call/" + sys.argv[2]
headers = {"Authorization": "Bearer " + sys.argv[3]}
response = requests.get(url, headers=headers)
print(response.text)
`;

test('python requests GET /v1/call/{id} prints a contract-valid CallResponse', async () => {
  const voices = await api('GET', '/v1/voice/?limit=50&search=Spanish');
  const voice = voices.data.find((v: any) => v.provider_voice_id === 'es');
  assert.ok(voice, 'the espeak-ng Spanish voice is in the catalogue');
  const phone = await api('POST', '/v1/phone/import', {
    phone_number: '+34910000001',
    outbound_config: { termination_uri: '127.0.0.1:5099', username: 'trunk', password: 'secret' },
  });
  const agent = await api('POST', '/v1/agent/', { name: 'Recepción', voice_id: voice.id, language: 'es', greeting: 'Hola' });
  const versions = await api('GET', `/v1/agent/${agent.agent_id}/version`);
  const launched = versions.data.find((v: any) => !v.is_draft);
  await api('PATCH', `/v1/agent/${agent.agent_id}/published_version`, {
    version_id: launched.version_id,
    outbound_phone_number_id: phone.id,
  });
  const call = await api('POST', '/v1/call/', { from_number: '+34910000001', to_number: '+34600123456' });

  const printed = execFileSync('python3', ['-c', SEED_SNIPPET, habla.url, call.id, habla.adminKey], { encoding: 'utf8' });
  const body = JSON.parse(printed);
  assert.deepEqual(contractValidator('CallResponse')(body), []);
  assert.equal(body.id, call.id);
  assert.equal(body.type, 'outbound');
  assert.equal(body.contact.identifier, '+34600123456');
});
