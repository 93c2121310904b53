import { Type } from 'typebox';
import { DateTime, Nullable, StringEnum, Uuid, pageQueryProperties } from '../../schemas/common.ts';

export const PHONE_STATUSES = ['reserved', 'assigned', 'released', 'finished'] as const;
export const MEDIA_ENCRYPTIONS = ['disable', 'allow', 'require'] as const;

export const PhoneRegisterStatus = StringEnum(PHONE_STATUSES);
export const TelephonyProvider = StringEnum(['netelip', 'custom'] as const);
export const SipMediaEncryption = StringEnum(MEDIA_ENCRYPTIONS);

const AllowedAddresses = Nullable(Type.Array(Type.String()), {
  description: 'List of IP addresses or CIDR blocks allowed for inbound SIP traffic. If empty, all traffic is accepted.',
});
const TerminationUriDescription =
  'Hostname or IP where SIP INVITE is sent for outbound calls. Do not include the sip: or sips: prefix. ' +
  'Habla extension: a `;transport=tcp` suffix sends the calls over TCP (`;transport=udp` is the default).';

export const SipConfigResponse = Type.Object({
  termination_uri: Type.Optional(Nullable(Type.String())),
  username: Type.Optional(Nullable(Type.String())),
  inbound_media_encryption: Type.Optional(StringEnum(MEDIA_ENCRYPTIONS, { default: 'allow' })),
  outbound_media_encryption: Type.Optional(StringEnum(MEDIA_ENCRYPTIONS, { default: 'allow' })),
  allowed_addresses: Type.Optional(Nullable(Type.Array(Type.String()))),
});

export const PhoneResponse = Type.Object({
  id: Uuid(),
  nickname: Type.Optional(Nullable(Type.String())),
  number: Type.String(),
  telephony_provider: TelephonyProvider,
  status: PhoneRegisterStatus,
  released_at: Type.Optional(Nullable(DateTime())),
  scheduled_release_at: Type.Optional(Nullable(DateTime())),
  assigned_at: Type.Optional(Nullable(DateTime())),
  inbound_agent_id: Type.Optional(Nullable(Uuid())),
  outbound_agent_id: Type.Optional(Nullable(Uuid())),
  sip_config: Type.Optional(Nullable(SipConfigResponse)),
});

export const PhoneListQuery = Type.Object({
  ...pageQueryProperties(20, 100),
  inbound_agent_id: Type.Optional(Nullable(Uuid())),
  outbound_agent_id: Type.Optional(Nullable(Uuid())),
  status: Type.Optional(Nullable(PhoneRegisterStatus)),
  start_assigned_at: Type.Optional(Nullable(DateTime())),
  end_assigned_at: Type.Optional(Nullable(DateTime())),
});

export const PhoneUpdateRequest = Type.Object({
  nickname: Type.Optional(Nullable(Type.String())),
  inbound_version_id: Type.Optional(Nullable(Uuid())),
  outbound_version_id: Type.Optional(Nullable(Uuid())),
});

// Defaults inside `anyOf [T, null]` are documentation only: the validator cannot apply them
// (Ajv does not apply defaults under anyOf), so the handler applies `allow` itself.
const DEFAULT_ALLOW = { default: 'allow', description: 'Whether to encrypt media (SRTP)' };

export const InboundConfig = Type.Object({
  media_encryption: Type.Optional(StringEnum(MEDIA_ENCRYPTIONS, DEFAULT_ALLOW)),
  allowed_addresses: Type.Optional(AllowedAddresses),
});

export const OutboundConfig = Type.Object({
  termination_uri: Type.String({ description: TerminationUriDescription }),
  username: Type.Optional(Nullable(Type.String())),
  password: Type.Optional(Nullable(Type.String(), { description: 'Write-only: stored encrypted, never returned.' })),
  media_encryption: Type.Optional(StringEnum(MEDIA_ENCRYPTIONS, DEFAULT_ALLOW)),
});

export const ImportPhoneRequest = Type.Object({
  phone_number: Type.String({ minLength: 1, description: 'Phone number (E.164) or SIP user identifier to be imported' }),
  nickname: Type.Optional(Nullable(Type.String())),
  inbound_config: Type.Optional(Nullable(InboundConfig)),
  outbound_config: Type.Optional(Nullable(OutboundConfig)),
});

export const InboundConfigUpdate = Type.Object({
  media_encryption: Type.Optional(Nullable(SipMediaEncryption)),
  allowed_addresses: Type.Optional(AllowedAddresses),
});

export const OutboundConfigUpdate = Type.Object({
  termination_uri: Type.Optional(Nullable(Type.String({ description: TerminationUriDescription }))),
  username: Type.Optional(Nullable(Type.String(), { description: 'null removes the username; absent keeps it.' })),
  password: Type.Optional(Nullable(Type.String(), {
    description: 'Write-only. A new password replaces the stored one; absent or null keeps it; an empty string removes it.',
  })),
  media_encryption: Type.Optional(Nullable(SipMediaEncryption)),
});

export const SipConfigUpdateRequest = Type.Object({
  inbound_config: Type.Optional(Nullable(InboundConfigUpdate)),
  outbound_config: Type.Optional(Nullable(OutboundConfigUpdate)),
});
