import type { Static } from 'typebox';
import { AppError } from '../../../domain/errors.ts';
import type { SecretBox } from '../../../lib/secret-box.ts';
import type { MediaEncryption, NewCustomPhone, PhoneRecord, PhoneRepository, SipConfigPatch } from '../../../store/repositories/phones.ts';
import { invalidField } from '../../plugins/errors.ts';
import type { ImportPhoneRequest, SipConfigUpdateRequest } from './schemas.ts';
import { checkAllowedAddresses, checkImportedNumber, checkTerminationUri } from './sip-fields.ts';

// Imported numbers (provider `custom`) and their SIP trunk settings (diga-features §6.2).
// The trunk password is sealed with the secret box before it touches the store.

type ImportBody = Static<typeof ImportPhoneRequest>;
type SipConfigBody = Static<typeof SipConfigUpdateRequest>;

export async function importNumber(
  phones: PhoneRepository, secretBox: SecretBox, projectId: string, body: ImportBody,
): Promise<PhoneRecord> {
  const number = checkImportedNumber(body.phone_number, ['body', 'phone_number']);
  const inbound = body.inbound_config ?? {};
  const outbound = body.outbound_config ?? null;
  const phone: NewCustomPhone = {
    number,
    nickname: body.nickname ?? null,
    inboundMediaEncryption: inbound.media_encryption ?? 'allow',
    allowedAddresses: checkAllowedAddresses(inbound.allowed_addresses, ['body', 'inbound_config', 'allowed_addresses']) ?? null,
    outbound: outbound && {
      terminationUri: checkTerminationUri(outbound.termination_uri, ['body', 'outbound_config', 'termination_uri']),
      username: outbound.username ?? null,
      passwordEncrypted: outbound.password == null ? null : secretBox.seal(outbound.password),
      mediaEncryption: outbound.media_encryption ?? 'allow',
    },
  };
  // A number lives in one project only: inbound calls are routed by the dialled number.
  if (await phones.findByNumberInAnyProject(number)) throw duplicateNumber();
  try {
    return await phones.createCustom(projectId, phone);
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicateNumber();
    throw error;
  }
}

/**
 * Applies the given fields only. `username: null` removes the username; `password` absent or
 * null keeps the stored one (clients cannot read it back, so echoing a config must not wipe
 * it) and `""` removes it. A number without outbound config gains one only with a termination_uri.
 */
export async function updateSipConfig(
  phones: PhoneRepository, secretBox: SecretBox, phone: PhoneRecord, body: SipConfigBody,
): Promise<PhoneRecord> {
  if (phone.telephony_provider !== 'custom') {
    throw new AppError('BAD_PARAMETER', 'Only imported (custom) numbers have a SIP configuration to update');
  }
  const outbound = outboundPatch(body.outbound_config, secretBox);
  if (!phone.termination_uri && !outbound.termination_uri && Object.keys(outbound).length > 0) {
    throw invalidField(['body', 'outbound_config', 'termination_uri'],
      'Value error, termination_uri is required to configure outbound calls on this number');
  }
  const patch: SipConfigPatch = { ...inboundPatch(body.inbound_config), ...outbound };
  if (outbound.termination_uri) patch.has_outbound_config = true;
  await phones.updateSipConfig(phone.project_id, phone.id, patch);
  return (await phones.get(phone.project_id, phone.id)) as PhoneRecord;
}

function inboundPatch(inbound: SipConfigBody['inbound_config']): SipConfigPatch {
  if (!inbound) return {};
  const patch: SipConfigPatch = {};
  if (inbound.media_encryption != null) patch.inbound_media_encryption = inbound.media_encryption as MediaEncryption;
  if (inbound.allowed_addresses !== undefined) {
    patch.allowed_addresses = checkAllowedAddresses(inbound.allowed_addresses, ['body', 'inbound_config', 'allowed_addresses']);
  }
  return patch;
}

function outboundPatch(outbound: SipConfigBody['outbound_config'], secretBox: SecretBox): SipConfigPatch {
  if (!outbound) return {};
  const patch: SipConfigPatch = {};
  if (outbound.termination_uri != null) {
    patch.termination_uri = checkTerminationUri(outbound.termination_uri, ['body', 'outbound_config', 'termination_uri']);
  }
  if (outbound.username !== undefined) patch.sip_username = outbound.username;
  if (outbound.password != null) patch.sip_password_encrypted = outbound.password === '' ? null : secretBox.seal(outbound.password);
  if (outbound.media_encryption != null) patch.outbound_media_encryption = outbound.media_encryption as MediaEncryption;
  return patch;
}

function duplicateNumber(): AppError {
  return new AppError('DUPLICATE_FIELD', 'This phone number has already been imported');
}

/** SQLite and PostgreSQL report a UNIQUE violation differently. */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
