export { flowEntryHandler, flowGoalHandler } from './flows.handlers.js';
export { flowAction, flowEvents } from './flows.events.js';
export { createFlow, getFlow, listFlows, transitionFlow, updateFlow, flowReport, enterFlow, enterFlowsFor, creditGoal, type FlowReport, type EntryOutcome } from './flows.service.js';
export { flowCreateInput, flowUpdateInput, flowReportInput, flowTriggerTypes } from './flows.inputs.js';
export { FlowNotFoundError, FlowStatusError } from './flows.errors.js';
export type { FlowItem } from './flows.entities.js';
