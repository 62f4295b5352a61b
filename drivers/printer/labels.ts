// The few fixed words a ticket carries. Kept beside the encoder (the shared i18n catalogs hold the
// UI's words); a language without an entry falls back to English.
type Labels = {
  yourNumber: string;
  peopleBefore: (n: number) => string;
  wait: (minutes: number) => string;
  pager: string;
  testPrint: string;
};

const labels: Record<string, Labels> = {
  EN: {
    yourNumber: 'Your number',
    peopleBefore: (n) => (n === 1 ? '1 person before you' : `${n} people before you`),
    wait: (m) => `Estimated wait: about ${m} min`,
    pager: 'Pager',
    testPrint: 'Test print',
  },
  FR: {
    yourNumber: 'Votre numéro',
    peopleBefore: (n) => (n <= 1 ? `${n} personne avant vous` : `${n} personnes avant vous`),
    wait: (m) => `Attente estimée : environ ${m} min`,
    pager: 'Bipeur',
    testPrint: "Page d'essai",
  },
  SV: {
    yourNumber: 'Ditt nummer',
    peopleBefore: (n) => (n === 1 ? '1 person före dig' : `${n} personer före dig`),
    wait: (m) => `Beräknad väntetid: cirka ${m} min`,
    pager: 'Personsökare',
    testPrint: 'Testutskrift',
  },
  AR: {
    yourNumber: 'رقمك',
    peopleBefore: (n) => `عدد الأشخاص قبلك: ${n}`,
    wait: (m) => `وقت الانتظار المتوقع: حوالي ${m} دقيقة`,
    pager: 'جهاز النداء',
    testPrint: 'طباعة تجريبية',
  },
};

export function ticketLabels(lang: string): Labels {
  return labels[lang] ?? (labels.EN as Labels);
}
