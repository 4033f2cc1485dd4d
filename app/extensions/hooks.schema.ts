/**
 * What hooks may return, as zod schemas: every value that comes out of the
 * sandbox is parsed by one of these before it touches a price, a counter or
 * a page. Browser-safe (the storefront block component uses the block types).
 */
import { z } from "zod";

const int = (min: number, max: number) => z.number().int().min(min).max(max);

// ---- checkout.discounts -------------------------------------------------------------

const PluginDiscountLine = z.object({
  lineId: z.string().min(1).max(100).nullable(),
  amount: int(0, Number.MAX_SAFE_INTEGER),
  label: z.string().trim().min(1).max(80),
  /** optional: the host fills it in; if given it must name this install */
  source: z.object({ installId: z.string() }).loose().optional(),
});

const PluginReservation = z.object({
  counterKey: z.string().min(1).max(200),
  delta: int(-1_000_000_000, 1_000_000_000).refine((n) => n !== 0, "delta must not be 0"),
  bound: z.object({ min: int(-2_000_000_000, 2_000_000_000).optional(), max: int(-2_000_000_000, 2_000_000_000).optional() }).default({}),
  /** optional: the host fills it in; if given it must name this install */
  installId: z.string().optional(),
});

/** The output of `checkout.discounts`. `lines` is accepted as another name for `discounts`. */
export const DiscountsOutput = z.preprocess(
  (v) => {
    if (v === null) return { discounts: [] };
    if (v && typeof v === "object" && !Array.isArray(v) && !("discounts" in v) && "lines" in v) {
      const { lines, ...rest } = v as Record<string, unknown>;
      return { ...rest, discounts: lines };
    }
    return v;
  },
  z.object({
    discounts: z.array(PluginDiscountLine).max(100),
    reservations: z.array(PluginReservation).max(20).default([]),
  }),
);
export type DiscountsOutput = z.infer<typeof DiscountsOutput>;

// ---- asynchronous hooks ------------------------------------------------------------

export const CounterEffect = z.object({
  key: z.string().min(1).max(256),
  delta: int(-1_000_000_000, 1_000_000_000).refine((n) => n !== 0, "delta must not be 0"),
  min: int(-2_000_000_000, 2_000_000_000).optional(),
  max: int(-2_000_000_000, 2_000_000_000).optional(),
});
export type CounterEffect = z.infer<typeof CounterEffect>;

/** The output of an asynchronous hook: nothing, or counter effects the host applies once per delivery. */
export const AsyncHookOutput = z.preprocess(
  (v) => (v === null || v === undefined ? {} : v),
  z.object({ counters: z.array(CounterEffect).max(20).default([]) }).loose(),
);

// ---- storefront.blocks -------------------------------------------------------------

export const BLOCK_TONES = ["neutral", "info", "success", "warning"] as const;
const Tone = z.enum(BLOCK_TONES).default("neutral");
const text = (max: number) => z.string().trim().min(1).max(max);

/** One declarative block. Never HTML: the platform renders text only. */
export const StorefrontBlock = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text"), text: text(280), tone: Tone }),
  z.object({ type: z.literal("badge"), label: text(40), tone: Tone }),
  z.object({
    type: z.literal("progress"),
    label: text(80),
    value: z.number().min(0),
    max: z.number().positive(),
    caption: text(120).optional(),
  }),
  z.object({ type: z.literal("list"), title: text(80).optional(), items: z.array(text(120)).min(1).max(10) }),
]);
export type StorefrontBlock = z.infer<typeof StorefrontBlock>;

export const BlocksOutput = z.preprocess((v) => (v === null ? { blocks: [] } : v), z.object({ blocks: z.array(StorefrontBlock).max(5) }));

/** Blocks as the storefront renders them: each install's blocks under its name. */
export type ExtensionBlocks = { installId: string; extensionName: string; blocks: StorefrontBlock[] };
