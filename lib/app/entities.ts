/**
 * Every entity module of the single table, imported once so that an entry point (the GraphQL
 * handler, the stream, the jobs, the CLI) composes all of them: `lib/db` composes what is
 * registered and knows no domain itself.
 */
import '../customers/customers.entities.js';
import '../events/events.entities.js';
import '../flows/flows.entities.js';
import '../idempotency/idempotency.entities.js';
import '../loyalty/loyalty.entities.js';
import '../metrics/domain-reports.entities.js';
import '../metrics/metrics.entities.js';
import '../metrics/metrics.segment-entities.js';
import '../orders/orders.entities.js';
import '../predictions/predictions.entities.js';
import '../referrals/referrals.entities.js';
import '../shops/shops.entities.js';
import '../streams/dead-letters.entities.js';
import '../surveys/surveys.entities.js';
import '../throttle/throttle.entities.js';
import '../webhooks/webhooks.entities.js';
