import type { CodegenConfig } from '@graphql-codegen/cli';

// Resolver types are generated from the SDL so that every GraphQL shape is declared once.
const config: CodegenConfig = {
  schema: 'schema/*.graphql',
  generates: {
    'lib/graphql/__generated__/typedefs.ts': { plugins: ['./scripts/codegen-typedefs.cjs'] },
    'lib/graphql/__generated__/resolvers.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        useIndexSignature: true,
        contextType: '../context.js#GraphQLContext',
        enumsAsTypes: true,
        scalars: { DateTime: 'string', JSON: 'unknown', MinorUnits: 'number', SafeInt: 'number' },
        mappers: {
          Customer: '../mappers.js#CustomerModel',
          Order: '../mappers.js#OrderModel',
          ApiKey: '../mappers.js#ApiKeyModel',
          Shop: '../mappers.js#ShopModel',
          CustomerPrediction: '../mappers.js#CustomerPredictionModel', PredictionJob: '../mappers.js#PredictionJobModel',
          LoyaltyProgram: '../mappers.js#LoyaltyProgramModel', LoyaltyReward: '../mappers.js#LoyaltyRewardModel', LoyaltyCoupon: '../mappers.js#LoyaltyCouponModel', LoyaltyAccount: '../mappers.js#LoyaltyAccountModel', LoyaltyLedgerEntry: '../mappers.js#LoyaltyEntryModel',
          ReferralProgram: '../mappers.js#ReferralProgramModel', Referral: '../mappers.js#ReferralModel', ReferralCoupon: '../mappers.js#ReferralCouponModel', CustomerReferral: '../mappers.js#CustomerReferralModel',
          Survey: '../mappers.js#SurveyModel', SurveyResponse: '../mappers.js#SurveyResponseModel', SurveyInvitation: '../mappers.js#SurveyInvitationModel', FeedbackFollowUp: '../mappers.js#FeedbackFollowUpModel',
          WebhookSubscription: '../mappers.js#WebhookSubscriptionModel', WebhookDelivery: '../mappers.js#WebhookDeliveryModel', Event: '../mappers.js#EventModel',
        },
        avoidOptionals: { field: false, inputValue: false, object: false },
        maybeValue: 'T | null',
        inputMaybeValue: 'T | null | undefined',
      },
    },
  },
};
export default config;
