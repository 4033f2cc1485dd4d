/**
 * The accounts module's public surface: other modules and routes import from
 * here only. Accounts owns users, sessions, password resets, log-in
 * attempts, shop memberships and staff invitations.
 */
export {
  createUserAccount,
  signUp,
  logIn,
  logOut,
  changePassword,
  updateProfile,
  getAccountOverview,
  revokeOwnSession,
  getUser,
  getUserByEmail,
  findUserEmail,
  grantReviewer,
  LOGIN_WINDOW_MS,
  MAX_FAILURES_PER_EMAIL,
  MAX_FAILURES_PER_IP,
  type AccountUser,
  type RequestMeta,
  type NewSession,
  type SessionView,
} from "./accounts.service.server";
export { requestPasswordReset, isPasswordResetTokenUsable, resetPassword, RESET_TTL_MS } from "./password-reset.service.server";
export {
  addShopMember,
  getShopMembership,
  listMembershipsOfUser,
  userHasShops,
  listShopTeam,
  removeStaffMember,
  type Membership,
  type MemberRole,
  type TeamMember,
  type PendingInvite,
} from "./memberships.service.server";
export { inviteStaff, revokeInvite, getInvitation, acceptInvitation, INVITE_TTL_MS, type InvitationView } from "./invites.service.server";
export {
  getOptionalUser,
  requireUser,
  requireReviewer,
  requireShopMember,
  requestMeta,
  sessionCookie,
  clearSessionCookie,
  type SessionUser,
} from "./guards.server";
