/**
 * The RFM groups a customer is segmented into. Declared with customers (who are listed by their
 * group, `customers(filter: { segment })`); the segmentation in lib/metrics computes them.
 */
export type RfmGroup =
  | 'CHAMPIONS'
  | 'LOYAL'
  | 'POTENTIAL_LOYALIST'
  | 'NEW'
  | 'PROMISING'
  | 'NEEDS_ATTENTION'
  | 'ABOUT_TO_SLEEP'
  | 'AT_RISK'
  | 'CANNOT_LOSE'
  | 'HIBERNATING'
  | 'LOST';

export const RFM_GROUPS: readonly RfmGroup[] = [
  'CHAMPIONS',
  'LOYAL',
  'POTENTIAL_LOYALIST',
  'NEW',
  'PROMISING',
  'NEEDS_ATTENTION',
  'ABOUT_TO_SLEEP',
  'AT_RISK',
  'CANNOT_LOSE',
  'HIBERNATING',
  'LOST',
];
