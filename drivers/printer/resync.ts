// Bringing a printer back to a known state after a job that may have been cut off. A printer that
// received part of a command (say the first rows of a GS v 0 raster) keeps waiting for the count
// of data bytes the command declared, so the next ticket's bytes would be read as image data.
//
// The Epson ESC/POS reference gives one real-time command for this: DLE DC4 fn=8 "Clear
// buffer(s)" (10 14 08 01 03 14 01 06 02 08): it is processed on arrival, cancels the command in
// progress, clears the receive and print buffers and answers 37 25 00; nothing may be sent until
// that answer. Not every printer has it (TM-T20/T88IV and later do; many 58 mm clones do not), so
// when the answer does not come, or the link is one-way, the fallback is the one every ESC/POS
// printer obeys: NUL bytes, as many as the longest command of the failed job could still be
// waiting for (NUL is data inside a pending command and ignored outside one), then ESC @
// (initialise: back to standard mode, default styles, code page). DLE ENQ 2 only recovers from
// errors and CAN only clears page mode, so neither is used.
//
// Either way the ticket's stub (the lines printed before the failure) is then cut off with
// GS V 66 0 (feed to the cutter, partial cut), so it is not handed out on top of the next ticket.

export const CLEAR_BUFFERS = Uint8Array.of(
  0x10,
  0x14,
  0x08,
  0x01,
  0x03,
  0x14,
  0x01,
  0x06,
  0x02,
  0x08,
);
export const CLEAR_RESPONSE = [0x37, 0x25, 0x00] as const;
export const INITIALISE = Uint8Array.of(0x1b, 0x40);
export const FEED_AND_CUT = Uint8Array.of(0x1d, 0x56, 66, 0);

const ESC = 0x1b;
const GS = 0x1d;

/**
 * The most data bytes any command of `job` declares (header included), at most the job's length:
 * a cut-off job can leave the printer waiting for no more than that. Every header-like match
 * counts, even one inside image data: an over-estimate only costs a few more NULs.
 */
export function longestCommand(job: Uint8Array): number {
  let longest = 0;
  for (let i = 0; i < job.length; i++) {
    const b = job[i];
    if (b !== GS && b !== ESC) continue;
    const at = (k: number): number => job[i + k] ?? 0;
    let length = 0;
    if (b === GS && at(1) === 0x76 && at(2) === 0x30) {
      length = 8 + (at(4) + at(5) * 256) * (at(6) + at(7) * 256); // GS v 0 m xL xH yL yH
    } else if (b === GS && at(1) === 0x28) {
      length = 5 + at(3) + at(4) * 256; // GS ( fn pL pH ...
    } else if (b === ESC && at(1) === 0x2a) {
      const perColumn = at(2) === 32 || at(2) === 33 ? 3 : 1; // ESC * m nL nH ...
      length = 5 + (at(3) + at(4) * 256) * perColumn;
    }
    if (length > longest) longest = length;
  }
  return Math.min(longest, job.length);
}

/** The fallback: complete whatever command is pending with NULs, then initialise and cut. */
export function paddedReset(failedJob: Uint8Array): Uint8Array {
  const padding = longestCommand(failedJob);
  const bytes = new Uint8Array(padding + INITIALISE.length + FEED_AND_CUT.length);
  bytes.set(INITIALISE, padding);
  bytes.set(FEED_AND_CUT, padding + INITIALISE.length);
  return bytes;
}

/** After a Clear response: the printer holds nothing; initialise and cut off the stub. */
export function resetAfterClear(): Uint8Array {
  return Uint8Array.of(...INITIALISE, ...FEED_AND_CUT);
}
