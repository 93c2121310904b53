import { parsePhoneNumberFromString } from 'libphonenumber-js';

// Phone numbers are stored and matched in E.164 (`+34912345678`): inbound routing compares
// the dialled number exactly, so every number must be normalised the same way on the way in.

/** The separators people write inside numbers: spaces, dashes, dots, brackets. */
const SEPARATORS = /[\s().-]/g;

/**
 * The E.164 form of a phone number, or undefined when it is not a valid number.
 * Numbers without a `+` are read as Spanish: `612345678`, `34612345678` and `0034612345678`
 * all give `+34612345678`. International numbers need `+` or `00` and their country code.
 */
export function normalizePhoneNumber(input: string): string | undefined {
  if (input.length > 40) return undefined;
  const text = input.replace(SEPARATORS, '');
  // Only digits after an optional `+`: the parser would otherwise skip letters and extensions.
  if (!/^\+?[0-9]{1,20}$/.test(text)) return undefined;
  const parsed = parsePhoneNumberFromString(text, 'ES');
  if (!parsed || !parsed.isValid()) return undefined;
  return parsed.number;
}

/** Whether an E.164 number belongs to the Spanish numbering plan (+34). */
export function isSpanishNumber(e164: string): boolean {
  return e164.startsWith('+34') && normalizePhoneNumber(e164) === e164;
}

/** `user@domain` (a SIP user identifier): no scheme, no spaces, a host after the `@`. */
const SIP_USER = /^[A-Za-z0-9._~!$&'*+=,;?/%-]+@[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;

/**
 * A SIP user identifier in its stored form (domain lower-cased, `sip:` not allowed), or
 * undefined when the text is not one.
 */
export function normalizeSipUserIdentifier(input: string): string | undefined {
  const text = input.trim();
  if (text.length > 255 || !SIP_USER.test(text)) return undefined;
  const at = text.lastIndexOf('@');
  return `${text.slice(0, at)}@${text.slice(at + 1).toLowerCase()}`;
}
