import type { Projection } from './handler.js';

/** Every read model the stream maintains, in the order they are applied. */
export const projections: Projection[] = [];
