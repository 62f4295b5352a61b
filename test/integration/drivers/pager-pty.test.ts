// Pagers over real ptys (socat): each protocol against the transmitter simulator, NAK → retry,
// a silent transmitter → a reported failure.
import { afterEach, describe, expect, it } from 'vitest';
import { openPager, PagerError } from '../../../drivers/pager/index.js';
import type { Pager } from '../../../drivers/pager/index.js';
import { startPagerSimulator } from '../../../drivers/sim/pager-sim.js';
import type { PagerSimulator, PagerSimulatorOptions } from '../../../drivers/sim/pager-sim.js';

let sim: PagerSimulator | null = null;
let pager: Pager | null = null;

afterEach(async () => {
  await pager?.close();
  await sim?.close();
  pager = null;
  sim = null;
});

async function setup(
  options: PagerSimulatorOptions,
  extra: { timeoutMs?: number; retries?: number } = {},
) {
  sim = await startPagerSimulator(options);
  pager = openPager(`serial:${sim.hostPath}`, {
    ...options,
    timeoutMs: extra.timeoutMs ?? 1000,
    retries: extra.retries ?? 2,
    retryDelayMs: 50,
  });
  return { sim, pager };
}

describe.each([
  { protocol: 'jtech' as const },
  { protocol: 'waveware' as const },
  { protocol: 'waveware' as const, dialect: 'scope' as const },
  { protocol: 'tap' as const },
  { protocol: 'lrs' as const, systemId: 2 },
])('$protocol $dialect over a pty', (options) => {
  it('pages a pager number and the transmitter gets it', async () => {
    const { sim, pager } = await setup(options);
    await pager.page(12, 'Your turn: A12');
    const [page] = await sim.waitForPages(1);
    expect(page?.pagerNumber).toBe(12);
    expect(page?.message).toBe('Your turn: A12');
    expect(pager.health()).toEqual({ configured: true, ok: true, message: null });
  });

  it('retries after a NAK and gets through', async () => {
    const { sim, pager } = await setup(options);
    sim.nakNext(1);
    await pager.page(7, 'A7');
    expect(sim.pages().map((p) => p.pagerNumber)).toEqual([7]);
  });
});

describe('failures are reported, never lost', () => {
  it('a transmitter that never answers fails the page after the retries, with the reason', async () => {
    const { sim, pager } = await setup({ protocol: 'jtech' }, { timeoutMs: 200, retries: 1 });
    sim.setSilent(true);
    const healths: boolean[] = [];
    pager.onHealth((h) => healths.push(h.ok));
    const error = await pager.page(3).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagerError);
    expect((error as PagerError).code).toBe('timeout');
    expect((error as PagerError).attempts).toBe(2);
    expect((error as PagerError).message).toMatch(
      /Pager 3 was not paged: the transmitter did not answer/,
    );
    expect(pager.health()).toMatchObject({ ok: false });
    expect(healths).toEqual([false]);
    // it comes back: the next page succeeds and health recovers
    sim.setSilent(false);
    await pager.page(4);
    expect(pager.health().ok).toBe(true);
  });

  it('keeps NAKing → fails after all attempts', async () => {
    const { sim, pager } = await setup({ protocol: 'waveware' }, { retries: 2 });
    sim.nakNext(5);
    const error = await pager.page(9, 'x').catch((e: unknown) => e);
    expect((error as PagerError).attempts).toBe(3);
    expect(sim.pages()).toEqual([]);
  });

  it('TAP: a rejected block (RS) is not retried', async () => {
    const { sim, pager } = await setup({ protocol: 'tap' });
    sim.nakNext(1, true);
    const error = await pager.page(5, 'x').catch((e: unknown) => e);
    expect((error as PagerError).code).toBe('rejected');
    expect((error as PagerError).message).toMatch(/rejected the page/);
  });

  it('a missing serial device shows in health and fails pages clearly', async () => {
    pager = openPager('serial:/dev/lineup-no-such-tty', { protocol: 'jtech', retries: 0 });
    const error = await pager.page(1).catch((e: unknown) => e);
    expect((error as PagerError).code).toBe('unreachable');
    expect(pager.health().ok).toBe(false);
  });

  it('rejects bad pager numbers at once', async () => {
    const { pager } = await setup({ protocol: 'jtech' });
    await expect(pager.page(-1)).rejects.toMatchObject({ code: 'invalid' });
    await expect(pager.page(1.5)).rejects.toMatchObject({ code: 'invalid' });
  });
});
