/**
 * The after-sale module's public surface: other modules and routes import
 * from here only. After-sale owns `claims`, `claim_lines`, `claim_photos`,
 * `claim_events` and `aftersale_settings`.
 *
 * - The buyer: {@link openClaim}, {@link shipReturn}, {@link escalateClaim},
 *   {@link withdrawClaim}, {@link getBuyerClaim}, {@link listBuyerClaimsOfOrder}.
 * - The shop: {@link answerClaim}, {@link listShopClaims}, {@link getShopClaim},
 *   {@link listShopClaimsOfOrder}.
 * - Reviewers: {@link decideClaim}, {@link listEscalatedClaims}, {@link getClaimForReview}.
 * - Timers: {@link aftersaleJobs} (worker list), {@link aftersaleConsumers}
 *   (outbox consumer list), {@link fireDeadline}, {@link settleClaimRefund};
 *   {@link setAftersaleTimeScale} shortens every deadline for tests and demos.
 * - The state machine (browser-safe): ./claim-machine.ts.
 */
export {
  openClaim,
  prepareClaimForm,
  answerClaim,
  shipReturn,
  escalateClaim,
  withdrawClaim,
  decideClaim,
  fireDeadline,
  settleClaimRefund,
  claimableKinds,
  getAftersaleTimeScale,
  setAftersaleTimeScale,
  type ClaimActor,
  type ClaimFormData,
  type StepOptions,
  type OpenClaimRequest,
  type DeadlineJobData,
  type DeadlineOutcome,
} from "./claims.service.server";
export {
  getBuyerClaim,
  getShopClaim,
  getClaimForReview,
  listBuyerClaimsOfOrder,
  listShopClaimsOfOrder,
  listShopClaims,
  listEscalatedClaims,
  type ClaimWithOrder,
} from "./claims.queries.server";
export { aftersaleJobs, aftersaleConsumers, aftersaleDeadlinesConsumer, aftersaleRefundOutcomesConsumer, DEADLINE_JOB, SETTLE_REFUND_JOB } from "./jobs.server";
export * from "./aftersale.schema";
export * from "./claim-machine";
