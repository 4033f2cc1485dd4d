/**
 * Who is calling the open API: what a valid access token resolves to.
 * Produced by the OAuth module (`verifyAccessToken`), consumed by the
 * `/api/v1` router and anything else that accepts bearer tokens.
 */
export interface ApiPrincipal {
  /** the tenant: every query of the request runs under this shop */
  shopId: string;
  installId: string;
  extensionId: string;
  clientId: string;
  /** the grant the token belongs to; uninstall revokes every token of it */
  grantId: string;
  /** scopes granted to this token (⊆ install's granted scopes) */
  scopes: string[];
}

/** Resolves a bearer token to its principal, or null when unknown, expired, revoked or for another resource. */
export type VerifyAccessToken = (token: string) => Promise<ApiPrincipal | null>;
