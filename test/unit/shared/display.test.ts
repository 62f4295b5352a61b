import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DisplayRuleSchema } from '../../../shared/domain/entities.js';
import { deskDisplay, screenDisplay } from '../../../shared/domain/display.js';

const who = (name: string | undefined, extra: Record<string, string> = {}) => ({
  ticket: 'A12',
  contact: { ...(name === undefined ? {} : { name }), ...extra },
});

describe('display masking', () => {
  it('shows on screens only what the store allows', () => {
    const c = who('John Ronald Smith', { phone: '+33 6 12 34 56 78', email: 'j@x.fr' });
    expect(screenDisplay(c, DisplayRuleSchema.parse({ screen: 'ticket' }))).toBeNull();
    expect(screenDisplay(c, DisplayRuleSchema.parse({ screen: 'first-name' }))).toBe('John');
    expect(screenDisplay(c, DisplayRuleSchema.parse({ screen: 'masked-name' }))).toBe('John R. S.');
    expect(
      screenDisplay(who(undefined), DisplayRuleSchema.parse({ screen: 'masked-name' })),
    ).toBeNull();
  });

  it('never shows an email or a phone number typed as a name on a screen', () => {
    const rule = DisplayRuleSchema.parse({ screen: 'first-name' });
    expect(screenDisplay(who('jo@example.com'), rule)).toBeNull();
    expect(screenDisplay(who('0612345678'), rule)).toBeNull();
  });

  it('shows desks the full name with title, the first name, or the ticket', () => {
    const c = who('John Smith', { title: 'Mr' });
    expect(deskDisplay(c, DisplayRuleSchema.parse({ desk: 'full-name' }))).toBe('Mr John Smith');
    expect(deskDisplay(c, DisplayRuleSchema.parse({ desk: 'first-name' }))).toBe('John');
    expect(deskDisplay(c, DisplayRuleSchema.parse({ desk: 'ticket' }))).toBe('A12');
    expect(deskDisplay(who(undefined), DisplayRuleSchema.parse({}))).toBe('A12');
  });

  it('property: a screen never shows the phone or the email', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 30 }),
        fc.stringMatching(/^\+33 ?[1-9]( ?\d\d){4}$/),
        fc.emailAddress(),
        fc.constantFrom('ticket', 'first-name', 'masked-name'),
        (name, phone, email, screen) => {
          const rule = DisplayRuleSchema.parse({ screen });
          for (const n of [name, phone, email, `${name} ${email}`]) {
            const shown = screenDisplay(who(n, { phone, email }), rule) ?? '';
            if (shown.includes('@') || shown.includes(phone) || shown.includes(email)) return false;
          }
          return true;
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });
});
