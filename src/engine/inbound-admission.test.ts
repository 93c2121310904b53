import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defaultAgentSettings } from '../domain/agent.ts';
import { AgentRepository } from '../store/repositories/agents.ts';
import { PhoneRepository } from '../store/repositories/phones.ts';
import { ProjectRepository } from '../store/repositories/projects.ts';
import type { Store } from '../store/database.ts';
import { parseMessage, type SipRequest } from '../telephony/sip/index.ts';
import type { Destination } from '../telephony/sip/transaction/index.ts';
import type { InviteDecision, RejectDecision } from '../telephony/sip/endpoint-types.ts';
import { TEST_DATABASES } from '../../test/helpers/databases.ts';
import { addressAllowed, dialledNumberCandidates, InboundAdmission } from './inbound-admission.ts';

function invite(requestUri: string, to = requestUri): SipRequest {
  const text =
    `INVITE ${requestUri} SIP/2.0\r\nVia: SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bK-1\r\n` +
    `From: <sip:caller@203.0.113.5>;tag=a\r\nTo: <${to}>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\n` +
    'Contact: <sip:caller@203.0.113.5>\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n';
  const parsed = parseMessage(text);
  assert.ok(parsed.ok && parsed.value.kind === 'request');
  return parsed.value;
}

const from = (host: string): Destination => ({ transport: 'UDP', host, port: 5060 });

interface LogLine { fields: Record<string, unknown>; message: string }

function recordingLogger(lines: LogLine[]) {
  const log = (fields: object, message: string) => lines.push({ fields: fields as Record<string, unknown>, message });
  return { debug: log, info: log, warn: log, error: log };
}

describe('dialled number', () => {
  it('reads the Request-URI user in every spelling a trunk uses', () => {
    for (const user of ['+34912345678', '34912345678', '0034912345678', '912345678']) {
      assert.ok(dialledNumberCandidates(invite(`sip:${user}@10.0.0.1:5060;user=phone`)).includes('+34912345678'), user);
    }
    assert.ok(dialledNumberCandidates(invite('tel:+34-912-345-678')).includes('+34912345678'));
  });

  it('falls back to To when the Request-URI has no user, and offers the user@host form', () => {
    assert.deepEqual(dialledNumberCandidates(invite('sip:10.0.0.1', 'sip:912345678@trunk.example.com')), [
      '+34912345678',
      '912345678@trunk.example.com',
    ]);
    assert.deepEqual(dialledNumberCandidates(invite('sip:reception@PBX.example.com')), ['reception@pbx.example.com']);
    assert.deepEqual(dialledNumberCandidates(invite('sip:10.0.0.1', 'sip:10.0.0.1')), []);
  });
});

describe('allowed addresses', () => {
  it('null or empty allows everyone; addresses and CIDR blocks of both families match', () => {
    assert.equal(addressAllowed(null, '198.51.100.7'), true);
    assert.equal(addressAllowed([], '198.51.100.7'), true);
    assert.equal(addressAllowed(['198.51.100.7'], '198.51.100.7'), true);
    assert.equal(addressAllowed(['198.51.100.0/24'], '198.51.100.200'), true);
    assert.equal(addressAllowed(['198.51.100.0/24'], '198.51.101.1'), false);
    assert.equal(addressAllowed(['10.0.0.1', '2001:db8::/32'], '2001:db8::5'), true);
    assert.equal(addressAllowed(['198.51.100.7'], '::ffff:198.51.100.7'), true);
    assert.equal(addressAllowed(['198.51.100.7'], 'not-an-ip'), false);
    assert.equal(addressAllowed(['garbage', '198.51.100.0/99'], '198.51.100.7'), false);
  });
});

for (const database of TEST_DATABASES) {
  describe(`inbound admission (${database.name})`, () => {
    let store: Store;
    let projectId: string;
    let phones: PhoneRepository;
    let agents: AgentRepository;
    let lines: LogLine[];
    let admission: InboundAdmission;
    const admitted: { tx: string; phoneId: string; versionId: string }[] = [];

    /** The rejection a decision carries; fails the test for an acceptance. */
    function rejected(decision: InviteDecision): RejectDecision {
      assert.equal(decision.action, 'reject');
      return decision as RejectDecision;
    }

    before(async () => {
      store = await database.open();
      const projects = new ProjectRepository(store.db);
      projectId = (await projects.create(await projects.createProfile('owner'), 'p', null)).id;
      phones = new PhoneRepository(store.db);
      agents = new AgentRepository(store.db);
      lines = [];
      admission = new InboundAdmission({
        phones,
        agents,
        logger: recordingLogger(lines),
        onAdmitted: (accepted, phone, version) => admitted.push({ tx: accepted.tx, phoneId: phone.id, versionId: version.id }),
      });
    });
    after(async () => {
      await store.close();
    });

    async function addPhone(number: string, allowedAddresses: string[] | null = null) {
      return phones.createCustom(projectId, { number, nickname: null, inboundMediaEncryption: 'allow', allowedAddresses, outbound: null });
    }

    async function bindAgent(phoneId: string, publish: boolean) {
      const agent = await agents.create(projectId, defaultAgentSettings('es', 'es'), { isDraft: false });
      await agents.publish(projectId, agent.agent.id, agent.version.id, { inboundPhoneId: phoneId });
      // Unpublishing through the repository also unbinds the number; a bound agent left without a
      // published version (a race with an unpublish, or a hand-edited database) must still be refused.
      if (!publish) await store.db.updateTable('agents').set({ published_version_id: null }).where('id', '=', agent.agent.id).execute();
    }

    async function callRows(): Promise<number> {
      const row = await store.db.selectFrom('calls').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    }

    it('an unknown number is 404, suspicious, logged without the number', async () => {
      const decision = rejected(await admission.admit(invite('sip:0034919999999@10.0.0.1'), from('203.0.113.5')));
      assert.deepEqual([decision.status, decision.reason, decision.suspicious], [404, 'Not Found', true]);
      const line = lines.at(-1)!;
      assert.equal(line.fields.reason, 'unknown_number');
      assert.ok(!JSON.stringify(line).includes('919999999'), 'no number in the log line');
    });

    it('a source outside allowed_addresses is 403, whatever spelling dialled the number', async () => {
      const phone = await addPhone('+34912000001', ['198.51.100.0/24']);
      await bindAgent(phone.id, true);
      const decision = rejected(await admission.admit(invite('sip:34912000001@10.0.0.1'), from('203.0.113.5')));
      assert.deepEqual([decision.status, decision.suspicious], [403, true]);
      assert.equal(lines.at(-1)!.fields.phone_id, phone.id);
      const inside = await admission.admit(invite('sip:34912000001@10.0.0.1'), from('198.51.100.9'));
      assert.equal(inside.action, 'accept', 'inside the block the call is admitted');
    });

    it('no inbound agent, or an agent without a published version, is 480 and not suspicious', async () => {
      const unbound = await addPhone('+34912000002');
      const decision = rejected(await admission.admit(invite('sip:+34912000002@10.0.0.1'), from('203.0.113.5')));
      assert.deepEqual([decision.status, decision.reason, decision.suspicious], [480, 'Temporarily Unavailable', false]);
      assert.equal(lines.at(-1)!.fields.reason, 'no_inbound_agent');
      assert.equal(lines.at(-1)!.fields.phone_id, unbound.id);

      const unpublished = await addPhone('+34912000003');
      await bindAgent(unpublished.id, false);
      assert.equal((await phones.get(projectId, unpublished.id))!.inbound_agent_id !== null, true);
      assert.equal(rejected(await admission.admit(invite('sip:+34912000003@10.0.0.1'), from('203.0.113.5'))).status, 480);
      assert.equal(lines.at(-1)!.fields.reason, 'no_inbound_agent');
    });

    it('an admitted call is handed over with its phone and published version, and admission itself writes no call row', async () => {
      const phone = await addPhone('+34912000004');
      await bindAgent(phone.id, true);
      const decision = await admission.admit(invite('sip:0034912000004@10.0.0.1'), from('203.0.113.5'));
      assert.equal(decision.action, 'accept');
      if (decision.action !== 'accept') return;
      decision.start({ tx: 'tx-1', invite: invite('sip:0034912000004@10.0.0.1'), source: from('203.0.113.5'), toTag: 't' });
      const bound = (await phones.get(projectId, phone.id))!;
      const version = await agents.findPublishedVersion(projectId, bound.inbound_agent_id!);
      assert.deepEqual(admitted.at(-1), { tx: 'tx-1', phoneId: phone.id, versionId: version!.id });
      assert.match(lines.at(-1)!.message, /admitted/);
      assert.equal(await callRows(), 0, 'no admission outcome creates a call row');
    });

    it('SIP user identifiers route by user@host', async () => {
      const phone = await addPhone('reception@pbx.example.com');
      await bindAgent(phone.id, true);
      const decision = await admission.admit(invite('sip:reception@PBX.example.com'), from('203.0.113.5'));
      assert.equal(decision.action, 'accept');
      assert.equal(lines.at(-1)!.fields.phone_id, phone.id);
    });
  });
}
