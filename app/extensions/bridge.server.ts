/**
 * The host policy behind every bridge method (what `ctx.*` calls in plugin
 * code). The sandbox guarantees only the method name, the call it belongs to,
 * JSON arguments and the per-call count; everything else is checked here, on
 * every call: argument shapes, the install's granted scopes, the call's
 * subject (a hook for buyer X reads buyer X only), and whether the hook may
 * write at all.
 *
 * Answers are data, never a rejection: `{ ok: true, value }` or
 * `{ ok: false, error: { code, message } }`, which the bootstrap throws in the
 * plugin as `ScopeError`, `NotFoundError`, `LimitError`, `InvalidArgumentError`.
 * Every call is kept in the invocation's `reads` (the merchant's "what this
 * extension did"); refusals and reads of customers and orders are also
 * audited, with the install as the actor.
 */
import type { Kysely } from "kysely";
import { z } from "zod";
import type { Database } from "../../db/database";
import type { BridgeCallRecord } from "../../db/tables/extensions";
import type { BridgeResult } from "../../sandbox/protocol";
import { record } from "../audit/index.server";
import type { ActiveInstall, HookName, Scope } from "../marketplace/index.server";
import { getOrder } from "../orders/index.server";
import { getShopCustomer } from "../shops/index.server";
import { COUNTER_LIMITS, STORAGE_LIMITS, type HookMode } from "./hooks.config";
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

const Key = z.string().min(1).max(256);
const Id = z.string().min(1).max(256);

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

function argAt<T>(schema: z.ZodType<T>, args: unknown[], i: number): T | undefined {
  const r = schema.safeParse(args[i]);
  return r.success ? r.data : undefined;
}

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

function hasScope(meta: InvocationMeta, scope: Scope): boolean {
  return meta.install.grantedScopes.includes(scope);
}

async function answerBridge(db: Kysely<Database>, meta: InvocationMeta, method: string, args: unknown[]): Promise<Answer> {
  const installId = meta.install.installId;
  switch (method) {
    case "settings.get":
      return ok(meta.install.settings, { target: null, read: "the install's settings" });

    case "storage.get": {
      const key = argAt(Key, args, 0);
      if (key === undefined) return fail("invalid", "key must be a string of 1–256 characters", null);
      const row = await selectStorageValue(db, installId, key);
      return ok(row ? row.value : null, { target: key, read: row ? `storage "${key}"` : undefined });
    }

    case "storage.set": {
      const key = argAt(Key, args, 0);
      if (key === undefined) return fail("invalid", "key must be a string of 1–256 characters", null);
      if (meta.mode !== "async") return deny(db, meta, method, key, "hook", `storage.set is not available in ${meta.hook}; write from an asynchronous hook`);
      if (args.length < 2 || args[1] === undefined) return fail("invalid", "value is required (use storage.delete to remove a key)", key);
      const json = JSON.stringify(args[1]);
      const bytes = Buffer.byteLength(json, "utf8");
      if (bytes > STORAGE_LIMITS.valueBytes) return fail("limit", `a stored value may be at most ${STORAGE_LIMITS.valueBytes} bytes`, key);
      const stored = await upsertStorageValue(db, installId, key, json, bytes, { bytes: STORAGE_LIMITS.installBytes, keys: STORAGE_LIMITS.installKeys });
      if (!stored) return fail("limit", `storage quota exceeded (${STORAGE_LIMITS.installBytes} bytes, ${STORAGE_LIMITS.installKeys} keys per install)`, key);
      return ok(null, { target: key });
    }

    case "storage.delete": {
      const key = argAt(Key, args, 0);
      if (key === undefined) return fail("invalid", "key must be a string of 1–256 characters", null);
      if (meta.mode !== "async") return deny(db, meta, method, key, "hook", `storage.delete is not available in ${meta.hook}; write from an asynchronous hook`);
      await deleteStorageValue(db, installId, key);
      return ok(null, { target: key });
    }

    case "storage.list": {
      const prefix = args[0] === undefined || args[0] === null ? "" : argAt(z.string().max(256), args, 0);
      if (prefix === undefined) return fail("invalid", "prefix must be a string of at most 256 characters", null);
      const opts = argAt(z.object({ limit: z.number().int().min(1).max(STORAGE_LIMITS.listPage).optional(), after: Key.optional() }).optional(), args, 1);
      if (opts === undefined && args[1] !== undefined) return fail("invalid", `options are { limit?: 1–${STORAGE_LIMITS.listPage}, after?: key }`, prefix);
      const limit = opts?.limit ?? STORAGE_LIMITS.listPage;
      const keys = await selectStorageKeys(db, installId, { prefix, after: opts?.after ?? null, limit: limit + 1 });
      const page = keys.slice(0, limit);
      return ok({ keys: page, next: keys.length > limit ? page[page.length - 1] : null }, { target: prefix || null, read: `${page.length} storage keys` });
    }

    case "counters.get": {
      const key = argAt(Key, args, 0);
      if (key === undefined) return fail("invalid", "counter name must be a string of 1–256 characters", null);
      return ok(await selectCounter(db, installId, key), { target: key, read: `counter "${key}"` });
    }

    case "counters.add": {
      const key = argAt(Key, args, 0);
      if (key === undefined) return fail("invalid", "counter name must be a string of 1–256 characters", null);
      const delta = argAt(z.number().int().min(-COUNTER_LIMITS.maxAbs).max(COUNTER_LIMITS.maxAbs), args, 1);
      if (delta === undefined || delta === 0) return fail("invalid", `delta must be a non-zero integer within ±${COUNTER_LIMITS.maxAbs}`, key);
      const bound = argAt(z.object({ min: z.number().int().optional(), max: z.number().int().optional() }).optional(), args, 2);
      if (bound === undefined && args[2] !== undefined) return fail("invalid", "bounds are { min?: integer, max?: integer }", key);
      if (meta.mode !== "async" || !meta.idempotencyKey) {
        return deny(db, meta, method, key, "hook", `counters change only through reservations in ${meta.hook}; counters.add is for asynchronous hooks`);
      }
      const r = await addCounterOnce(db, meta, `${meta.idempotencyKey}|add|${key}`, key, delta, bound ?? {});
      return ok(r, { target: key, read: r.applied ? `counter "${key}" ${delta > 0 ? "+" : ""}${delta}` : `counter "${key}" unchanged` });
    }

    case "customers.get": {
      const id = argAt(Id, args, 0);
      if (id === undefined) return fail("invalid", "customer id must be a string of 1–256 characters", null);
      if (!hasScope(meta, "read_customers")) return deny(db, meta, method, id, "scope", "read_customers was not granted to this extension");
      if (!meta.subject.customerIds.includes(id)) return deny(db, meta, method, id, "subject", `this ${meta.hook} call may read only its own customer`);
      const c = await getShopCustomer(db, meta.shopId, id);
      if (!c) return fail("not_found", "no such customer", id);
      await record(db, { type: "extension", id: installId }, "extension.customer_read", { shopId: meta.shopId, type: "customer", id }, { hook: meta.hook, invocationId: meta.invocationId });
      return ok({ id: c.id, name: c.name, email: c.email, createdAt: c.createdAt.toISOString() }, { target: id, read: `customer ${id} (id, name, email, createdAt)` });
    }

    case "orders.get": {
      const id = argAt(Id, args, 0);
      if (id === undefined) return fail("invalid", "order id must be a string of 1–256 characters", null);
      if (!hasScope(meta, "read_orders")) return deny(db, meta, method, id, "scope", "read_orders was not granted to this extension");
      if (!meta.subject.orderIds.includes(id)) return deny(db, meta, method, id, "subject", `this ${meta.hook} call may read only its own order`);
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
