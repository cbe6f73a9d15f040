import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { systemClock } from '../common/clock.js';
import { logger } from '../common/logger.js';
import { useDeliveryQueue, type DeliveryQueue, type DeliveryRef } from './queue.js';
import { dispatchDeliveries } from './webhooks.service.js';

/** The SQS queue the dispatcher Lambda (functions/webhook-dispatch.ts) is fed by: ten refs a request. */
export function sqsDeliveryQueue(queueUrl: string, client = new SQSClient({})): DeliveryQueue {
  return {
    async send(refs) {
      for (let start = 0; start < refs.length; start += 10) {
        const chunk = refs.slice(start, start + 10);
        const result = await client.send(
          new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: chunk.map((ref, index) => ({ Id: String(index), MessageBody: JSON.stringify(ref) })) }),
        );
        // A ref that did not reach the queue is still PENDING in the table: the sweep sends it.
        if (result.Failed?.length) logger.warn('webhook refs not queued; the sweep will send them', { failed: result.Failed.length });
      }
    },
  };
}

/**
 * `npm run dev`'s stand-in for SQS: the same dispatcher, run in the background of the process that
 * queued the refs, so a slow receiver never holds up the request or stream batch that produced them.
 */
export function inProcessDeliveryQueue(): DeliveryQueue {
  return {
    async send(refs: readonly DeliveryRef[]) {
      void dispatchDeliveries(refs, { clock: systemClock }).catch((error: unknown) => logger.error('local webhook dispatch failed', { error: (error as Error).message }));
    },
  };
}

/** Picks the queue for this process: SQS when WEBHOOK_QUEUE_URL is set (AWS), else in-process. */
export function configureDeliveryQueue(env: NodeJS.ProcessEnv = process.env): void {
  useDeliveryQueue(env.WEBHOOK_QUEUE_URL ? sqsDeliveryQueue(env.WEBHOOK_QUEUE_URL) : inProcessDeliveryQueue());
}

/** Given SQS message bodies, returns the refs (a malformed body is dropped: nothing we sent). */
export function refsOf(bodies: readonly string[]): Array<DeliveryRef | undefined> {
  return bodies.map((body) => {
    try {
      const ref = JSON.parse(body) as Partial<DeliveryRef>;
      return typeof ref.tenantId === 'string' && typeof ref.subscriptionId === 'string' && typeof ref.eventId === 'string' ? (ref as DeliveryRef) : undefined;
    } catch {
      return undefined;
    }
  });
}
