/**
 * The host policy behind every bridge method (what `ctx.*` calls in plugin
 * code). The sandbox guarantees only the method name, the call it belongs to,
 * JSON arguments and the per-call count; everything else is checked here, on
 * every call, by the SDK's `checkBridgeCall` (plugins-sdk/src/policy.ts, the
 * one source of the policy; the harness runs the same function): argument
 * shapes, the install's granted scopes, the call's subject (a hook for buyer X
 * reads buyer X only), and whether the hook may write at all. This file adds
 * what needs the database: the storage quota, look-ups, audit rows.
 *
 * Answers are data, never a rejection: `{ ok: true, value }` or
 * `{ ok: false, error: { code, message } }`, which the bootstrap throws in the
 * plugin as `ScopeError`, `NotFoundError`, `LimitError`, `InvalidArgumentError`.
 * Every call is kept in the invocation's `reads` (the merchant's "what this
 * extension did"); refusals and reads of customers and orders are also
 * audited, with the install as the actor.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../db/database";
import type { BridgeCallRecord } from "../../db/tables/extensions";
import type { BridgeResult } from "../../sandbox/protocol";
import { record } from "../audit/index.server";
import type { ActiveInstall, HookName } from "../marketplace/index.server";
import { getOrder } from "../orders/index.server";
import { getShopCustomer } from "../shops/index.server";
import { checkBridgeCall } from "../../plugins-sdk/src/policy";
import { STORAGE_LIMITS, type HookMode } from "./hooks.config";
import {
  addToCounterWithin,
  deleteCounterOp,
  deleteStorageValue,
  ensureCounter,
  insertCounterOp,
  selectCounter,
  selectStorageKeys,
  selectStorageValue,
  upsertStorageValue,
} from "./extensions.repository.server";

/** Everything the host knows about one invocation; travels as the sandbox call's `meta`. */
export type InvocationMeta = {
  invocationId: string;
  shopId: string;
  install: ActiveInstall;
  hook: HookName;
  mode: HookMode;
  /** whom this call may read: the buyer's customer record, the event's order and its customer */
  subject: { customerIds: string[]; orderIds: string[] };
  /** asynchronous hooks: the delivery's key (effects are applied once per key) */
  idempotencyKey: string | null;
  /** every bridge call of the invocation, in order */
  reads: BridgeCallRecord[];
};

/** The methods the host serves. The sandbox forwards those in its `BRIDGE_METHODS`. */
export const HOST_BRIDGE_METHODS = [
  "settings.get",
  "storage.get",
  "storage.set",
  "storage.delete",
  "storage.list",
  "counters.get",
  "counters.add",
  "customers.get",
  "orders.get",
] as const;


type Answer = { result: BridgeResult; rec: Omit<BridgeCallRecord, "method"> };

const ok = (value: unknown, rec: Omit<BridgeCallRecord, "method" | "result"> = { target: null }): Answer => ({
  result: { ok: true, value: value === undefined ? null : value },
  rec: { ...rec, result: "ok" },
});
const fail = (code: "scope" | "not_found" | "limit" | "invalid" | "internal", message: string, target: string | null, reason?: string): Answer => ({
  result: { ok: false, error: { code, message } },
  rec: {
    target,
    result: code === "scope" ? "denied" : code === "not_found" ? "not_found" : code === "limit" ? "limit" : code === "invalid" ? "invalid" : "error",
    ...(reason ? { reason } : {}),
  },
});

/**
 * Serves one bridge call. Never throws: a failure of the host itself is
 * `{ code: "internal" }` (and logged), so nothing rejects across the boundary.
 */
export async function serveBridge(db: Kysely<Database>, meta: InvocationMeta, method: string, args: unknown[]): Promise<BridgeResult> {
  let answer: Answer;
  try {
    answer = await answerBridge(db, meta, method, Array.isArray(args) ? args : []);
  } catch (e) {
    console.warn(`[extensions] bridge ${method} failed for ${meta.install.installId}: ${e instanceof Error ? e.message : String(e)}`);
    answer = fail("internal", "the host failed to answer", null);
  }
  meta.reads.push({ method, ...answer.rec });
  return answer.result;
}

async function deny(db: Kysely<Database>, meta: InvocationMeta, method: string, target: string | null, reason: "scope" | "subject" | "hook", message: string): Promise<Answer> {
  await record(
    db,
    { type: "extension", id: meta.install.installId },
    "extension.scope_denied",
    { shopId: meta.shopId, type: "install", id: meta.install.installId },
    { method, target, reason, hook: meta.hook, invocationId: meta.invocationId, message },
  );
  return fail("scope", message, target, reason);
}

/** What a call names, for the invocation log and the audit row (a key, a customer or an order id). */
function targetOf(args: unknown[]): string | null {
  const first = args[0];
  return typeof first === "string" && first.length > 0 && first.length <= 256 ? first : null;
}

async function answerBridge(db: Kysely<Database>, meta: InvocationMeta, method: string, args: unknown[]): Promise<Answer> {
  const installId = meta.install.installId;
  // The policy (arguments, scope, subject, which hooks may write, stateless limits)
  // is the SDK's, the same function the harness runs (docs/decisions/0017).
  const checked = checkBridgeCall({
    hook: meta.hook,
    method,
    args,
    grantedScopes: meta.install.grantedScopes,
    subject: meta.subject,
    idempotencyKey: meta.idempotencyKey,
  });
  if (!checked.ok) {
    const { code, message, reason } = checked.error;
    const target = targetOf(args);
    if (code === "scope") return deny(db, meta, method, target, reason ?? "scope", message);
    return fail(code === "not_found" || code === "limit" || code === "invalid" ? code : "internal", message, target);
  }
  const request = checked.request;
  switch (request.method) {
    case "settings.get":
      return ok(meta.install.settings, { target: null, read: "the install's settings" });

    case "storage.get": {
      const row = await selectStorageValue(db, installId, request.key);
      return ok(row ? row.value : null, { target: request.key, read: row ? `storage "${request.key}"` : undefined });
    }

    case "storage.set": {
      const stored = await upsertStorageValue(db, installId, request.key, JSON.stringify(request.value), request.bytes, { bytes: STORAGE_LIMITS.installBytes, keys: STORAGE_LIMITS.installKeys });
      if (!stored) return fail("limit", `storage quota exceeded (${STORAGE_LIMITS.installBytes} bytes, ${STORAGE_LIMITS.installKeys} keys per install)`, request.key);
      return ok(null, { target: request.key });
    }

    case "storage.delete":
      await deleteStorageValue(db, installId, request.key);
      return ok(null, { target: request.key });

    case "storage.list": {
      const keys = await selectStorageKeys(db, installId, { prefix: request.prefix, after: request.after, limit: request.limit + 1 });
      const page = keys.slice(0, request.limit);
      return ok({ keys: page, next: keys.length > request.limit ? page[page.length - 1] : null }, { target: request.prefix || null, read: `${page.length} storage keys` });
    }

    case "counters.get":
      return ok(await selectCounter(db, installId, request.counterKey), { target: request.counterKey, read: `counter "${request.counterKey}"` });

    case "counters.add": {
      const { counterKey: key, delta, bound } = request;
      const r = await addCounterOnce(db, meta, `${meta.idempotencyKey}|add|${key}`, key, delta, bound);
      return ok(r, { target: key, read: r.applied ? `counter "${key}" ${delta > 0 ? "+" : ""}${delta}` : `counter "${key}" unchanged` });
    }

    case "customers.get": {
      const id = request.customerId;
      const c = await getShopCustomer(db, meta.shopId, id);
      if (!c) return fail("not_found", "no such customer", id);
      await record(db, { type: "extension", id: installId }, "extension.customer_read", { shopId: meta.shopId, type: "customer", id }, { hook: meta.hook, invocationId: meta.invocationId });
      return ok({ id: c.id, name: c.name, email: c.email, createdAt: c.createdAt.toISOString() }, { target: id, read: `customer ${id} (id, name, email, createdAt)` });
    }

    case "orders.get": {
      const id = request.orderId;
      const o = await getOrder(db, meta.shopId, id);
      if (!o) return fail("not_found", "no such order", id);
      await record(db, { type: "extension", id: installId }, "extension.order_read", { shopId: meta.shopId, type: "order", id }, { hook: meta.hook, invocationId: meta.invocationId });
      return ok(
        {
          id: o.id,
          status: o.status,
          currency: o.currency,
          customerId: o.customerId,
          subtotal: o.subtotal,
          discountTotal: o.discountTotal,
          shippingTotal: o.shippingTotal,
          total: o.total,
          refundedTotal: o.refundedTotal,
          itemCount: o.itemCount,
          createdAt: iso(o.createdAt),
          paidAt: iso(o.paidAt),
          lines: o.lines.map((l) => ({ lineId: l.id, productId: l.productId, skuId: l.skuId, title: l.title, quantity: l.quantity, unitPrice: l.unitPrice, total: l.total })),
        },
        { target: id, read: `order ${id} (amounts, status, lines; no address)` },
      );
    }

    default:
      return fail("invalid", "unknown capability", null);
  }
}

function iso(d: unknown): string | null {
  if (d === null || d === undefined) return null;
  const date = d instanceof Date ? d : new Date(String(d));
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/**
 * Adds to a counter at most once per `opKey` (a delivery's idempotency key
 * plus what is added), within the bound, in one transaction: a replayed
 * hook finds the op recorded and changes nothing.
 */
export async function addCounterOnce(
  db: Kysely<Database>,
  meta: Pick<InvocationMeta, "install">,
  opKey: string,
  key: string,
  delta: number,
  bound: { min?: number; max?: number },
): Promise<{ applied: boolean; duplicate: boolean; value: number }> {
  const installId = meta.install.installId;
  const run = async (trx: Kysely<Database>) => {
    if (!(await insertCounterOp(trx, installId, opKey, delta))) return { applied: false, duplicate: true, value: await selectCounter(trx, installId, key) };
    await ensureCounter(trx, installId, key);
    const value = await addToCounterWithin(trx, installId, key, delta, bound);
    if (value === undefined) {
      // the bound does not hold: forget the op, so a later delivery may try again
      await deleteCounterOp(trx, installId, opKey);
      return { applied: false, duplicate: false, value: await selectCounter(trx, installId, key) };
    }
    return { applied: true, duplicate: false, value };
  };
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}
