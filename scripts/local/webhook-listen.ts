import { createServer } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { systemClock } from '../../lib/common/clock.js';
import { createSubscription, deleteSubscription } from '../../lib/webhooks/webhooks.service.js';

/**
 * `npm run admin -- webhook-listen`: a local receiver (as `stripe listen` is) that subscribes itself
 * to the shop's events, verifies each delivery's signature with standardwebhooks, prints the event
 * and answers 204 (400 for a bad signature). Ctrl-C deletes the subscription.
 */
export async function webhookListen(options: { shop: string; port: number; types: string[] }): Promise<void> {
  const url = `http://127.0.0.1:${options.port}/webhooks`;
  let verifier: Webhook | undefined;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      try {
        const event = verifier!.verify(body, req.headers as Record<string, string>) as { id: string; type: string; test?: boolean; data: unknown };
        console.log(`${new Date().toISOString()}  ${event.type}${event.test ? ' (test)' : ''}  ${event.id}\n${JSON.stringify(event.data, null, 2)}`);
        res.writeHead(204).end();
      } catch (error) {
        console.error(`rejected a delivery: ${(error as Error).message}`);
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(options.port, '127.0.0.1', resolve));
  const { subscription, secret } = await createSubscription(options.shop, { url, eventTypes: options.types, description: 'webhook-listen' }, systemClock.now());
  verifier = new Webhook(secret);
  console.log(`Listening on ${url} for ${options.types.join(', ')} of shop ${options.shop} (subscription ${subscription.subscriptionId}). Ctrl-C to stop.`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void deleteSubscription(options.shop, subscription.subscriptionId)
        .catch(() => undefined)
        .then(() => server.close(() => resolve()));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  console.log('Subscription deleted.');
}
