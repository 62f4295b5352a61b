// Only a customer we can reach is promised "we will tell you when your turn is near".
import { describe, expect, it } from 'vitest';
import { waitAdvice } from '../../../renderer/kiosk/wait-advice.js';
import { t } from '../../../shared/i18n/index.js';

describe('wait advice on the kiosk confirmation', () => {
  it('tells a customer with just a ticket (or only a name) to watch the screen', () => {
    expect(waitAdvice({ mustWait: true, contactMode: 'anonymous' })).toBe('kiosk.watchScreen');
    expect(waitAdvice({ mustWait: true, contactMode: 'name' })).toBe('kiosk.watchScreen');
    expect(t('EN', 'kiosk.watchScreen')).not.toMatch(/tell you/);
  });

  it('promises the alert only where a text, an email or a pager can carry it', () => {
    for (const contactMode of ['phone', 'email', 'pager'] as const)
      expect(waitAdvice({ mustWait: true, contactMode })).toBe('kiosk.comeBackLater');
  });

  it('asks everyone whose turn is near to stay nearby', () => {
    expect(waitAdvice({ mustWait: false, contactMode: 'anonymous' })).toBe('kiosk.stayNearby');
  });
});
