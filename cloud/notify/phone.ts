// Phone numbers as SMS providers want them (E.164), read with the store's default country.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** `+33689091314` for "06 89 09 13 14" in FR; null when it is not a possible number. */
export function normalisePhone(raw: string, defaultCountry: string): string | null {
  const parsed = parsePhoneNumberFromString(raw, defaultCountry as CountryCode);
  return parsed !== undefined && parsed.isPossible() ? parsed.number : null;
}
