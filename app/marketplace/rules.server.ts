/**
 * What /developers/rules publishes, from the very lists the checks apply
 * (CHECK_RULES, HOOK_FIXTURES, the host's per-hook limits, the scope catalog).
 */
import { HOOK_CONFIG } from "../extensions/hooks.config";
import type { CallLimits } from "../../sandbox/protocol";
import { HOOK_FIXTURES } from "./checks.server";
import { MAX_BUNDLE_BYTES } from "./marketplace.service.server";
import { SCOPES, SCOPE_LABELS, type HookName } from "./marketplace.schema";
import { CHECK_RULES, VERSION_STATUS_LABELS } from "./workflows.schema";

export const HOOK_CONFIG_LIMITS: Record<HookName, CallLimits> = Object.fromEntries(Object.entries(HOOK_CONFIG).map(([hook, c]) => [hook, c.limits])) as Record<HookName, CallLimits>;

export { CHECK_RULES, HOOK_FIXTURES, MAX_BUNDLE_BYTES, SCOPES, SCOPE_LABELS, VERSION_STATUS_LABELS };
