/**
 * The OAuth module's background work: an hourly sweep of expired codes and
 * tokens, and the `app.uninstalled` consumer that deletes an uninstalled
 * install's grants and tokens. (Tokens already fail the moment the install
 * stops being active — the adapter and the bearer check join the install — so
 * the consumer is clean-up, not the security boundary.)
 */
import type { EventConsumer } from "../events/events.types";
import type { JobDefinition } from "../jobs/index.server";

export const OAUTH_CLEANUP_JOB = "oauth.cleanup";

export const oauthJobs: JobDefinition[] = [
  {
    name: OAUTH_CLEANUP_JOB,
    concurrency: 1,
    schedule: { everyMs: 60 * 60_000 },
    handler: (platform) => async () => {
      await platform.oauth.cleanupExpired();
    },
  },
];

export const oauthUninstallConsumer: EventConsumer = {
  name: "oauth-uninstall",
  topics: ["app.uninstalled"],
  async handle(platform, events) {
    for (const e of events) {
      const installId = typeof e.payload.installId === "string" ? e.payload.installId : e.subjectId;
      if (installId) await platform.oauth.revokeGrantsOfInstall(installId);
    }
  },
};
