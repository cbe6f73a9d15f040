import { newcombeDifference, sampleSizeForPower, twoProportionPValue, welchDifference, type Interval } from './stats.js';

/** One group's counters as the report reads them (sums over the entry days asked for). */
export interface GroupCounters {
  entered: number;
  /** Entries whose goal window is still open and that have not converted yet. */
  pending: number;
  converted: number;
  orders: number;
  /** Net revenue credited to entries, minor units. */
  revenue: number;
  /** Σ over entries of (net revenue per entry)², for Welch. */
  revenueSquares: number;
  /** Discounts on credited orders that used the flow's coupon, minor units. */
  rewardCost: number;
}

export interface GroupFigures extends GroupCounters {
  /** Entries decided: converted, or their window closed without a goal. */
  decided: number;
  conversionRate: number | null;
  revenuePerEntered: number | null;
  ordersPerEntered: number | null;
}

export interface FlowReportFigures {
  treatment: GroupFigures;
  holdout: GroupFigures;
  absoluteLift: (Interval & { value: number }) | null;
  relativeLift: number | null;
  pValue: number | null;
  significant: boolean;
  /** Decided entries each group needs for 80% power at the observed rates; null when they are equal or unknown. */
  requiredPerGroup: { treatment: number; holdout: number } | null;
  incrementalRevenuePerCustomer: (Interval & { value: number }) | null;
  incrementalRevenue: number | null;
  rewardCost: number;
  /** Incremental revenue per unit of reward cost; null without cost. */
  returnOnRewards: number | null;
}

function figuresOf(group: GroupCounters): GroupFigures {
  const decided = Math.max(0, group.entered - group.pending);
  return {
    ...group,
    decided,
    conversionRate: decided > 0 ? group.converted / decided : null,
    revenuePerEntered: group.entered > 0 ? group.revenue / group.entered : null,
    ordersPerEntered: group.entered > 0 ? group.orders / group.entered : null,
  };
}

/**
 * Given the counters of treatment and holdout, returns the report's figures. Conversion compares
 * decided entries only: a customer still inside the goal window is neither a success nor a failure
 * yet. Revenue compares every entry (an open window has earned what it has so far in both groups).
 */
export function flowReportFigures(treatmentCounters: GroupCounters, holdoutCounters: GroupCounters): FlowReportFigures {
  const treatment = figuresOf(treatmentCounters);
  const holdout = figuresOf(holdoutCounters);
  const comparable = treatment.decided > 0 && holdout.decided > 0;
  const lift = comparable ? newcombeDifference(treatment.converted, treatment.decided, holdout.converted, holdout.decided) : null;
  const pValue = comparable ? twoProportionPValue(treatment.converted, treatment.decided, holdout.converted, holdout.decided) : null;
  const required =
    comparable && treatment.conversionRate !== null && holdout.conversionRate !== null
      ? sampleSizeForPower(treatment.conversionRate, holdout.conversionRate, holdout.decided / treatment.decided)
      : null;
  const revenue =
    treatment.entered > 0 && holdout.entered > 0
      ? welchDifference(
          { n: treatment.entered, sum: treatment.revenue, sumOfSquares: treatment.revenueSquares },
          { n: holdout.entered, sum: holdout.revenue, sumOfSquares: holdout.revenueSquares },
        )
      : null;
  const incrementalRevenue = revenue ? revenue.difference * treatment.entered : null;
  const rewardCost = treatment.rewardCost + holdout.rewardCost;
  return {
    treatment,
    holdout,
    absoluteLift: lift ? { value: lift.difference, lower: lift.lower, upper: lift.upper } : null,
    relativeLift: lift && holdout.conversionRate ? lift.difference / holdout.conversionRate : null,
    pValue,
    significant: lift !== null && (lift.lower > 0 || lift.upper < 0),
    requiredPerGroup: required ? { treatment: required.first, holdout: required.second } : null,
    incrementalRevenuePerCustomer: revenue ? { value: revenue.difference, lower: revenue.lower, upper: revenue.upper } : null,
    incrementalRevenue,
    rewardCost,
    returnOnRewards: incrementalRevenue !== null && rewardCost > 0 ? incrementalRevenue / rewardCost : null,
  };
}
