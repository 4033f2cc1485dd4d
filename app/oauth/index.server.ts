/**
 * The OAuth module's public surface (issue 6, items 1, 2 and 5's client half):
 * the authorization server on oidc-provider, install consent, and the
 * developer's OAuth clients. `platform.oauth` ({@link createOAuthService})
 * holds the provider and `verifyAccessToken` for the open API.
 */
export { createOAuthService, type OAuthService } from "./oauth.service.server";
export { registerClient, rotateClientSecret, revokeClient, listClients, getClient, MAX_CLIENTS_PER_EXTENSION, type ClientView } from "./clients.service.server";
export { consentView, approveConsent, type ConsentView, type ConsentScope } from "./consent.service.server";
export { oauthJobs, oauthUninstallConsumer, OAUTH_CLEANUP_JOB } from "./jobs.server";
export { apiResourceOf, CODE_TTL_SECONDS, ACCESS_TOKEN_TTL_SECONDS, REFRESH_TOKEN_TTL_SECONDS, GRANT_TTL_SECONDS, type Provider } from "./provider.server";
export type { ApiPrincipal, VerifyAccessToken } from "./principal";
export * from "./oauth.schema";
