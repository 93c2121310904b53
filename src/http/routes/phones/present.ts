import type { PhoneRecord } from '../../../store/repositories/phones.ts';

// The wire shape of a number. Built field by field so that stored secrets
// (sip_password_encrypted) can never reach a response.

export interface PhoneResponseBody {
  id: string;
  nickname: string | null;
  number: string;
  telephony_provider: 'netelip' | 'custom';
  status: 'reserved' | 'assigned' | 'released' | 'finished';
  released_at: string | null;
  scheduled_release_at: string | null;
  assigned_at: string | null;
  inbound_agent_id: string | null;
  outbound_agent_id: string | null;
  sip_config: SipConfigBody | null;
}

interface SipConfigBody {
  termination_uri: string | null;
  username: string | null;
  inbound_media_encryption: 'disable' | 'allow' | 'require';
  outbound_media_encryption: 'disable' | 'allow' | 'require';
  allowed_addresses: string[] | null;
}

export function toPhoneResponse(phone: PhoneRecord): PhoneResponseBody {
  return {
    id: phone.id,
    nickname: phone.nickname,
    number: phone.number,
    telephony_provider: phone.telephony_provider as PhoneResponseBody['telephony_provider'],
    status: phone.status as PhoneResponseBody['status'],
    released_at: phone.released_at,
    scheduled_release_at: phone.scheduled_release_at,
    assigned_at: phone.assigned_at,
    inbound_agent_id: phone.inbound_agent_id,
    outbound_agent_id: phone.outbound_agent_id,
    // Only imported numbers have a trunk of their own; purchased numbers use Habla's.
    sip_config: phone.telephony_provider === 'custom' ? sipConfigOf(phone) : null,
  };
}

function sipConfigOf(phone: PhoneRecord): SipConfigBody {
  return {
    termination_uri: phone.termination_uri,
    username: phone.sip_username,
    inbound_media_encryption: phone.inbound_media_encryption as SipConfigBody['inbound_media_encryption'],
    outbound_media_encryption: phone.outbound_media_encryption as SipConfigBody['outbound_media_encryption'],
    allowed_addresses: phone.allowed_addresses,
  };
}
