/**
 * `source` without the values `keep` rejects. Hand-written instead of an async generator: a
 * generator suspended in `await source.next()` cannot be returned until the next value arrives,
 * so a client unsubscribing from a quiet tenant would hold its feed subscription open.
 */
export function filterAsync<T>(source: AsyncIterable<T>, keep: (value: T) => boolean): AsyncIterableIterator<T> {
  const inner = source[Symbol.asyncIterator]();
  const done = (): IteratorResult<T> => ({ done: true, value: undefined });
  return {
    async next() {
      for (;;) {
        const result = await inner.next();
        if (result.done || keep(result.value)) return result;
      }
    },
    async return() {
      await inner.return?.();
      return done();
    },
    async throw(error?: unknown) {
      await inner.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
