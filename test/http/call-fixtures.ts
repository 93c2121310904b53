// Builds the world a call needs (numbers, agents, stored calls, a WAV) straight through the
// repositories, so the calls and recordings tests do not depend on other resources' routes.
import { defaultAgentSettings } from '../../src/domain/agent.ts';
import type { CallStatus } from '../../src/domain/call-status.ts';
import { newId } from '../../src/domain/ids.ts';
import { AgentRepository } from '../../src/store/repositories/agents.ts';
import { CallRepository, type CallRecord } from '../../src/store/repositories/calls.ts';
import { ContactRepository } from '../../src/store/repositories/contacts.ts';
import { PhoneRepository, type PhoneRecord } from '../../src/store/repositories/phones.ts';
import type { TestApi } from '../helpers/app.ts';

let numberCounter = 0;

/** A fresh valid Spanish landline (Madrid, 91x): numbers are unique across the installation. */
export function nextSpanishNumber(): string {
  numberCounter += 1;
  return `+3491${String(1_000_000 + ((process.pid * 7919 + numberCounter) % 9_000_000)).padStart(7, '0')}`;
}

export async function importPhone(api: TestApi, options: { projectId?: string; outbound?: boolean } = {}): Promise<PhoneRecord> {
  return new PhoneRepository(api.store.db).createCustom(options.projectId ?? api.projectId, {
    number: nextSpanishNumber(),
    nickname: null,
    inboundMediaEncryption: 'allow',
    allowedAddresses: null,
    outbound: options.outbound === false ? null : {
      terminationUri: 'trunk.example.net:5060', username: 'habla', passwordEncrypted: null, mediaEncryption: 'allow',
    },
  });
}

export interface PublishedAgent {
  agentId: string;
  draftVersionId: string;
  publishedVersionId: string;
}

/** An agent whose v1 (with these variable defaults) is published as the number's outbound agent. */
export async function publishOutboundAgent(
  api: TestApi, phone: PhoneRecord | null, variables: Record<string, unknown>, projectId = api.projectId,
): Promise<PublishedAgent> {
  const agents = new AgentRepository(api.store.db);
  const settings = { ...defaultAgentSettings(newId(), 'es'), name: 'Outbound', dynamic_variables: variables };
  const v1 = await agents.create(projectId, settings, { isDraft: false });
  await agents.publish(projectId, v1.agent.id, v1.version.id, phone ? { outboundPhoneId: phone.id } : {});
  return { agentId: v1.agent.id, draftVersionId: v1.agent.draft_version_id, publishedVersionId: v1.version.id };
}

/** A call stored directly, for tests about reading, listing and deleting calls. */
export async function storeCall(
  api: TestApi,
  options: { projectId?: string; status?: CallStatus; type?: 'inbound' | 'outbound'; agentId?: string | null; phoneId?: string | null; contactNumber?: string } = {},
): Promise<CallRecord> {
  const projectId = options.projectId ?? api.projectId;
  const calls = new CallRepository(api.store.db);
  const contact = await new ContactRepository(api.store.db).findOrCreate(projectId, 'call', options.contactNumber ?? nextSpanishNumber());
  const call = await calls.create({
    projectId,
    agentId: options.agentId ?? null,
    agentVersionId: null,
    phoneId: options.phoneId ?? null,
    contactId: contact.id,
    type: options.type ?? 'outbound',
    status: 'dialing',
    fromNumber: null,
    toNumber: contact.identifier,
    dynamicVariables: null,
  });
  const status = options.status ?? 'dialing';
  if (status !== 'dialing') {
    if (status !== 'no_answer') await calls.markAnswered(call.id);
    if (status === 'completed' || status === 'failed' || status === 'transferred' || status === 'no_answer') {
      await calls.finish(call.id, status, 'test');
    }
  }
  return (await calls.get(projectId, call.id))!;
}

/** A real, playable WAV: mono 16-bit PCM at 8 kHz, a 440 Hz tone of `ms` milliseconds. */
export function toneWav(ms = 100, frequency = 440): Buffer {
  const rate = 8000;
  const samples = Math.round((rate * ms) / 1000);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * frequency * i) / rate) * 12000), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}
