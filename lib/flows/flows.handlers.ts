import { systemClock } from '../common/clock.js';
import type { EventHandler } from '../events/index.js';
import { flowTriggerTypes } from './flows.inputs.js';
import { creditGoal, enterFlowsFor } from './flows.service.js';

/** Enters customers into the active flows an event triggers (entry times come from the event, not the clock). */
export const flowEntryHandler: EventHandler = {
  name: 'flows.entry',
  types: flowTriggerTypes,
  handle: async (event) => {
    await enterFlowsFor(event, systemClock);
  },
};

/** Credits orders, refunds and cancellations to the customer's entries inside their goal windows. */
export const flowGoalHandler: EventHandler = {
  name: 'flows.goal',
  types: ['order.recorded', 'order.refunded', 'order.cancelled'],
  handle: async (event) => {
    await creditGoal(event);
  },
};
