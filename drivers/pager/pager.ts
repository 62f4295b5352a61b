// Pagers: one serial transport, a pluggable transmitter protocol, pages sent one at a time, each
// retried on NAK / timeout and, if it still fails, rejected with the reason and reflected in
// health(): a page is never silently lost.
import type { PeripheralHealth } from '../health.js';
import { Dialogue, sequence } from '../transport/dialogue.js';
import type { Matcher } from '../transport/dialogue.js';
import type { ByteTransport } from '../transport/types.js';
import { TransportError } from '../transport/types.js';
import {
  ACK,
  CR,
  ESC,
  EOT,
  NAK,
  RS,
  TAP_LOGIN,
  TAP_LOGOUT,
  TAP_WAKE,
  capcodeFor,
  encodeJtech,
  encodeLrs,
  encodeScope,
  encodeTapBlock,
  encodeWaveware,
  parseByteReply,
  parseLineReply,
  parseWavewareReply,
} from './protocols.js';
import type { CapcodeOptions, PagerProtocolName, Reply } from './protocols.js';

export type PagerErrorCode = 'invalid' | 'rejected' | 'timeout' | 'unreachable' | 'closed';

export class PagerError extends Error {
  constructor(
    readonly code: PagerErrorCode,
    message: string,
    readonly attempts = 0,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PagerError';
  }
}

export interface PagerOptions extends CapcodeOptions {
  protocol: PagerProtocolName;
  /** WaveWare encoders speak their own protocol or Scope's. */
  dialect?: 'waveware' | 'scope';
  /** How long to wait for each reply. */
  timeoutMs?: number;
  /** Extra attempts after the first. */
  retries?: number;
  retryDelayMs?: number;
  /** Text sent when page() gets none (vibrate-only pagers ignore it). */
  defaultMessage?: string;
}

export interface Pager {
  page(pagerNumber: number, message?: string): Promise<void>;
  health(): PeripheralHealth;
  onHealth(listener: (health: PeripheralHealth) => void): () => void;
  close(): Promise<void>;
}

/** Errors a retry cannot fix (bad capcode, rejected block). */
class Permanent extends Error {}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const replyMatcher =
  (parse: (buf: Uint8Array) => Reply): Matcher<{ result: 'ack' | 'nak'; detail: string }> =>
  (buf) => {
    const r = parse(buf);
    return r ? { value: { result: r.result, detail: r.detail }, consumed: r.consumed } : null;
  };

/** First of several byte sequences to show up. */
const oneOf =
  <K extends string>(options: Record<K, number[]>): Matcher<K> =>
  (buf) => {
    let best: { value: K; consumed: number; at: number } | null = null;
    for (const [key, seq] of Object.entries(options) as [K, number[]][]) {
      const m = sequence(...seq)(buf);
      if (m && (!best || m.consumed - seq.length < best.at)) {
        best = { value: key, consumed: m.consumed, at: m.consumed - seq.length };
      }
    }
    return best ? { value: best.value, consumed: best.consumed } : null;
  };

export class SerialPager implements Pager {
  private readonly dialogue: Dialogue;
  private queue: Promise<unknown> = Promise.resolve();
  private current: PeripheralHealth = { configured: true, ok: true, message: null };
  private readonly listeners = new Set<(health: PeripheralHealth) => void>();
  private closed = false;

  constructor(
    private readonly transport: ByteTransport,
    private readonly options: PagerOptions,
  ) {
    this.dialogue = new Dialogue(transport);
  }

  health(): PeripheralHealth {
    return this.current;
  }

  onHealth(listener: (health: PeripheralHealth) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private setHealth(ok: boolean, message: string | null): void {
    if (this.current.ok === ok && this.current.message === message) return;
    this.current = { configured: true, ok, message };
    for (const l of [...this.listeners]) {
      try {
        l(this.current);
      } catch {
        // ignore listener bugs
      }
    }
  }

  /** Opens the link in the background so health() tells early when the port is missing. */
  async probe(): Promise<void> {
    try {
      await this.transport.open();
    } catch (error) {
      this.setHealth(false, `The pager transmitter cannot be reached: ${(error as Error).message}`);
    }
  }

  page(pagerNumber: number, message?: string): Promise<void> {
    if (this.closed) return Promise.reject(new PagerError('closed', 'The pager driver is closed.'));
    if (!Number.isInteger(pagerNumber) || pagerNumber < 0 || pagerNumber > 99999) {
      return Promise.reject(
        new PagerError('invalid', `Pager number must be 0..99999, got ${pagerNumber}.`),
      );
    }
    const run = this.queue.then(() =>
      this.sendWithRetries(pagerNumber, message ?? this.options.defaultMessage ?? ''),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async sendWithRetries(pagerNumber: number, message: string): Promise<void> {
    const attempts = 1 + (this.options.retries ?? 2);
    let last: unknown = null;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        await this.transport.open();
        this.dialogue.clear();
        await this.sendOnce(pagerNumber, message);
        this.setHealth(true, null);
        return;
      } catch (error) {
        last = error;
        if (error instanceof Permanent || error instanceof RangeError) break;
        if (attempt < attempts) await delay(this.options.retryDelayMs ?? 300);
      }
    }
    const why =
      last instanceof TransportError
        ? last.code === 'timeout'
          ? 'the transmitter did not answer'
          : last.code === 'connect_failed'
            ? 'the transmitter cannot be reached'
            : last.message
        : last instanceof Error
          ? last.message
          : String(last);
    const code: PagerErrorCode =
      last instanceof Permanent || last instanceof RangeError
        ? 'rejected'
        : last instanceof TransportError && last.code === 'timeout'
          ? 'timeout'
          : last instanceof TransportError
            ? 'unreachable'
            : 'rejected';
    const text = `Pager ${pagerNumber} was not paged: ${why}.`;
    this.setHealth(false, text);
    throw new PagerError(code, text, attempts, { cause: last });
  }

  private async exchange(
    frame: Uint8Array,
    parse: (buf: Uint8Array) => Reply,
    what: string,
  ): Promise<void> {
    await this.dialogue.send(frame);
    const reply = await this.dialogue.expect(
      replyMatcher(parse),
      this.options.timeoutMs ?? 2000,
      what,
    );
    if (reply.result === 'nak') {
      if (/capcode|invalid pager/i.test(reply.detail))
        throw new Permanent(`the transmitter refused it (${reply.detail})`);
      throw new Error(`the transmitter answered NAK (${reply.detail})`);
    }
  }

  private async sendOnce(pagerNumber: number, message: string): Promise<void> {
    const o = this.options;
    switch (o.protocol) {
      case 'jtech':
        return this.exchange(
          encodeJtech(capcodeFor('jtech', pagerNumber, o), message),
          parseByteReply,
          'ACK',
        );
      case 'waveware':
        return o.dialect === 'scope'
          ? this.exchange(
              encodeScope(capcodeFor('waveware', pagerNumber, o), message),
              parseLineReply,
              'Scope reply',
            )
          : this.exchange(
              encodeWaveware(capcodeFor('waveware', pagerNumber, o), message),
              parseWavewareReply,
              'WaveWare reply',
            );
      case 'lrs':
        capcodeFor('lrs', pagerNumber, o); // range check
        return this.exchange(
          encodeLrs(pagerNumber, o.systemId ?? 0, message),
          parseLineReply,
          'LRS reply',
        );
      case 'tap':
        return this.tap(String(pagerNumber), message);
    }
  }

  /** TAP 1.8: wake (CR → "ID="), log in (ESC PG1), send the block, log out (EOT). */
  private async tap(pagerId: string, message: string): Promise<void> {
    const timeout = this.options.timeoutMs ?? 2000;
    let awake = false;
    for (let i = 0; i < 3 && !awake; i++) {
      await this.dialogue.send(TAP_WAKE);
      awake = await this.dialogue
        .expect(
          sequence(...'ID='.split('').map((c) => c.charCodeAt(0))),
          Math.min(timeout, 1000),
          'ID=',
        )
        .then(() => true)
        .catch(() => false);
    }
    if (!awake) throw new TransportError('timeout', 'the TAP terminal never asked for an ID');
    await this.dialogue.send(TAP_LOGIN);
    const login = await this.dialogue.expect(
      oneOf({ ack: [ACK, CR], nak: [NAK, CR], bye: [ESC, EOT] }),
      timeout,
      'TAP login reply',
    );
    if (login !== 'ack') throw new Error(`TAP login refused (${login})`);
    await this.dialogue.expect(sequence(ESC, 0x5b, 0x70, CR), timeout, 'TAP go-ahead'); // ESC [ p CR
    const block = encodeTapBlock(pagerId, message);
    let sent = false;
    for (let i = 0; i < 3 && !sent; i++) {
      await this.dialogue.send(block);
      const reply = await this.dialogue.expect(
        oneOf({ ack: [ACK, CR], nak: [NAK, CR], reject: [RS, CR], bye: [ESC, EOT] }),
        timeout,
        'TAP block reply',
      );
      if (reply === 'ack') sent = true;
      else if (reply === 'reject') throw new Permanent('the TAP terminal rejected the page (RS)');
      else if (reply === 'bye') throw new Error('the TAP terminal hung up');
    }
    if (!sent) throw new Error('the TAP terminal kept answering NAK (checksum?)');
    await this.dialogue.send(TAP_LOGOUT);
    // The page is accepted; a missing goodbye does not undo it.
    await this.dialogue.expect(sequence(ESC, EOT), timeout, 'TAP logout').catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    this.dialogue.dispose();
    await this.transport.close();
  }
}
