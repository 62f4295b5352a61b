// Calling codes for a store's default country (ISO 3166 alpha-2), so customers may type a
// national number. Countries outside this table must type the number with its + prefix.
const CALLING_CODES: Readonly<Record<string, string>> = {
  FR: '33',
  BE: '32',
  CH: '41',
  LU: '352',
  MC: '377',
  DE: '49',
  AT: '43',
  NL: '31',
  GB: '44',
  IE: '353',
  ES: '34',
  PT: '351',
  IT: '39',
  SE: '46',
  NO: '47',
  DK: '45',
  FI: '358',
  IS: '354',
  PL: '48',
  CZ: '420',
  US: '1',
  CA: '1',
  MA: '212',
  DZ: '213',
  TN: '216',
  EG: '20',
  SA: '966',
  AE: '971',
  QA: '974',
  KW: '965',
  LB: '961',
  JO: '962',
  TR: '90',
  GR: '30',
  RO: '40',
};

export function callingCode(country: string): string | null {
  return CALLING_CODES[country.toUpperCase()] ?? null;
}

/**
 * The number as sent to the hub: kept as typed when it starts with + or 00, else the national
 * number with its trunk 0 dropped behind the store's calling code.
 */
export function withCountryCode(typed: string, country: string): string {
  const compact = typed.replace(/[\s()./-]/g, '');
  if (compact.startsWith('+')) return compact;
  if (compact.startsWith('00')) return `+${compact.slice(2)}`;
  const code = callingCode(country);
  if (code === null) return compact;
  return `+${code}${compact.replace(/^0/, '')}`;
}
