/**
 * THE route table of `/api/v1`: every operation, its scope, its schemas
 * and its handler, in one list. The router (router.server.ts) enforces the
 * scope and validates params, query and body from the entry before the
 * handler runs; the OpenAPI document (document.server.ts) and the scope
 * matrix test are generated from the same list.
 *
 * Handlers are thin: they call the modules' public services with the
 * token's shop as the tenant and the install as the actor, and map the
 * result to the API's resource shapes (openapi.schema.ts). Every id in a
 * path is looked up under the token's shop, so another shop's id is a 404.
 */
import { z } from "zod";
import { createHash } from "node:crypto";
import { record } from "../audit/index.server";
import { answerClaim, getShopClaim, listShopClaims, type ClaimWithOrder } from "../aftersale/index.server";
import type { ClaimSummary } from "../aftersale/aftersale.schema";
import {
  adjustStock,
  createCategory,
  createProduct,
  getAdminProduct,
  listAdminProducts,
  listCategories,
  listLedger,
  setProductStatus,
  updateProduct,
  updateSkus,
  type AdminProduct,
  type CategoryNode,
} from "../catalog/index.server";
import { deleteInstallStorage, getInstallCounter, getInstallStorage, listInstallStorage, putInstallStorage } from "../extensions/index.server";
import { AppError, isAppError, notFound } from "../lib/errors";
import { cancelOrder, getOrder, listShopOrders, refundOrder, shipOrder, type OrderDetail } from "../orders/index.server";
import { getShelfDraft, listShelves, publishShelf } from "../shelves/index.server";
import { getShopCustomer, listShopCustomers } from "../shops/index.server";
import {
  ApiCancelResult,
  ApiCategory,
  ApiClaim,
  ApiClaimSummary,
  ApiCounter,
  ApiCustomer,
  ApiLedgerEntry,
  ApiOrder,
  ApiOrderSummary,
  ApiProduct,
  ApiProductSummary,
  ApiRefundRequest,
  ApiShelf,
  ApiShelfDraft,
  ApiShelfPublication,
  ApiSku,
  ApiStockAdjustment,
  ApiStorageRecord,
  CancelBody,
  ClaimListQuery,
  ClaimResponseBody,
  Empty,
  NewCategoryBody,
  NewProductBody,
  OrderListQuery,
  PageQuery,
  PathId,
  ProductListQuery,
  ProductPatchBody,
  ProductStatusBody,
  RefundBody,
  ShipBody,
  SkuPatchBody,
  StockAdjustmentBody,
  StorageKey,
  StorageListQuery,
  StoragePutBody,
  pageOf,
} from "./openapi.schema";
import { collect, sliceById } from "./pagination.server";
import { defineRoute, type ApiRoute } from "./route.types";

// ---- mapping to the API's shapes --------------------------------------------------------------

function toApiProduct(p: AdminProduct): z.output<typeof ApiProduct> {
  return {
    id: p.id,
    title: p.title,
    description: p.description,
    status: p.status,
    categoryId: p.categoryId,
    specs: p.specs.map((s) => ({ name: s.name, values: [...s.values] })),
    minPrice: p.minPrice,
    maxPrice: p.maxPrice,
    totalStock: p.totalStock,
    skus: p.skus.map((s) => ({ ...s, productId: p.id })),
    imageIds: p.images.map((i) => i.id),
    updatedAt: p.updatedAt,
  };
}

function toApiOrder(o: OrderDetail): z.output<typeof ApiOrder> {
  return {
    id: o.id,
    customerId: o.customerId,
    status: o.status,
    currency: o.currency,
    subtotal: o.subtotal,
    discountTotal: o.discountTotal,
    shippingTotal: o.shippingTotal,
    total: o.total,
    refundedTotal: o.refundedTotal,
    itemCount: o.itemCount,
    createdAt: o.createdAt,
    paidAt: o.paidAt,
    shippedAt: o.shippedAt,
    completedAt: o.completedAt,
    closedAt: o.closedAt,
    closeReason: o.closeReason,
    cancelRequestedAt: o.cancelRequestedAt,
    lines: o.lines.map((l) => ({
      id: l.id,
      skuId: l.skuId,
      productId: l.productId,
      title: l.title,
      specLabel: l.specLabel,
      unitPrice: l.unitPrice,
      quantity: l.quantity,
      total: l.total,
      refundedAmount: l.refundedAmount,
      refundedQuantity: l.refundedQuantity,
    })),
    shipment: o.shipment,
    events: o.events.map((e) => ({ type: e.type, fromStatus: e.fromStatus, toStatus: e.toStatus, actorType: e.actorType, createdAt: e.createdAt })),
  };
}

function toApiClaimSummary(c: ClaimSummary): z.output<typeof ApiClaimSummary> {
  return {
    id: c.id,
    orderId: c.orderId,
    kind: c.kind,
    status: c.status,
    reason: c.reason,
    currency: c.currency,
    amount: c.amount,
    deadline: c.deadline,
    escalatedAt: c.escalatedAt,
    createdAt: c.createdAt,
  };
}

function toApiClaim({ claim: c }: ClaimWithOrder): z.output<typeof ApiClaim> {
  return {
    ...toApiClaimSummary(c),
    description: c.description,
    refundAmount: c.refundAmount,
    restock: c.restock,
    refundId: c.refundId,
    refusalReason: c.refusalReason,
    resolution: c.resolution,
    updatedAt: c.updatedAt,
    closedAt: c.closedAt,
    lines: c.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity, amount: l.amount })),
    timeline: c.timeline.map((t) => ({ action: t.action, fromStatus: t.fromStatus, toStatus: t.toStatus, actor: t.actor, createdAt: t.createdAt })),
  };
}

function flattenCategories(nodes: CategoryNode[], depth = 0, out: z.output<typeof ApiCategory>[] = []): z.output<typeof ApiCategory>[] {
  for (const n of nodes) {
    out.push({ id: n.id, name: n.name, parentId: n.parentId, depth });
    flattenCategories(n.children, depth + 1, out);
  }
  return out;
}

/** The after-sale queue's own cursor continues after a claim: (deadline or ∞, id), as it encodes it. */
function claimQueueKey(c: ClaimSummary): string {
  return `${c.deadline ? new Date(c.deadline.at).getTime().toString(36) : "inf"}~${c.id}`;
}

async function requireOrder(db: Parameters<typeof getOrder>[0], shopId: string, orderId: string): Promise<OrderDetail> {
  const order = await getOrder(db, shopId, orderId);
  if (!order) throw notFound("Order not found");
  return order;
}

/** Renames the field keys of a service's validation error (its form's names → the API's). */
async function withFieldNames<T>(rename: (key: string) => string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isAppError(e) && e.fieldErrors) {
      const fieldErrors = Object.fromEntries(Object.entries(e.fieldErrors).map(([k, v]) => [rename(k), v]));
      throw new AppError(e.kind, e.message, { fieldErrors, code: e.code, retryAfterSeconds: e.retryAfterSeconds });
    }
    throw e;
  }
}

/** A refund's own idempotency key (the payments module dedupes on it), derived from the request's Idempotency-Key. */
function refundKey(installId: string, idempotencyKey: string | null): string {
  const seed = idempotencyKey ? `${installId}:${idempotencyKey}` : `${installId}:${Date.now()}:${Math.random()}`;
  return `api_${createHash("sha256").update(seed).digest("base64url").slice(0, 40)}`;
}

// ---- params ----------------------------------------------------------------------------------

const ProductParams = z.object({ productId: PathId("prd") });
const SkuParams = z.object({ productId: PathId("prd"), skuId: PathId("sku") });
const ShelfParams = z.object({ shelfId: PathId("shf") });
const OrderParams = z.object({ orderId: PathId("ord") });
const CustomerParams = z.object({ customerId: PathId("cus") });
const ClaimParams = z.object({ claimId: PathId("clm") });
const StorageParams = z.object({ key: StorageKey });

// ---- the table -------------------------------------------------------------------------------

export const apiRoutes: readonly ApiRoute[] = [
  // products and SKUs
  defineRoute({
    operationId: "listProducts",
    method: "GET",
    path: "/products",
    scope: "read_products",
    tag: "Products",
    summary: "List products, newest first",
    query: ProductListQuery,
    response: pageOf(ApiProductSummary),
    handler: async ({ db, principal, query }) => {
      const page = await collect(
        "products",
        query.cursor,
        query.limit,
        async (after) => {
          const r = await listAdminProducts(db, principal.shopId, { q: query.q, status: query.status, after });
          return { items: r.items, next: r.nextCursor };
        },
        (p) => p.id,
      );
      return {
        body: {
          data: page.data.map((p) => ({
            id: p.id,
            title: p.title,
            status: p.status,
            minPrice: p.minPrice,
            maxPrice: p.maxPrice,
            totalStock: p.totalStock,
            skuCount: p.skuCount,
            categoryName: p.categoryName,
            updatedAt: p.updatedAt,
          })),
          nextCursor: page.nextCursor,
        },
      };
    },
  }),
  defineRoute({
    operationId: "getProduct",
    method: "GET",
    path: "/products/:productId",
    scope: "read_products",
    tag: "Products",
    summary: "Get a product with its SKUs",
    params: ProductParams,
    response: ApiProduct,
    handler: async ({ db, principal, params }) => ({ body: toApiProduct(await getAdminProduct(db, principal.shopId, params.productId)) }),
  }),
  defineRoute({
    operationId: "createProduct",
    method: "POST",
    path: "/products",
    scope: "write_products",
    tag: "Products",
    summary: "Create a product (one SKU per spec combination)",
    body: NewProductBody,
    status: 201,
    response: ApiProduct,
    handler: async ({ db, principal, actor, body }) => ({ status: 201, body: toApiProduct(await createProduct(db, principal.shopId, actor, body)) }),
  }),
  defineRoute({
    operationId: "updateProduct",
    method: "PATCH",
    path: "/products/:productId",
    scope: "write_products",
    tag: "Products",
    summary: "Change a product's title, description, category or status",
    params: ProductParams,
    body: ProductPatchBody,
    response: ApiProduct,
    handler: async ({ db, principal, actor, params, body }) => {
      await updateProduct(db, principal.shopId, params.productId, actor, body);
      return { body: toApiProduct(await getAdminProduct(db, principal.shopId, params.productId)) };
    },
  }),
  defineRoute({
    operationId: "setProductStatus",
    method: "POST",
    path: "/products/:productId/status",
    scope: "write_products",
    tag: "Products",
    summary: "Put a product on sale, off sale or back to draft",
    params: ProductParams,
    body: ProductStatusBody,
    response: ApiProduct,
    handler: async ({ db, principal, actor, params, body }) => {
      await setProductStatus(db, principal.shopId, [params.productId], body.status, actor);
      return { body: toApiProduct(await getAdminProduct(db, principal.shopId, params.productId)) };
    },
  }),
  defineRoute({
    operationId: "listSkus",
    method: "GET",
    path: "/products/:productId/skus",
    scope: "read_products",
    tag: "Products",
    summary: "List a product's SKUs (active ones in matrix order, then archived)",
    params: ProductParams,
    query: PageQuery,
    response: pageOf(ApiSku),
    handler: async ({ db, principal, params, query }) => {
      const product = toApiProduct(await getAdminProduct(db, principal.shopId, params.productId));
      return { body: sliceById(`skus:${product.id}`, product.skus, query.cursor, query.limit) };
    },
  }),
  defineRoute({
    operationId: "updateSku",
    method: "PATCH",
    path: "/products/:productId/skus/:skuId",
    scope: "write_products",
    tag: "Products",
    summary: "Change a SKU's price, compare-at price or code (stock: use a stock adjustment)",
    params: SkuParams,
    body: SkuPatchBody,
    response: ApiSku,
    handler: async ({ db, principal, actor, params, body }) => {
      const prefix = `skus.${params.skuId}.`;
      await withFieldNames(
        (k) => (k.startsWith(prefix) ? k.slice(prefix.length).replace(/^compareAt$/, "compareAtPrice") : k),
        () => updateSkus(db, principal.shopId, params.productId, actor, [{ skuId: params.skuId, ...body }]),
      );
      const product = toApiProduct(await getAdminProduct(db, principal.shopId, params.productId));
      const sku = product.skus.find((s) => s.id === params.skuId);
      if (!sku) throw notFound("SKU not found");
      return { body: sku };
    },
  }),
  defineRoute({
    operationId: "adjustStock",
    method: "POST",
    path: "/products/:productId/skus/:skuId/stock-adjustments",
    scope: "write_products",
    tag: "Stock",
    summary: "Adjust a SKU's stock (a ledger row with your note)",
    description: "`delta` adds or removes units; `set` sets the count. Stock never goes below zero (422 on `amount`).",
    params: SkuParams,
    body: StockAdjustmentBody,
    status: 201,
    response: ApiStockAdjustment,
    handler: async ({ db, principal, actor, params, body }) => {
      const change = body.set !== undefined ? { set: body.set } : body.delta!;
      const r = await withFieldNames(
        (k) => (k === "amount" ? (body.set !== undefined ? "set" : "delta") : k),
        () => adjustStock(db, principal.shopId, params.skuId, change, actor, body.note, { productId: params.productId }),
      );
      return { status: 201, body: { skuId: params.skuId, stock: r.stock, delta: r.delta } };
    },
  }),
  defineRoute({
    operationId: "listStockLedger",
    method: "GET",
    path: "/products/:productId/skus/:skuId/stock-adjustments",
    scope: "read_products",
    tag: "Stock",
    summary: "A SKU's stock ledger, newest first (adjustments, orders, restocks)",
    params: SkuParams,
    query: PageQuery,
    response: pageOf(ApiLedgerEntry),
    handler: async ({ db, principal, params, query }) => {
      const page = await collect(
        `ledger:${params.skuId}`,
        query.cursor,
        query.limit,
        async (before) => {
          const r = await listLedger(db, principal.shopId, params.skuId, { before });
          if (r.sku.productId !== params.productId) throw notFound("SKU not found");
          return { items: r.entries, next: r.nextBefore };
        },
        (e) => e.id,
      );
      return {
        body: {
          data: page.data.map((e) => ({
            id: e.id,
            delta: e.delta,
            balanceAfter: e.balanceAfter,
            reason: e.reason,
            refType: e.refType,
            refId: e.refId,
            note: e.note,
            createdAt: e.createdAt,
          })),
          nextCursor: page.nextCursor,
        },
      };
    },
  }),

  // categories
  defineRoute({
    operationId: "listCategories",
    method: "GET",
    path: "/categories",
    scope: "read_products",
    tag: "Categories",
    summary: "List categories, depth first in the merchant's order",
    query: PageQuery,
    response: pageOf(ApiCategory),
    handler: async ({ db, principal, query }) => ({
      body: sliceById("categories", flattenCategories(await listCategories(db, principal.shopId)), query.cursor, query.limit),
    }),
  }),
  defineRoute({
    operationId: "createCategory",
    method: "POST",
    path: "/categories",
    scope: "write_products",
    tag: "Categories",
    summary: "Create a category (at the end of its parent's list)",
    body: NewCategoryBody,
    status: 201,
    response: ApiCategory,
    handler: async ({ db, principal, actor, body }) => {
      const c = await createCategory(db, principal.shopId, actor, { name: body.name, parentId: body.parentId ?? null });
      const all = flattenCategories(await listCategories(db, principal.shopId));
      return { status: 201, body: all.find((x) => x.id === c.id) ?? { id: c.id, name: c.name, parentId: c.parentId, depth: 0 } };
    },
  }),

  // shelves
  defineRoute({
    operationId: "listShelves",
    method: "GET",
    path: "/shelves",
    scope: "read_shelves",
    tag: "Shelves",
    summary: "List the storefront's pages, home first",
    query: PageQuery,
    response: pageOf(ApiShelf),
    handler: async ({ db, principal, query }) => ({ body: sliceById("shelves", await listShelves(db, principal.shopId), query.cursor, query.limit) }),
  }),
  defineRoute({
    operationId: "getShelf",
    method: "GET",
    path: "/shelves/:shelfId",
    scope: "read_shelves",
    tag: "Shelves",
    summary: "Get a page with its draft sections",
    params: ShelfParams,
    response: ApiShelfDraft,
    handler: async ({ db, principal, params }) => ({ body: await getShelfDraft(db, principal.shopId, params.shelfId) }),
  }),
  defineRoute({
    operationId: "publishShelf",
    method: "POST",
    path: "/shelves/:shelfId/publish",
    scope: "write_shelves",
    tag: "Shelves",
    summary: "Publish the page's draft as a new immutable version",
    description: "An incomplete draft (a section without its products or category) is a 422 naming the section field.",
    params: ShelfParams,
    body: Empty,
    status: 201,
    response: ApiShelfPublication,
    handler: async ({ db, principal, actor, params }) => {
      const r = await publishShelf(db, principal.shopId, { type: "extension", id: actor.id }, params.shelfId);
      return { status: 201, body: { shelfId: params.shelfId, versionId: r.versionId, version: r.version } };
    },
  }),

  // orders
  defineRoute({
    operationId: "listOrders",
    method: "GET",
    path: "/orders",
    scope: "read_orders",
    tag: "Orders",
    summary: "List orders, newest first",
    query: OrderListQuery,
    response: pageOf(ApiOrderSummary),
    handler: async ({ db, principal, query }) => {
      const page = await collect(
        `orders:${query.status ?? "all"}`,
        query.cursor,
        query.limit,
        async (before) => {
          const r = await listShopOrders(db, principal.shopId, { status: query.status, before });
          return { items: r.orders, next: r.nextBefore };
        },
        (o) => o.id,
      );
      return {
        body: {
          data: page.data.map((o) => ({
            id: o.id,
            status: o.status,
            currency: o.currency,
            total: o.total,
            refundedTotal: o.refundedTotal,
            itemCount: o.itemCount,
            refunding: o.refunding,
            createdAt: o.createdAt,
          })),
          nextCursor: page.nextCursor,
        },
      };
    },
  }),
  defineRoute({
    operationId: "getOrder",
    method: "GET",
    path: "/orders/:orderId",
    scope: "read_orders",
    tag: "Orders",
    summary: "Get an order with its lines, shipment and timeline",
    params: OrderParams,
    response: ApiOrder,
    handler: async ({ db, principal, params }) => ({ body: toApiOrder(await requireOrder(db, principal.shopId, params.orderId)) }),
  }),
  defineRoute({
    operationId: "shipOrder",
    method: "POST",
    path: "/orders/:orderId/ship",
    scope: "write_orders",
    tag: "Orders",
    summary: "Ship a paid order with a carrier and tracking number",
    description: "Shipping again with the same carrier and number changes nothing; any other order state is a 409.",
    params: OrderParams,
    body: ShipBody,
    response: ApiOrder,
    handler: async ({ db, principal, actor, params, body }) => {
      await shipOrder(db, { shopId: principal.shopId, orderId: params.orderId, actor, form: body });
      return { body: toApiOrder(await requireOrder(db, principal.shopId, params.orderId)) };
    },
  }),
  defineRoute({
    operationId: "cancelOrder",
    method: "POST",
    path: "/orders/:orderId/cancel",
    scope: "write_orders",
    tag: "Orders",
    summary: "Cancel an order before it ships",
    description: "Unpaid: closes it. Paid: requests a full refund; the order closes when the refund succeeds. Shipped or completed: 409.",
    params: OrderParams,
    body: CancelBody,
    response: ApiCancelResult,
    handler: async ({ platform, principal, actor, params, body }) => {
      const r = await cancelOrder(platform, { shopId: principal.shopId, orderId: params.orderId, actor, form: { reason: body.reason ?? "" } });
      return { body: { outcome: r.outcome, order: toApiOrder(await requireOrder(platform.db, principal.shopId, params.orderId)) } };
    },
  }),
  defineRoute({
    operationId: "refundOrder",
    method: "POST",
    path: "/orders/:orderId/refunds",
    scope: "write_orders",
    tag: "Orders",
    summary: "Refund a paid, shipped or completed order, in full or per line",
    params: OrderParams,
    body: RefundBody,
    status: 201,
    response: ApiRefundRequest,
    handler: async ({ db, principal, actor, params, body, idempotencyKey }) => {
      const r = await refundOrder(db, {
        shopId: principal.shopId,
        orderId: params.orderId,
        actor,
        form: { mode: body.mode, lines: body.lines ?? [], reason: body.reason, restock: body.restock ?? false, idempotencyKey: refundKey(actor.id, idempotencyKey) },
      });
      return { status: 201, body: { refundId: r.refundId, amount: r.amount, order: toApiOrder(await requireOrder(db, principal.shopId, params.orderId)) } };
    },
  }),

  // customers
  defineRoute({
    operationId: "listCustomers",
    method: "GET",
    path: "/customers",
    scope: "read_customers",
    tag: "Customers",
    summary: "List the shop's customers, newest first",
    query: PageQuery,
    response: pageOf(ApiCustomer),
    handler: async ({ db, principal, query }) => {
      const page = await collect(
        "customers",
        query.cursor,
        query.limit,
        async (before) => {
          const r = await listShopCustomers(db, principal.shopId, { before, limit: 100 });
          return { items: r.customers, next: r.nextBefore };
        },
        (c) => c.id,
      );
      return { body: { data: page.data.map((c) => ({ id: c.id, name: c.name, email: c.email, createdAt: c.createdAt.toISOString() })), nextCursor: page.nextCursor } };
    },
  }),
  defineRoute({
    operationId: "getCustomer",
    method: "GET",
    path: "/customers/:customerId",
    scope: "read_customers",
    tag: "Customers",
    summary: "Get a customer",
    params: CustomerParams,
    response: ApiCustomer,
    handler: async ({ db, principal, params }) => {
      const c = await getShopCustomer(db, principal.shopId, params.customerId);
      if (!c) throw notFound("Customer not found");
      return { body: { id: c.id, name: c.name, email: c.email, createdAt: c.createdAt.toISOString() } };
    },
  }),

  // after-sale
  defineRoute({
    operationId: "listClaims",
    method: "GET",
    path: "/claims",
    scope: "read_aftersales",
    tag: "After-sale",
    summary: "List after-sale claims, nearest deadline first",
    query: ClaimListQuery,
    response: pageOf(ApiClaimSummary),
    handler: async ({ db, principal, query }) => {
      const page = await collect(
        `claims:${query.status}`,
        query.cursor,
        query.limit,
        async (after) => {
          const r = await listShopClaims(db, principal.shopId, { status: query.status, after });
          return { items: r.claims, next: r.next };
        },
        claimQueueKey,
      );
      return { body: { data: page.data.map(toApiClaimSummary), nextCursor: page.nextCursor } };
    },
  }),
  defineRoute({
    operationId: "getClaim",
    method: "GET",
    path: "/claims/:claimId",
    scope: "read_aftersales",
    tag: "After-sale",
    summary: "Get a claim with its lines and timeline",
    params: ClaimParams,
    response: ApiClaim,
    handler: async ({ db, principal, params }) => {
      const c = await getShopClaim(db, principal.shopId, params.claimId);
      if (!c) throw notFound("Claim not found");
      return { body: toApiClaim(c) };
    },
  }),
  defineRoute({
    operationId: "respondToClaim",
    method: "POST",
    path: "/claims/:claimId/responses",
    scope: "write_aftersales",
    tag: "After-sale",
    summary: "Answer a claim waiting for the shop: agree, refuse (with a reason) or confirm the return arrived",
    params: ClaimParams,
    body: ClaimResponseBody,
    response: ApiClaim,
    handler: async ({ platform, db, principal, actor, params, body }) => {
      // The claim timeline has no extension party: the answer is the shop's (a merchant step carrying the install's id);
      // the audit row of the same transaction names the install as the actor.
      await db.transaction().execute(async (trx) => {
        await answerClaim(trx, { shopId: principal.shopId, claimId: params.claimId, actor: { type: "merchant", id: actor.id }, form: body }, { publicUrl: platform.config.publicUrl });
        await record(trx, actor, "api.claim_answered", { shopId: principal.shopId, type: "claim", id: params.claimId }, { intent: body.intent, clientId: principal.clientId });
      });
      const c = await getShopClaim(db, principal.shopId, params.claimId);
      if (!c) throw notFound("Claim not found");
      return { body: toApiClaim(c) };
    },
  }),

  // the install's own records
  defineRoute({
    operationId: "listStorage",
    method: "GET",
    path: "/extension/storage",
    scope: "install",
    tag: "Extension records",
    summary: "List the install's storage records by key",
    query: StorageListQuery,
    response: pageOf(ApiStorageRecord),
    handler: async ({ db, principal, query }) => {
      const page = await collect(
        `storage:${query.prefix ?? ""}`,
        query.cursor,
        query.limit,
        async (after) => {
          const r = await listInstallStorage(db, principal.installId, { prefix: query.prefix ?? "", after: after ?? null, limit: query.limit });
          return { items: r.records, next: r.next };
        },
        (r) => r.key,
      );
      return { body: page };
    },
  }),
  defineRoute({
    operationId: "getStorage",
    method: "GET",
    path: "/extension/storage/:key",
    scope: "install",
    tag: "Extension records",
    summary: "Read one storage key",
    params: StorageParams,
    response: ApiStorageRecord,
    handler: async ({ db, principal, params }) => {
      const r = await getInstallStorage(db, principal.installId, params.key);
      if (!r) throw notFound("No such key");
      return { body: { key: params.key, value: r.value } };
    },
  }),
  defineRoute({
    operationId: "putStorage",
    method: "PUT",
    path: "/extension/storage/:key",
    scope: "install",
    tag: "Extension records",
    summary: "Write one storage key (within the install's quota)",
    params: StorageParams,
    body: StoragePutBody,
    response: ApiStorageRecord,
    handler: async ({ db, principal, actor, params, body }) => {
      await putInstallStorage(db, { shopId: principal.shopId, installId: principal.installId }, actor, params.key, body.value);
      return { body: { key: params.key, value: body.value } };
    },
  }),
  defineRoute({
    operationId: "deleteStorage",
    method: "DELETE",
    path: "/extension/storage/:key",
    scope: "install",
    tag: "Extension records",
    summary: "Delete one storage key (deleting a missing key is not an error)",
    params: StorageParams,
    status: 200,
    response: Empty,
    handler: async ({ db, principal, actor, params }) => {
      await deleteInstallStorage(db, { shopId: principal.shopId, installId: principal.installId }, actor, params.key);
      return { body: {} };
    },
  }),
  defineRoute({
    operationId: "getCounter",
    method: "GET",
    path: "/extension/counters/:key",
    scope: "install",
    tag: "Extension records",
    summary: "Read one counter (0 if never written)",
    params: StorageParams,
    response: ApiCounter,
    handler: async ({ db, principal, params }) => ({ body: { key: params.key, value: await getInstallCounter(db, principal.installId, params.key) } }),
  }),
];
