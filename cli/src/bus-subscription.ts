import type { BusEvent, EventBus } from "@vigil/sensor/bus";

/**
 * One bus subject as the async iterable a GraphQL subscription consumes: messages `decode` refuses
 * (malformed, another tenant's) are skipped. Written by hand so that closing the GraphQL subscription
 * unsubscribes at once, even while it waits for a message.
 */
export function subscribeDecoded<T>(bus: EventBus, subject: string, decode: (event: BusEvent) => T | undefined): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const subscription = bus.subscribe(subject);
      let inner: AsyncIterator<BusEvent> | undefined;
      return {
        async next() {
          inner ??= (await subscription)[Symbol.asyncIterator]();
          for (;;) {
            const step = await inner.next();
            if (step.done) return { done: true, value: undefined };
            const value = decode(step.value);
            if (value !== undefined) return { done: false, value };
          }
        },
        async return() {
          (await subscription).unsubscribe();
          return { done: true, value: undefined };
        },
      };
    },
  };
}
