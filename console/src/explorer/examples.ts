import type { DevConnection } from '../dev-connection.js';

interface Tab {
  query: string;
  variables?: string;
  headers?: string;
}

function monthKey(date: Date): string {
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** One tab per domain, over the last twelve months; the storefront tab carries its own headers. */
export function exampleTabs(dev: DevConnection | null, today = new Date()): Tab[] {
  const to = monthKey(today);
  const from = monthKey(new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - 11, 1)));
  const range = JSON.stringify({ from, to }, null, 2);
  // Every tab carries its headers: a secret key for the shop's own tools, and the storefront's pair.
  const headers = JSON.stringify({ authorization: `Bearer ${dev?.secretKey ?? 'sk_…'}` }, null, 2);
  const storefrontHeaders = JSON.stringify(
    {
      authorization: `Bearer ${dev?.publishableKey ?? 'pk_…'}`,
      'x-customer-token': dev?.customerToken ?? 'a customer token signed with the storefront secret',
    },
    null,
    2,
  );
  const storefront: Tab = {
      query: `# Storefront: the signed-in customer's loyalty statement.
# This tab sends the publishable key and a customer token (see Headers below).
query StorefrontStatement {
  me {
    externalId
    statistics { ordersCount totalSpent { amount currencyCode } }
    loyalty {
      pointsName
      balance { available pending lifetimeEarned }
      tier { currentTier { name } amountToNextTier }
      pointsExpiringSoon { date points }
      entries(first: 5) { nodes { at type points reason } }
    }
    referral { code url }
  }
}
`,
      headers: storefrontHeaders,
  };
  return [
    {
      query: `# Metrics: retention and churn per month, with the definitions the numbers use.
query RetentionReport($from: String!, $to: String!) {
  retentionReport(granularity: MONTH, from: $from, to: $to, lookback: PREVIOUS_PERIOD) {
    definitions { granularity lookback timeZone revenueBasis currencyCode }
    periods {
      period customersAtStart newCustomers retainedCustomers lostCustomers
      customerRetentionRate churnRate repeatPurchaseRate
      averageOrderValue { amount currencyCode }
      revenue { amount currencyCode }
    }
    totals { customerRetentionRate churnRate revenue { amount } }
  }
}
`,
      variables: range,
      headers,
    },
    {
      query: `# Win-back: customers of the AT_RISK segment, with their churn risk and predicted value.
query WinBackList {
  customers(first: 20, filter: { segment: AT_RISK }) {
    nodes {
      externalId email firstName
      statistics { ordersCount lastOrderAt totalSpent { amount currencyCode } }
      churnRisk { level daysSinceLastOrder typicalIntervalDays }
      prediction { probabilityAlive predictedValue { amount currencyCode } }
    }
  }
}
`,
      headers,
    },
    {
      query: `# Cohorts and lifetime value.
query CohortsAndValue($from: String!, $to: String!) {
  cohortReport(granularity: MONTH, from: $from, to: $to) {
    definitions { timeZone revenueBasis }
    cohorts { cohort size cells { offset retention cumulativeRevenuePerCustomer { amount } } }
  }
  lifetimeValueReport(granularity: MONTH, from: $from, to: $to) {
    averageHistoricValue { amount } projectedValue { amount } expectedLifespan
  }
  predictionModel { status fittedAt parameters { r alpha a b p q gamma } }
}
`,
      variables: range,
      headers,
    },
    {
      query: `# Programs: loyalty, referrals and feedback per month.
query Programs($from: String!, $to: String!) {
  loyaltyReport(granularity: MONTH, from: $from, to: $to) {
    periods { period pointsIssued pointsRedeemed pointsExpired outstandingPoints members }
  }
  referralReport(granularity: MONTH, from: $from, to: $to) {
    periods { period referralsStarted referralsCompleted referralsRejected completionRate }
  }
  feedbackReport(granularity: MONTH, from: $from, to: $to) {
    periods { period responses nps { score promoters passives detractors } csat { score } ces { mean } }
  }
}
`,
      variables: range,
      headers,
    },
    storefront,
  ];
}
