/**
 * What the platform accepts back from a hook. The host parses every value
 * that comes out of the sandbox with schemas like these (plus the
 * quote-specific checks in {@link checkDiscounts}), and drops an install's
 * whole contribution when anything is invalid (`invalid_output`, a fault).
 * The harness applies the same checks, so a test sees what production would
 * drop. Lenient where the host is (unknown keys are ignored, `null` means
 * "nothing"); the types in hooks.ts are what to return.
 *
 * @example
 * const r = validateHookOutput("checkout.discounts", JSON.parse(result.output!), quote);
 * if (!r.success) console.log(r.errors);
 */
import { z } from "zod";
import type { DiscountsResult, HookName, HookOutputs, QuoteInput } from "./hooks";
import { formatIssues } from "./manifest";

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const BOUND = 2_000_000_000;
const DELTA = 1_000_000_000;

/**
 * One discount (see the `Discount` type).
 *
 * @example
 * DiscountSchema.parse({ lineId: null, amount: 500, label: "5% off" });
 */
export const DiscountSchema = z.object({
  lineId: z.string().min(1).max(100).nullable(),
  amount: int(0, Number.MAX_SAFE_INTEGER),
  label: z.string().trim().min(1).max(80),
  /** The host fills it in; if given it must name this install. */
  source: z.looseObject({ installId: z.string() }).optional(),
});

/**
 * One reservation (see the `Reservation` type).
 *
 * @example
 * ReservationSchema.parse({ counterKey: "coupon:A:uses", delta: 1, bound: { max: 10 } });
 */
export const ReservationSchema = z.object({
  counterKey: z.string().min(1).max(200),
  delta: int(-DELTA, DELTA).refine((n) => n !== 0, "delta must not be 0"),
  bound: z.object({ min: int(-BOUND, BOUND).optional(), max: int(-BOUND, BOUND).optional() }).default({}),
  /** The host fills it in; if given it must name this install. */
  installId: z.string().optional(),
});

/**
 * The result of `checkout.discounts` (`null` = nothing to offer).
 *
 * @example
 * DiscountsResultSchema.parse({ discounts: [] });
 */
export const DiscountsResultSchema = z.preprocess(
  (v) => {
    if (v === null) return { discounts: [] };
    // the host also takes `lines` for `discounts` (the checkout's own name)
    if (v && typeof v === "object" && !Array.isArray(v) && !("discounts" in v) && "lines" in v) {
      const { lines, ...rest } = v as Record<string, unknown>;
      return { ...rest, discounts: lines };
    }
    return v;
  },
  z.object({ discounts: z.array(DiscountSchema).max(100), reservations: z.array(ReservationSchema).max(20).default([]) }),
);

/**
 * One counter effect an asynchronous hook returns (see the `CounterEffect` type).
 *
 * @example
 * CounterEffectSchema.parse({ key: "balance:cus_1", delta: -50, min: 0 });
 */
export const CounterEffectSchema = z.object({
  key: z.string().min(1).max(256),
  delta: int(-DELTA, DELTA).refine((n) => n !== 0, "delta must not be 0"),
  min: int(-BOUND, BOUND).optional(),
  max: int(-BOUND, BOUND).optional(),
});

/**
 * The result of an asynchronous hook: nothing, or at most 20 counter effects.
 *
 * @example
 * AsyncHookResultSchema.parse(undefined); // { counters: [] }
 */
export const AsyncHookResultSchema = z.preprocess(
  (v) => (v === null || v === undefined ? {} : v),
  z.looseObject({ counters: z.array(CounterEffectSchema).max(20).default([]) }),
);

const tone = z.enum(["neutral", "info", "success", "warning"]).default("neutral");
const text = (max: number) => z.string().trim().min(1).max(max);

/**
 * One storefront block, discriminated by `type`.
 *
 * @example
 * BlockSchema.parse({ type: "badge", label: "Gold member" });
 */
export const BlockSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text"), text: text(280), tone }),
  z.object({ type: z.literal("badge"), label: text(40), tone }),
  z.object({
    type: z.literal("progress"),
    label: text(80),
    value: z.number().min(0),
    max: z.number().positive(),
    caption: text(120).optional(),
  }),
  z.object({ type: z.literal("list"), title: text(80).optional(), items: z.array(text(120)).min(1).max(10) }),
]);

/**
 * The result of `storefront.blocks` (`null` = no blocks): at most 5.
 *
 * @example
 * BlocksResultSchema.parse({ blocks: [{ type: "text", text: "Hello" }] });
 */
export const BlocksResultSchema = z.preprocess((v) => (v === null ? { blocks: [] } : v), z.object({ blocks: z.array(BlockSchema).max(5) }));

/**
 * Each hook's result schema.
 *
 * @example
 * HookOutputSchemas["storefront.blocks"].safeParse(value);
 */
export const HookOutputSchemas = {
  "checkout.discounts": DiscountsResultSchema,
  "order.paid": AsyncHookResultSchema,
  "order.completed": AsyncHookResultSchema,
  "order.refunded": AsyncHookResultSchema,
  "customer.created": AsyncHookResultSchema,
  "storefront.blocks": BlocksResultSchema,
} satisfies Record<HookName, z.ZodType>;

/**
 * Checks a well-formed discounts result against the quote it answers: every
 * `lineId` is a line of the quote, a line discount is at most its line's
 * total, and all discounts together are at most the subtotal. Returns the
 * problems (empty when none).
 *
 * @example
 * checkDiscounts(quote, { discounts: [{ lineId: "nope", amount: 1, label: "x" }] });
 * // ['discounts.0.lineId: "nope" is not a line of this quote']
 */
export function checkDiscounts(quote: Pick<QuoteInput, "lines" | "subtotal">, result: DiscountsResult): string[] {
  const problems: string[] = [];
  const lines = new Map(quote.lines.map((l) => [l.lineId, l]));
  let sum = 0;
  result.discounts.forEach((d, i) => {
    sum += d.amount;
    if (d.lineId === null) {
      if (d.amount > quote.subtotal) problems.push(`discounts.${i}.amount: ${d.amount} is more than the subtotal ${quote.subtotal}`);
      return;
    }
    const line = lines.get(d.lineId);
    if (!line) problems.push(`discounts.${i}.lineId: ${JSON.stringify(d.lineId)} is not a line of this quote`);
    else if (d.amount > line.lineTotal) problems.push(`discounts.${i}.amount: ${d.amount} is more than the line total ${line.lineTotal}`);
  });
  if (sum > quote.subtotal) problems.push(`discounts: ${sum} in all is more than the subtotal ${quote.subtotal}`);
  return problems;
}

/**
 * Validates a hook's parsed output as the platform does: the shape, and for
 * `checkout.discounts` with its quote, {@link checkDiscounts}. Returns the
 * normalized value (defaults filled, unknown keys dropped).
 *
 * @example
 * const r = validateHookOutput("storefront.blocks", JSON.parse(output));
 * if (r.success) render(r.value.blocks);
 */
export function validateHookOutput<H extends HookName>(
  hook: H,
  value: unknown,
  input?: unknown,
): { success: true; value: NonNullable<HookOutputs[H]> } | { success: false; errors: string[] } {
  const parsed = HookOutputSchemas[hook].safeParse(value);
  if (!parsed.success) return { success: false, errors: formatIssues(parsed.error) };
  if (hook === "checkout.discounts" && input !== undefined) {
    const problems = checkDiscounts(input as QuoteInput, parsed.data as DiscountsResult);
    if (problems.length) return { success: false, errors: problems };
  }
  return { success: true, value: parsed.data as NonNullable<HookOutputs[H]> };
}
