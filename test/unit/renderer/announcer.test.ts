// The screen's announcement queue: every call once, in order, each sentence spoken only after
// the previous one ended (none cut off), and the queue moves on without speech.
import { describe, expect, it } from 'vitest';
import type { CallAnnouncement } from '../../../shared/api/appliance-api.js';
import {
  Announcer,
  announcementText,
  spokenTicket,
  type SpeechEngine,
  type UtteranceLike,
} from '../../../renderer/screen/announcer.js';

const call = (key: string, ticket: string, lang = 'EN', deskName = 'Desk 3'): CallAnnouncement => ({
  key,
  customerId: `c-${key.replace(':', '-')}`,
  ticket,
  deskId: 'desk-3',
  deskName,
  lang,
  display: null,
  recall: false,
  at: new Date().toISOString(),
});

/** A speech engine that finishes each sentence only when the test says so. */
function manualSpeech() {
  const spoken: string[] = [];
  const pending: UtteranceLike[] = [];
  const engine: SpeechEngine = {
    getVoices: () => [{ lang: 'en-GB' }, { lang: 'fr-FR' }, { lang: 'ar' }],
    speak: (u) => {
      pending.push(u);
      spoken.push((u as UtteranceLike & { text: string }).text);
    },
    createUtterance: (text) =>
      ({ text, lang: '', rate: 1, voice: null, onend: null, onerror: null }) as UtteranceLike,
  };
  return { engine, spoken, pending };
}

const tick = () => new Promise((r) => setTimeout(r, 5));
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i += 1) await tick();
  expect(check()).toBe(true);
}

describe('Announcer', () => {
  it('announces each call once, in arrival order, never starting one before the last ended', async () => {
    const speech = manualSpeech();
    const starts: string[] = [];
    const a = new Announcer({
      speech: speech.engine,
      gapMs: 0,
      onStart: (c) => starts.push(c.ticket),
    });
    expect(a.enqueue(call('e:1', 'A12'))).toBe(true);
    expect(a.enqueue(call('e:2', 'B3', 'FR'))).toBe(true);
    expect(a.enqueue(call('e:1', 'A12'))).toBe(false); // the same change seen twice
    expect(a.enqueue(call('e:3', 'A12'))).toBe(true); // a recall is a new change
    await until(() => speech.pending.length === 1);
    await tick();
    // The second sentence waits for the first to end.
    expect(speech.spoken).toEqual(['Ticket A 12, Desk 3']);
    speech.pending.shift()?.onend?.();
    await until(() => speech.pending.length === 1 && speech.spoken.length === 2);
    speech.pending.shift()?.onend?.();
    await until(() => speech.spoken.length === 3);
    speech.pending.shift()?.onend?.();
    await until(() => a.list().every((r) => r.status === 'done'));
    expect(starts).toEqual(['A12', 'B3', 'A12']);
    expect(a.list().map((r) => [r.key, r.speech])).toEqual([
      ['e:1', 'spoken'],
      ['e:2', 'spoken'],
      ['e:3', 'spoken'],
    ]);
    expect(speech.spoken[1]).toBe('Ticket numéro B 3, Desk 3');
  });

  it('keeps going, in order, when the device has no speech and no audio', async () => {
    const a = new Announcer({ gapMs: 0 });
    for (let i = 1; i <= 5; i += 1) a.enqueue(call(`e:${i}`, `C${i}`));
    await until(() => a.list().every((r) => r.status === 'done'));
    expect(a.list().map((r) => r.ticket)).toEqual(['C1', 'C2', 'C3', 'C4', 'C5']);
    expect(a.list().every((r) => r.speech === 'unavailable' && !r.chimed)).toBe(true);
  });

  it('plays the chime before the voice', async () => {
    const order: string[] = [];
    const speech = manualSpeech();
    const engine: SpeechEngine = {
      ...speech.engine,
      speak: (u) => {
        order.push('speak');
        u.onend?.();
      },
    };
    const a = new Announcer({
      gapMs: 0,
      speech: engine,
      chime: { play: async () => (order.push('chime'), true) },
    });
    a.enqueue(call('e:1', 'D4'));
    await until(() => a.list()[0]?.status === 'done');
    expect(order).toEqual(['chime', 'speak']);
    expect(a.list()[0]?.chimed).toBe(true);
  });

  it('does not read a sentence with a voice of another language', async () => {
    const speech = manualSpeech();
    const a = new Announcer({
      gapMs: 0,
      speech: { ...speech.engine, getVoices: () => [{ lang: 'en-US' }] },
    });
    a.enqueue(call('e:1', 'A1', 'SV'));
    await until(() => a.list()[0]?.status === 'done');
    expect(a.list()[0]?.speech).toBe('no-voice');
    expect(speech.spoken).toEqual([]);
  });
});

describe('announcementText', () => {
  it('reads the letter apart from the number and names the desk as configured', () => {
    expect(spokenTicket('A12')).toBe('A 12');
    expect(spokenTicket('PR7')).toBe('PR 7');
    expect(announcementText({ ticket: 'A12', deskName: '3', lang: 'EN' })).toBe(
      'Ticket A 12, desk 3',
    );
    expect(announcementText({ ticket: 'A12', deskName: 'Desk 3', lang: 'EN' })).toBe(
      'Ticket A 12, Desk 3',
    );
    expect(announcementText({ ticket: 'A12', deskName: '3', lang: 'FR' })).toMatch(/A 12.*3/);
    expect(announcementText({ ticket: 'A12', deskName: '3', lang: 'AR' })).toMatch(/A 12.*3/);
  });
});
