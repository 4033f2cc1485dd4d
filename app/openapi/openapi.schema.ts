/**
 * The open API's zod schemas: the request parts the route table validates
 * with and the resources it answers with. The OpenAPI document is generated
 * from these same schemas (document.server.ts), so what is validated is what
 * is documented. Browser-safe: no server imports.
 *
 * Conventions: ids are opaque strings; money is integer minor units in the
 * shop's currency; times are ISO 8601 UTC; lists answer `{ data, nextCursor }`.
 */
import { z } from "zod";
import { CLAIM_KINDS, CLAIM_STATUSES } from "../aftersale/claim-machine";
import { ORDER_STATUSES } from "../orders/orders.schema";
import { Section } from "../shelves/shelves.schema";

/**
 * The ids of the named schemas: each lands in `components.schemas` of the
 * document. The id goes in zod's global registry (`.meta`), where
 * `.describe()` puts the field descriptions too, so one conversion keeps both.
 */
export const API_SCHEMA_IDS = new Set<string>();

function named<S extends z.ZodType>(id: string, schema: S, description?: string): S {
  API_SCHEMA_IDS.add(id);
  return schema.meta(description ? { id, description } : { id }) as S;
}

// ---- common -------------------------------------------------------------------------------

export const MAX_PAGE_LIMIT = 100;
export const DEFAULT_PAGE_LIMIT = 25;

export const ApiErrorBody = named(
  "Error",
  z.object({
    error: z.object({
      code: z.string().describe("machine-readable: invalid_request, invalid_token, insufficient_scope, not_found, validation_failed, conflict, idempotency_key_reused, idempotency_key_in_use, rate_limited, …"),
      message: z.string().describe("for the developer, in English"),
      field: z.string().optional().describe("the offending field's path (dotted), for 422 and some 400s"),
    }),
  }),
  "Every 4xx and 5xx answer has this shape.",
);

/** An opaque id in a path: anything else is answered 404, like an id of another shop. */
export const PathId = (prefix: string) =>
  z
    .string()
    .regex(new RegExp(`^${prefix}_[0-9a-z]{26}$`))
    .describe(`the id (${prefix}_…) of a record of the token's shop`);

const Cursor = z.string().min(1).max(400).describe("`nextCursor` of the previous page; opaque");
const Limit = z.coerce.number().int().min(1).max(MAX_PAGE_LIMIT).default(DEFAULT_PAGE_LIMIT).describe(`page size, 1–${MAX_PAGE_LIMIT}`);

/** Every list takes these; extend it with the list's filters. */
export const PageQuery = z.object({ cursor: Cursor.optional(), limit: Limit });

export function pageOf<S extends z.ZodType>(item: S) {
  return z.object({ data: z.array(item), nextCursor: z.string().nullable().describe("null on the last page") });
}

const Money = z.number().int().describe("minor units");
const Iso = z.string().describe("ISO 8601, UTC");

// ---- catalog --------------------------------------------------------------------------------

export const ProductStatus = z.enum(["draft", "on_sale", "off_sale"]);

export const ApiSku = named(
  "Sku",
  z.object({
    id: z.string(),
    productId: z.string(),
    specValues: z.array(z.string()),
    specLabel: z.string(),
    price: Money,
    compareAtPrice: Money.nullable(),
    stock: z.number().int(),
    code: z.string(),
    status: z.enum(["active", "archived"]),
  }),
);

export const ApiProductSummary = named(
  "ProductSummary",
  z.object({
    id: z.string(),
    title: z.string(),
    status: ProductStatus,
    minPrice: Money,
    maxPrice: Money,
    totalStock: z.number().int(),
    skuCount: z.number().int(),
    categoryName: z.string().nullable(),
    updatedAt: Iso,
  }),
);

export const ApiProduct = named(
  "Product",
  z.object({
    id: z.string(),
    title: z.string(),
    description: z.string().describe("Markdown"),
    status: ProductStatus,
    categoryId: z.string().nullable(),
    specs: z.array(z.object({ name: z.string(), values: z.array(z.string()) })),
    minPrice: Money,
    maxPrice: Money,
    totalStock: z.number().int(),
    skus: z.array(ApiSku),
    imageIds: z.array(z.string()),
    updatedAt: Iso,
  }),
);

export const ProductListQuery = PageQuery.extend({
  status: ProductStatus.optional(),
  q: z.string().max(100).optional().describe("title contains (case-insensitive)"),
});

export const NewProductBody = z.object({
  title: z.string().min(1).max(200),
  description: z.string().max(20_000).optional(),
  categoryId: z.string().nullable().optional(),
  status: ProductStatus.optional().describe("default draft"),
  specs: z
    .array(z.object({ name: z.string().min(1).max(40), values: z.array(z.string().min(1).max(40)).min(1) }))
    .max(3)
    .optional()
    .describe("spec dimensions; one SKU per combination; none → one SKU"),
  price: Money.min(0).optional(),
  compareAtPrice: Money.min(0).nullable().optional(),
  stock: z.number().int().min(0).optional().describe("initial stock of every SKU"),
  code: z.string().max(64).optional(),
});

export const ProductPatchBody = z
  .object({
    title: z.string().min(1).max(200).optional(),
    description: z.string().max(20_000).optional(),
    categoryId: z.string().nullable().optional(),
    status: ProductStatus.optional(),
  })
  .refine((p) => Object.keys(p).length > 0, "Send at least one field");

export const ProductStatusBody = z.object({ status: ProductStatus });

export const SkuPatchBody = z
  .object({
    price: Money.min(0).optional(),
    compareAtPrice: Money.min(0).nullable().optional(),
    code: z.string().max(64).optional(),
  })
  .refine((p) => Object.keys(p).length > 0, "Send at least one field");

export const StockAdjustmentBody = z
  .object({
    delta: z.number().int().optional().describe("add (or remove, negative) this many units"),
    set: z.number().int().min(0).optional().describe("or set the stock to this"),
    note: z.string().trim().min(1).max(200).describe("why (shown in the stock ledger)"),
  })
  .refine((b) => (b.delta === undefined) !== (b.set === undefined), { message: "Send either delta or set", path: ["delta"] });

export const ApiStockAdjustment = named(
  "StockAdjustmentResult",
  z.object({ skuId: z.string(), stock: z.number().int(), delta: z.number().int() }),
);

export const ApiLedgerEntry = named(
  "StockLedgerEntry",
  z.object({
    id: z.string(),
    delta: z.number().int(),
    balanceAfter: z.number().int(),
    reason: z.enum(["initial", "manual_adjust", "order_reserved", "order_released", "refund_restock"]),
    refType: z.string().nullable(),
    refId: z.string().nullable(),
    note: z.string().nullable(),
    createdAt: Iso,
  }),
);

export const ApiCategory = named(
  "Category",
  z.object({ id: z.string(), name: z.string(), parentId: z.string().nullable(), depth: z.number().int().describe("0 at the top level") }),
);

export const NewCategoryBody = z.object({ name: z.string().min(1).max(60), parentId: z.string().nullable().optional() });

// ---- shelves --------------------------------------------------------------------------------

export const ApiShelf = named(
  "Shelf",
  z.object({
    id: z.string(),
    title: z.string(),
    slug: z.string(),
    isHome: z.boolean(),
    publishedVersion: z.number().int().nullable(),
    publishedAt: Iso.nullable(),
    draftUpdatedAt: Iso,
    hasUnpublishedChanges: z.boolean(),
  }),
);

export const ApiShelfDraft = named("ShelfDraft", ApiShelf.extend({ sections: z.array(Section) }));

export const ApiShelfPublication = named(
  "ShelfPublication",
  z.object({ shelfId: z.string(), versionId: z.string(), version: z.number().int() }),
);

// ---- orders --------------------------------------------------------------------------------

export const OrderStatus = z.enum(ORDER_STATUSES);

export const ApiOrderSummary = named(
  "OrderSummary",
  z.object({
    id: z.string(),
    status: OrderStatus,
    currency: z.string(),
    total: Money,
    refundedTotal: Money,
    itemCount: z.number().int(),
    refunding: z.boolean().describe("a cancellation waits for its refund"),
    createdAt: Iso,
  }),
);

export const ApiOrder = named(
  "Order",
  z.object({
    id: z.string(),
    customerId: z.string(),
    status: OrderStatus,
    currency: z.string(),
    subtotal: Money,
    discountTotal: Money,
    shippingTotal: Money,
    total: Money,
    refundedTotal: Money,
    itemCount: z.number().int(),
    createdAt: Iso,
    paidAt: Iso.nullable(),
    shippedAt: Iso.nullable(),
    completedAt: Iso.nullable(),
    closedAt: Iso.nullable(),
    closeReason: z.string().nullable(),
    cancelRequestedAt: Iso.nullable(),
    lines: z.array(
      z.object({
        id: z.string(),
        skuId: z.string(),
        productId: z.string(),
        title: z.string(),
        specLabel: z.string(),
        unitPrice: Money,
        quantity: z.number().int(),
        total: Money,
        refundedAmount: Money,
        refundedQuantity: z.number().int(),
      }),
    ),
    shipment: z.object({ carrier: z.string(), trackingNumber: z.string(), createdAt: Iso }).nullable(),
    events: z.array(
      z.object({ type: z.string(), fromStatus: OrderStatus.nullable(), toStatus: OrderStatus.nullable(), actorType: z.string(), createdAt: Iso }),
    ),
  }),
  "An order of the shop. The shipping address is not part of the API.",
);

export const OrderListQuery = PageQuery.extend({ status: OrderStatus.optional() });

export const ShipBody = z.object({
  carrier: z.string().trim().min(1).max(60),
  trackingNumber: z.string().trim().min(1).max(60).regex(/^[A-Za-z0-9-]+$/, "Letters, digits and - only"),
});

export const CancelBody = z.object({ reason: z.string().trim().max(200).optional() });

export const ApiCancelResult = named(
  "CancelResult",
  z.object({
    outcome: z.enum(["closed", "refund_requested", "refund_pending", "already_closed"]),
    order: ApiOrder,
  }),
);

export const RefundBody = z
  .object({
    mode: z.enum(["full", "lines"]),
    lines: z.array(z.object({ lineId: z.string(), quantity: z.number().int().min(1).max(999) })).max(200).optional(),
    reason: z.string().trim().min(1).max(200),
    restock: z.boolean().optional().describe("put the refunded units back in stock (default false)"),
  })
  .refine((b) => b.mode === "full" || (b.lines?.length ?? 0) > 0, { message: "Choose at least one line", path: ["lines"] });

export const ApiRefundRequest = named(
  "RefundRequest",
  z.object({ refundId: z.string().nullable(), amount: Money, order: ApiOrder }),
  "The refund is requested; the provider completes it later (webhook `order.refunded`).",
);

// ---- customers ------------------------------------------------------------------------------

export const ApiCustomer = named("Customer", z.object({ id: z.string(), name: z.string(), email: z.string(), createdAt: Iso }));

// ---- after-sale -----------------------------------------------------------------------------

const ClaimStatus = z.enum(CLAIM_STATUSES);

export const ApiClaimSummary = named(
  "ClaimSummary",
  z.object({
    id: z.string(),
    orderId: z.string(),
    kind: z.enum(CLAIM_KINDS),
    status: ClaimStatus,
    reason: z.string(),
    currency: z.string(),
    amount: Money,
    deadline: z.object({ kind: z.string(), at: Iso }).nullable(),
    escalatedAt: Iso.nullable(),
    createdAt: Iso,
  }),
);

export const ApiClaim = named(
  "Claim",
  ApiClaimSummary.extend({
    description: z.string(),
    refundAmount: Money.nullable(),
    restock: z.boolean().nullable(),
    refundId: z.string().nullable(),
    refusalReason: z.string().nullable(),
    resolution: z.string().nullable(),
    updatedAt: Iso,
    closedAt: Iso.nullable(),
    lines: z.array(z.object({ lineId: z.string(), quantity: z.number().int(), amount: Money })),
    timeline: z.array(z.object({ action: z.string(), fromStatus: ClaimStatus.nullable(), toStatus: ClaimStatus, actor: z.string(), createdAt: Iso })),
  }),
);

export const ClaimListQuery = PageQuery.extend({
  status: z.enum(["open", "all", ...CLAIM_STATUSES]).default("all"),
});

export const ClaimResponseBody = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("agree"), restock: z.boolean().optional() }),
  z.object({ intent: z.literal("refuse"), reason: z.string().trim().min(5).max(1000) }),
  z.object({ intent: z.literal("confirm_return"), restock: z.boolean().optional() }),
]);

// ---- the install's own records ----------------------------------------------------------------

export const StorageKey = z.string().min(1).max(256);

export const ApiStorageRecord = named(
  "StorageRecord",
  z.object({ key: z.string(), value: z.unknown().describe("any JSON value") }),
  "One key of the install's extension storage (what `ctx.storage` reads in the sandbox).",
);

export const StorageListQuery = PageQuery.extend({ prefix: z.string().max(256).optional() });

export const StoragePutBody = z.object({ value: z.unknown().refine((v) => v !== undefined, "value is required") });

export const ApiCounter = named("Counter", z.object({ key: z.string(), value: z.number().int() }));

export const Empty = z.object({});
