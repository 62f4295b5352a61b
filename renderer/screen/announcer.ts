// Calls announced one after the other, each exactly once (by its log key), never cut off:
// a flash, a chime (Web Audio), then the spoken sentence (Web Speech) in the customer's
// language. Without audio or speech the flash still happens and the queue still moves on.
import type { CallAnnouncement } from '../../shared/api/appliance-api.js';
import { localeFor } from '../../shared/i18n/index.js';
import { tr } from '../i18n/index.js';

export type AnnouncementStatus = 'queued' | 'playing' | 'done';
export type SpeechOutcome = 'pending' | 'spoken' | 'unavailable' | 'no-voice' | 'error' | 'timeout';

export interface AnnouncementRecord {
  key: string;
  customerId: string;
  ticket: string;
  deskName: string;
  lang: string;
  text: string;
  recall: boolean;
  status: AnnouncementStatus;
  chimed: boolean;
  speech: SpeechOutcome;
}

/** The slices of Web Speech and Web Audio the announcer uses (so it runs, and is tested, anywhere). */
export interface UtteranceLike {
  lang: string;
  rate: number;
  voice: VoiceLike | null;
  onend: (() => void) | null;
  onerror: (() => void) | null;
}
export interface VoiceLike {
  lang: string;
}
export interface SpeechEngine {
  getVoices(): readonly VoiceLike[];
  speak(utterance: UtteranceLike): void;
  createUtterance(text: string): UtteranceLike;
}
export interface ChimePlayer {
  /** Plays the chime; resolves true when it was heard, false when audio is unavailable. */
  play(): Promise<boolean>;
}

export interface AnnouncerOptions {
  /** Called when an announcement starts (the screen flashes and shows it). */
  onStart?: (call: CallAnnouncement) => void;
  onChange?: (records: readonly AnnouncementRecord[]) => void;
  chime?: ChimePlayer | null;
  speech?: SpeechEngine | null;
  /** Pause between two announcements, so they do not run into each other. */
  gapMs?: number;
  /** How many records to keep for inspection. */
  keep?: number;
}

/** "A12" → "A 12": speech engines read the letter and the number apart. */
export function spokenTicket(ticket: string): string {
  return ticket.replace(/^([A-Za-z]+)\s*(\d+)$/, '$1 $2');
}

/** The sentence for a call, in the customer's language. */
export function announcementText(
  call: Pick<CallAnnouncement, 'ticket' | 'deskName' | 'lang'>,
): string {
  const ticket = spokenTicket(call.ticket);
  // A desk named "3" reads "desk 3"; a desk named "Desk 3" or "Repairs" is said as named.
  const bare = /^\s*[\p{N}\p{Lu}]{1,3}\s*$/u.test(call.deskName);
  return bare
    ? tr(call.lang, 'screen.announce', { ticket, desk: call.deskName.trim() })
    : tr(call.lang, 'screen.announceNamed', { ticket, desk: call.deskName });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function pickVoice(speech: SpeechEngine, lang: string): VoiceLike | null {
  const locale = localeFor(lang).toLowerCase();
  const prefix = locale.split('-')[0] ?? locale;
  const voices = speech.getVoices();
  return (
    voices.find((v) => v.lang.toLowerCase() === locale) ??
    voices.find((v) => v.lang.toLowerCase().startsWith(prefix)) ??
    null
  );
}

/** Speaks and resolves when done; never cancels what is being said. */
function speak(speech: SpeechEngine | null, text: string, lang: string): Promise<SpeechOutcome> {
  if (speech === null) return Promise.resolve('unavailable');
  const voices = speech.getVoices();
  const voice = pickVoice(speech, lang);
  // With voices listed but none for this language, saying it with a wrong voice helps nobody.
  if (voices.length > 0 && voice === null) return Promise.resolve('no-voice');
  return new Promise((resolve) => {
    let settled = false;
    const done = (outcome: SpeechOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    // A stuck engine must not stop the queue: give up waiting (without cancelling) after a
    // generous time for the sentence.
    const timer = setTimeout(() => done('timeout'), 6000 + text.length * 150);
    try {
      const utterance = speech.createUtterance(text);
      utterance.lang = localeFor(lang);
      if (voice !== null) utterance.voice = voice;
      utterance.rate = 0.9;
      utterance.onend = () => done('spoken');
      utterance.onerror = () => done('error');
      speech.speak(utterance);
    } catch {
      done('error');
    }
  });
}

export class Announcer {
  private readonly seen = new Set<string>();
  private readonly queue: CallAnnouncement[] = [];
  private readonly records: AnnouncementRecord[] = [];
  private running = false;
  private disposed = false;

  constructor(private readonly options: AnnouncerOptions = {}) {}

  /** Queues a call unless its key was already announced or queued. Returns whether it was. */
  enqueue(call: CallAnnouncement): boolean {
    if (this.seen.has(call.key)) return false;
    this.seen.add(call.key);
    this.queue.push(call);
    this.records.push({
      key: call.key,
      customerId: call.customerId,
      ticket: call.ticket,
      deskName: call.deskName,
      lang: call.lang,
      text: announcementText(call),
      recall: call.recall,
      status: 'queued',
      chimed: false,
      speech: 'pending',
    });
    const keep = this.options.keep ?? 200;
    if (this.records.length > keep) this.records.splice(0, this.records.length - keep);
    this.emit();
    void this.pump();
    return true;
  }

  list(): readonly AnnouncementRecord[] {
    return this.records;
  }

  dispose(): void {
    this.disposed = true;
  }

  private emit() {
    this.options.onChange?.(this.records.map((r) => ({ ...r })));
  }

  private update(key: string, patch: Partial<AnnouncementRecord>) {
    const record = this.records.find((r) => r.key === key);
    if (record !== undefined) Object.assign(record, patch);
    this.emit();
  }

  private async chime(): Promise<boolean> {
    try {
      return (await this.options.chime?.play()) ?? false;
    } catch {
      return false;
    }
  }

  private async pump() {
    if (this.running) return;
    this.running = true;
    try {
      for (
        let call = this.queue.shift();
        call !== undefined && !this.disposed;
        call = this.queue.shift()
      ) {
        this.update(call.key, { status: 'playing' });
        this.options.onStart?.(call);
        const chimed = await this.chime();
        this.update(call.key, { chimed });
        const speech = await speak(this.options.speech ?? null, announcementText(call), call.lang);
        this.update(call.key, { speech, status: 'done' });
        await sleep(this.options.gapMs ?? 700);
      }
    } finally {
      this.running = false;
    }
  }
}
