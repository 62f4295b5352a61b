// One holder at a time across `await`s: the SQLite repo's transactions share one connection,
// so the next one may BEGIN only after the last one has committed or rolled back.
export class AsyncMutex {
  private tail: Promise<void> = Promise.resolve();

  /** Runs `fn` once every earlier holder is done (in call order); releases however it ends. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const before = this.tail;
    let release = (): void => {};
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await before;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
