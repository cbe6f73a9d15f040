/** The console's operations: only what the schema offers (schema/*.graphql). */

const money = 'amount currencyCode';
const definitions = 'definitions { granularity lookback timeZone revenueBasis currencyCode }';
const retentionFields = `${definitions}
    periods {
      period customersAtStart customersAtEnd newCustomers retainedCustomers reactivatedCustomers lostCustomers
      customerRetentionRate churnRate orders revenue { ${money} } averageOrderValue { ${money} }
      repeatCustomers repeatPurchaseRate returningCustomerRate returningRevenue { ${money} }
    }
    totals { orders customersAtEnd }`;
const programDefinitions = 'definitions { granularity timeZone revenueBasis currencyCode formulas }';
const groupPurchases = `customers repeatCustomers repeatPurchaseRate orders revenue { ${money} } averageOrderValue { ${money} }`;
const listedCustomer = `id externalId email firstName lastName
        statistics { ordersCount lastOrderAt totalSpent { ${money} } }
        churnRisk { level daysSinceLastOrder typicalIntervalDays }
        prediction { status probabilityAlive predictedValue { ${money} } }`;

export const overviewQuery = `
query ConsoleOverview($granularity: MetricsGranularity!, $from: String!, $to: String!, $segmentsFrom: DateTime!, $segmentsTo: DateTime!) {
  shop { name currencyCode timeZone revenueBasis }
  previousPeriod: retentionReport(granularity: $granularity, from: $from, to: $to, lookback: PREVIOUS_PERIOD) { ${retentionFields} }
  allPrior: retentionReport(granularity: $granularity, from: $from, to: $to, lookback: ALL_PRIOR) { ${retentionFields} }
  cohortReport(granularity: $granularity, from: $from, to: $to) {
    ${definitions}
    cohorts { cohort size cells { offset period activeCustomers retention cumulativeRevenuePerCustomer { ${money} } } }
  }
  lifetimeValueReport(granularity: $granularity, from: $from, to: $to) {
    ${definitions}
    customers averageHistoricValue { ${money} } averageOrderValue { ${money} } purchaseFrequency meanChurnRate expectedLifespan projectedValue { ${money} }
  }
  predictionModel {
    status reason fittedAt timeUnit customers repeatCustomers logLikelihood
    parameters { r alpha a b p q gamma }
  }
  topPredicted: customers(first: 10, sort: PREDICTED_VALUE_DESC) { nodes { ${listedCustomer} } }
  atRisk: customers(first: 20, filter: { segment: AT_RISK }) { nodes { ${listedCustomer} } }
  segmentCounts(from: $segmentsFrom, to: $segmentsTo) { computedAt customers groups { group customers } }
  loyaltyReport(granularity: $granularity, from: $from, to: $to) {
    ${programDefinitions}
    periods {
      period pointsIssued pointsRedeemed pointsExpired pointsReversed outstandingPoints members newMembers
      memberPurchases { ${groupPurchases} } nonMemberPurchases { ${groupPurchases} }
    }
  }
  referralReport(granularity: $granularity, from: $from, to: $to) {
    ${programDefinitions}
    periods { period referralsStarted referralsCompleted referralsRejected completionRate referredRevenue { ${money} } }
  }
  feedbackReport(granularity: $granularity, from: $from, to: $to) {
    ${programDefinitions}
    periods {
      period responses invitations responseRate
      nps { score promoters passives detractors responses }
      csat { score satisfied responses }
      ces { mean responses }
    }
  }
}`;

export const customerQuery = `
query ConsoleCustomer($id: ID!) {
  shop { currencyCode timeZone }
  customer(id: $id) {
    id externalId email firstName lastName createdAt tags erasedAt latestNpsCategory
    statistics { ordersCount totalSpent { ${money} } averageOrderValue { ${money} } firstOrderAt lastOrderAt averageDaysBetweenOrders }
    orders(first: 50) { nodes { orderId placedAt status total { ${money} } refunded { ${money} } netTotal { ${money} } referralCode } }
    loyalty {
      pointsName joined joinedAt
      balance { available pending lifetimeEarned lifetimeSpent shortfall }
      tier { currentTier { name } nextTier { name } progressValue amountToNextTier }
      pointsExpiringSoon { date points }
      entries(first: 50) { nodes { at type points reason sourceType expiresAt } }
    }
    referral { code url visits rewardsEarned referralsByStatus { status count } }
    rfm { recency frequency monetary group computedAt }
    churnRisk { level daysSinceLastOrder typicalIntervalDays expectedNextOrderAt }
    prediction {
      status reason probabilityAlive expectedPurchases expectedAverageOrderValue { ${money} } predictedValue { ${money} }
      expectedNextOrderAt computedAt frequency recencyWeeks ageWeeks
    }
  }
}`;
