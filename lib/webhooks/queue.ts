/** Names one delivery: what travels on the dispatcher's queue (never the body or a secret). */
export interface DeliveryRef {
  tenantId: string;
  subscriptionId: string;
  eventId: string;
}

/**
 * Where deliveries due now are handed to the dispatcher: SQS in AWS (functions/webhook-dispatch.ts),
 * an in-process runner under `npm run dev`, a collecting sink in tests.
 */
export interface DeliveryQueue {
  send(refs: readonly DeliveryRef[]): Promise<void>;
}

/** Collects what is sent; `take` hands it over and empties it (tests, benchmarks). */
export function memoryQueue(): DeliveryQueue & { take(): DeliveryRef[] } {
  let held: DeliveryRef[] = [];
  return {
    send: async (refs) => void held.push(...refs),
    take: () => {
      const out = held;
      held = [];
      return out;
    },
  };
}

let current: DeliveryQueue = memoryQueue();

/** The process's queue (set at start-up by the entry point; a memory sink until then). */
export function deliveryQueue(): DeliveryQueue {
  return current;
}

export function useDeliveryQueue(queue: DeliveryQueue): void {
  current = queue;
}
