/**
 * The demo shop's catalog and storefront: four categories, thirteen teas,
 * teaware, snacks and gifts with specs, prices in CNY fen and stock, product
 * pictures drawn as SVG and rendered to WebP with sharp, a published home
 * shelf (banner, bestsellers grid, a category group, "About us") and a
 * second page, a gift guide.
 *
 * The seed runs in one database transaction; pictures go to the storage
 * first. Storage keys are content hashes and the drawings are
 * deterministic, so a rolled-back seed leaves at most files that the next
 * run writes again, byte for byte.
 */
import path from "node:path";
import sharp from "sharp";
import type { Kysely } from "kysely";
import type { Database } from "./database";
import type { SeedContext, SeedStep } from "./seed";
import { createCategory, createProduct, storeImage, updateSkus, type CatalogActor, type SpecDefinition } from "../app/catalog/index.server";
import { ensureHomeShelf, getHomeShelfId, newSectionId, publishShelf, replaceShelfDraft, type Section } from "../app/shelves/index.server";
import { createShelf } from "../app/shelves/index.server";
import { createLocalDiskStorage, type ObjectStorage } from "../app/storage/index.server";

// ---- pictures ----------------------------------------------------------------

type Palette = { from: string; to: string; ink: string; accent: string };

const PALETTES: Record<string, Palette> = {
  tea: { from: "#ecfccb", to: "#86c06c", ink: "#1a2e05", accent: "#3f6212" },
  black: { from: "#fde68a", to: "#c2410c", ink: "#431407", accent: "#7c2d12" },
  oolong: { from: "#fef3c7", to: "#a16207", ink: "#422006", accent: "#713f12" },
  white: { from: "#fafaf9", to: "#d6d3d1", ink: "#292524", accent: "#78716c" },
  teaware: { from: "#e0f2fe", to: "#7dd3fc", ink: "#082f49", accent: "#0369a1" },
  clay: { from: "#ffedd5", to: "#c2714f", ink: "#431407", accent: "#7c2d12" },
  snack: { from: "#fef9c3", to: "#f59e0b", ink: "#451a03", accent: "#b45309" },
  gift: { from: "#ffe4e6", to: "#fb7185", ink: "#4c0519", accent: "#be123c" },
  indigo: { from: "#e0e7ff", to: "#6366f1", ink: "#1e1b4b", accent: "#3730a3" },
};

type Motif = "leaves" | "cake" | "gaiwan" | "teapot" | "pitcher" | "tin" | "pastries" | "seeds" | "tote" | "giftbox" | "cup";

/** A small deterministic PRNG (mulberry32), so the same seed draws the same picture. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function leaf(x: number, y: number, scale: number, rotate: number, fill: string, vein: string): string {
  return `<g transform="translate(${x} ${y}) rotate(${rotate}) scale(${scale})">
    <path d="M0,-120 C78,-78 78,70 0,120 C-78,70 -78,-78 0,-120 Z" fill="${fill}"/>
    <path d="M0,-112 L0,112" stroke="${vein}" stroke-width="5" stroke-linecap="round" opacity="0.55"/>
    <path d="M0,-40 L34,-70 M0,0 L40,-28 M0,40 L36,14 M0,-40 L-34,-70 M0,0 L-40,-28 M0,40 L-36,14" stroke="${vein}" stroke-width="3" stroke-linecap="round" opacity="0.35"/>
  </g>`;
}

function motifSvg(motif: Motif, p: Palette, variant: number, seed: number): string {
  const rnd = prng(seed);
  switch (motif) {
    case "leaves":
      return [
        leaf(330, 360, 1.15, -28 + variant * 8, p.accent, "#ffffff"),
        leaf(470, 340, 1.0, 24 - variant * 6, p.ink, "#ffffff"),
        leaf(400, 420, 0.8, 2, "#65a30d", "#ffffff"),
      ].join("");
    case "cake": {
      let rings = "";
      for (let r = 60; r <= 200; r += 28) rings += `<circle cx="400" cy="350" r="${r}" fill="none" stroke="${p.accent}" stroke-width="4" opacity="0.25"/>`;
      return `<circle cx="400" cy="350" r="215" fill="#f5efe0" stroke="${p.accent}" stroke-width="6"/>${rings}
        <rect x="300" y="300" width="200" height="100" rx="10" fill="${p.accent}" opacity="0.9"/>
        <text x="400" y="365" font-family="DejaVu Serif" font-size="44" font-weight="bold" fill="#fff" text-anchor="middle">2019</text>`;
    }
    case "gaiwan":
      return `<ellipse cx="400" cy="470" rx="230" ry="46" fill="${p.accent}" opacity="0.9"/>
        <ellipse cx="400" cy="455" rx="200" ry="34" fill="#ffffff" opacity="0.35"/>
        <path d="M220,330 C230,450 300,470 400,470 C500,470 570,450 580,330 Z" fill="${p.to}" stroke="${p.accent}" stroke-width="6"/>
        <ellipse cx="400" cy="330" rx="180" ry="34" fill="#ffffff" stroke="${p.accent}" stroke-width="6"/>
        <path d="M245,300 C270,240 530,240 555,300 Z" fill="${p.to}" stroke="${p.accent}" stroke-width="6"/>
        <ellipse cx="400" cy="236" rx="34" ry="16" fill="${p.accent}"/>`;
    case "teapot":
      return `<path d="M560,300 C640,250 660,230 690,200" stroke="${p.accent}" stroke-width="30" stroke-linecap="round" fill="none"/>
        <path d="M230,300 C150,300 150,430 240,420" stroke="${p.accent}" stroke-width="26" fill="none"/>
        <ellipse cx="400" cy="360" rx="190" ry="140" fill="${p.to}" stroke="${p.accent}" stroke-width="6"/>
        <ellipse cx="400" cy="240" rx="110" ry="26" fill="${p.accent}"/>
        <circle cx="400" cy="205" r="24" fill="${p.accent}"/>
        <ellipse cx="340" cy="320" rx="40" ry="70" fill="#ffffff" opacity="0.18"/>`;
    case "pitcher":
      return `<path d="M300,200 L500,200 L480,500 C475,530 325,530 320,500 Z" fill="#ffffff" opacity="0.55" stroke="${p.accent}" stroke-width="6"/>
        <path d="M312,330 L488,330 L480,500 C475,530 325,530 320,500 Z" fill="#d97706" opacity="0.55"/>
        <path d="M500,240 C590,250 590,380 492,390" stroke="${p.accent}" stroke-width="14" fill="none"/>
        <path d="M300,200 L270,180" stroke="${p.accent}" stroke-width="10" stroke-linecap="round"/>`;
    case "cup":
      return `<path d="M270,270 L530,270 L500,480 C495,510 305,510 300,480 Z" fill="#ffffff" stroke="${p.accent}" stroke-width="6"/>
        <ellipse cx="400" cy="270" rx="130" ry="24" fill="${p.accent}" opacity="0.55"/>`;
    case "tin":
      return `<rect x="250" y="250" width="300" height="260" rx="18" fill="${p.accent}"/>
        <rect x="236" y="220" width="328" height="64" rx="14" fill="${p.ink}"/>
        <circle cx="400" cy="395" r="72" fill="#fff7ed"/>
        ${[0, 1, 2, 3, 4].map((i) => `<circle cx="${400 + 44 * Math.cos((i * 2 * Math.PI) / 5)}" cy="${395 + 44 * Math.sin((i * 2 * Math.PI) / 5)}" r="16" fill="#f59e0b"/>`).join("")}
        <circle cx="400" cy="395" r="14" fill="#b45309"/>`;
    case "pastries": {
      const spots = [
        [300, 320],
        [480, 320],
        [390, 440],
        [560, 450],
        [230, 450],
      ];
      return spots
        .map(
          ([x, y], i) => `<circle cx="${x}" cy="${y}" r="${78 - (i % 2) * 8}" fill="#f3c26b" stroke="#b45309" stroke-width="5"/>
          <path d="M${x - 34},${y} C${x - 20},${y - 30} ${x + 20},${y - 30} ${x + 34},${y}" stroke="#92400e" stroke-width="5" fill="none" opacity="0.6"/>
          <circle cx="${x}" cy="${y + 14}" r="12" fill="#ea580c"/>`,
        )
        .join("");
    }
    case "seeds": {
      let out = `<ellipse cx="400" cy="380" rx="250" ry="160" fill="#ffffff" opacity="0.35"/>`;
      for (let i = 0; i < 70; i++) {
        const a = rnd() * Math.PI * 2;
        const r = Math.sqrt(rnd()) * 210;
        const x = 400 + Math.cos(a) * r;
        const y = 380 + Math.sin(a) * r * 0.62;
        out += `<ellipse cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" rx="18" ry="10" transform="rotate(${Math.round(rnd() * 180)} ${x.toFixed(1)} ${y.toFixed(1)})" fill="${i % 3 ? "#292524" : "#57534e"}" stroke="#f5f5f4" stroke-width="2"/>`;
      }
      return out;
    }
    case "tote":
      return `<path d="M320,250 C320,150 480,150 480,250" stroke="${p.ink}" stroke-width="18" fill="none"/>
        <path d="M250,250 L550,250 L580,520 L220,520 Z" fill="${p.accent}"/>
        <path d="M250,250 L550,250 L556,300 L244,300 Z" fill="#ffffff" opacity="0.15"/>
        ${leaf(400, 400, 0.55, -20, "#ffffff", p.accent)}`;
    case "giftbox":
      return `<rect x="230" y="300" width="340" height="230" rx="14" fill="${p.accent}"/>
        <rect x="212" y="250" width="376" height="70" rx="12" fill="${p.ink}"/>
        <rect x="380" y="250" width="40" height="280" fill="#fde68a"/>
        <path d="M400,250 C340,170 280,200 320,250 Z M400,250 C460,170 520,200 480,250 Z" fill="#fde68a" stroke="#d97706" stroke-width="5"/>`;
  }
}

/** A square product picture: gradient, a soft disc, the drawing, and the product's short name. */
function productSvg(d: { label: string; sub: string; motif: Motif; palette: Palette; variant: number; seed: number }): string {
  const p = d.palette;
  const angle = d.variant === 0 ? "0 0 1 1" : "1 0 0 1";
  const [x1, y1, x2, y2] = angle.split(" ");
  // Drawn on an 800-unit canvas, rendered at 640 px: enough for the storefront's cards and
  // gallery on a phone, and it keeps the seed fast (every picture is decoded and re-encoded twice).
  return `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="640" viewBox="0 0 800 800">
  <defs>
    <linearGradient id="bg" x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}">
      <stop offset="0" stop-color="${p.from}"/><stop offset="1" stop-color="${p.to}"/>
    </linearGradient>
    <radialGradient id="glow" cx="0.5" cy="0.42" r="0.5"><stop offset="0" stop-color="#ffffff" stop-opacity="0.75"/><stop offset="1" stop-color="#ffffff" stop-opacity="0"/></radialGradient>
  </defs>
  <rect width="800" height="800" fill="url(#bg)"/>
  <circle cx="400" cy="360" r="330" fill="url(#glow)"/>
  ${motifSvg(d.motif, p, d.variant, d.seed)}
  <rect x="0" y="610" width="800" height="190" fill="#ffffff" opacity="0.72"/>
  <text x="400" y="692" font-family="DejaVu Sans" font-weight="bold" font-size="54" fill="${p.ink}" text-anchor="middle">${escapeXml(d.label)}</text>
  <text x="400" y="748" font-family="DejaVu Sans" font-size="30" fill="${p.accent}" text-anchor="middle" letter-spacing="3">${escapeXml(d.sub.toUpperCase())}</text>
</svg>`;
}

/** The home banner: tea terraces under an evening sky, no text (the section's headline is live text over it, on the darker left). */
function bannerSvg(): string {
  const greens = ["#1a2e05", "#365314", "#3f6212", "#4d7c0f", "#3f6212", "#365314", "#14532d"];
  let rows = "";
  for (let i = 0; i < 7; i++) {
    const y = 300 + i * 48;
    rows += `<path d="M0,${y} C300,${y - 60} 600,${y + 50} 1200,${y - 30} L1200,600 L0,600 Z" fill="${greens[i]}" opacity="${0.6 + i * 0.06}"/>`;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="600" viewBox="0 0 1200 600">
  <defs>
    <linearGradient id="sky" x1="0" y1="0" x2="1" y2="0.6"><stop offset="0" stop-color="#0f2e24"/><stop offset="0.55" stop-color="#3f5f2a"/><stop offset="1" stop-color="#d9a441"/></linearGradient>
    <radialGradient id="sun" cx="0.8" cy="0.3" r="0.35"><stop offset="0" stop-color="#fde68a" stop-opacity="0.9"/><stop offset="1" stop-color="#fde68a" stop-opacity="0"/></radialGradient>
  </defs>
  <rect width="1200" height="600" fill="url(#sky)"/>
  <rect width="1200" height="600" fill="url(#sun)"/>
  <circle cx="960" cy="180" r="70" fill="#fff7ed" opacity="0.9"/>
  <path d="M0,260 C200,180 380,230 560,200 C760,160 980,230 1200,190 L1200,600 L0,600 Z" fill="#6b8f4e" opacity="0.45"/>
  ${rows}
  ${leaf(1080, 110, 0.42, 35, "#4d7c0f", "#ecfccb")}${leaf(1140, 150, 0.32, -15, "#65a30d", "#ecfccb")}
</svg>`;
}

async function render(svg: string): Promise<Uint8Array> {
  // WebP straight from the SVG; the catalog verifies and re-encodes it like any upload.
  return new Uint8Array(await sharp(Buffer.from(svg), { density: 72 }).webp({ quality: 84, effort: 2 }).toBuffer());
}

// ---- the catalog ---------------------------------------------------------------

type SkuPlan = { values: string[]; price: number; compareAt?: number | null; stock: number };
type DemoProduct = {
  key: string;
  title: string;
  category: "Tea" | "Teaware" | "Snacks" | "Gifts";
  description: string;
  motif: Motif;
  palette: keyof typeof PALETTES;
  label: string;
  sub: string;
  /** a second gallery picture: another colour or a brewed cup, drawn like the first with these changes */
  second?: { motif?: Motif; palette?: keyof typeof PALETTES; sub?: string };
  specs?: SpecDefinition[];
  /** per SKU, in spec-combination order; a product without specs has one */
  skus: SkuPlan[];
};

const y = (yuan: number) => Math.round(yuan * 100);

const PRODUCTS: DemoProduct[] = [
  {
    key: "longjing",
    title: "West Lake Longjing Green Tea, Spring 2026 Harvest",
    category: "Tea",
    label: "Longjing",
    sub: "Green tea · Hangzhou",
    motif: "leaves",
    palette: "tea",
    second: { motif: "cup", sub: "Brewed at 80 °C" },
    description:
      "Pan-fired by hand in the villages around West Lake, picked **before Qingming** when the buds are at their sweetest.\n\n- Chestnut aroma, orchid finish\n- Brew at 80 °C for 2 minutes; three to four infusions\n- Sealed in nitrogen-flushed pouches",
    specs: [{ name: "Weight", values: ["50g", "100g", "250g"] }],
    skus: [
      { values: ["50g"], price: y(68), stock: 40 },
      { values: ["100g"], price: y(128), stock: 25 },
      { values: ["250g"], price: y(298), compareAt: y(358), stock: 8 },
    ],
  },
  {
    key: "tieguanyin",
    title: "Anxi Tieguanyin Oolong, Light Roast",
    category: "Tea",
    label: "Tieguanyin",
    sub: "Oolong · Anxi, Fujian",
    motif: "leaves",
    palette: "oolong",
    description: "Tightly rolled jade-green pearls that open into whole leaves. Floral, creamy and endlessly re-steepable.\n\nBrew at 95 °C: rinse once, then 30-second infusions.",
    specs: [{ name: "Weight", values: ["100g", "250g"] }],
    skus: [
      { values: ["100g"], price: y(88), stock: 30 },
      { values: ["250g"], price: y(198), stock: 12 },
    ],
  },
  {
    key: "dianhong",
    title: "Yunnan Dianhong Golden Bud Black Tea",
    category: "Tea",
    label: "Dianhong",
    sub: "Black tea · Yunnan",
    motif: "leaves",
    palette: "black",
    description: "Downy golden buds from Fengqing with notes of malt, honey and cocoa. Lovely on its own, sturdy enough for milk.",
    specs: [{ name: "Weight", values: ["50g", "100g"] }],
    skus: [
      { values: ["50g"], price: y(58), stock: 50 },
      { values: ["100g"], price: y(108), compareAt: y(128), stock: 20 },
    ],
  },
  {
    key: "baimudan",
    title: "Aged White Peony (Bai Mudan) Tea Cake, 2019",
    category: "Tea",
    label: "Bai Mudan",
    sub: "White tea · Fuding · 357g",
    motif: "cake",
    palette: "white",
    description: "A 357 g pressed cake, stored in Fuding since 2019. Five years have turned its hay-like freshness into **dates and honey**.\n\nBreak off 5 g per pot with a tea knife.",
    skus: [{ values: [], price: y(158), compareAt: y(198), stock: 15 }],
  },
  {
    key: "dahongpao",
    title: "Wuyi Da Hong Pao Rock Oolong",
    category: "Tea",
    label: "Da Hong Pao",
    sub: "Rock oolong · Wuyi",
    motif: "leaves",
    palette: "clay",
    description: "Charcoal-roasted the traditional way. Mineral \"rock rhyme\", stone fruit and a long, warming finish.\n\nThe Reserve grade comes from the Zhengyan core area; it is sold out until the autumn roast.",
    specs: [{ name: "Grade", values: ["Classic", "Reserve"] }],
    skus: [
      { values: ["Classic"], price: y(98), stock: 18 },
      { values: ["Reserve"], price: y(168), stock: 0 },
    ],
  },
  {
    key: "gaiwan",
    title: "Jingdezhen Celadon Gaiwan, 150 ml",
    category: "Teaware",
    label: "Gaiwan",
    sub: "Jingdezhen porcelain",
    motif: "gaiwan",
    palette: "teaware",
    second: { palette: "white", sub: "Ivory glaze" },
    description: "The lidded bowl every tea house uses: thin-walled porcelain that stays cool at the rim.\n\n- 150 ml, dishwasher safe\n- Hand-glazed, so each glaze pools a little differently",
    specs: [{ name: "Colour", values: ["Celadon", "Ivory", "Sky Blue"] }],
    skus: [
      { values: ["Celadon"], price: y(128), stock: 14 },
      { values: ["Ivory"], price: y(128), stock: 9 },
      { values: ["Sky Blue"], price: y(138), stock: 0 },
    ],
  },
  {
    key: "teapot",
    title: "Yixing Zisha Clay Teapot, 200 ml",
    category: "Teaware",
    label: "Zisha Teapot",
    sub: "Yixing purple clay",
    motif: "teapot",
    palette: "clay",
    description: "Thrown from Yixing purple clay, which slowly seasons with the tea you brew in it. Best kept for one kind of tea — oolong or pu'er.",
    skus: [{ values: [], price: y(368), stock: 5 }],
  },
  {
    key: "pitcher",
    title: "Hand-blown Glass Fairness Pitcher",
    category: "Teaware",
    label: "Fairness Pitcher",
    sub: "Borosilicate glass",
    motif: "pitcher",
    palette: "teaware",
    description: "Pour the whole infusion in here first, so every cup gets the same strength. Heat-proof borosilicate glass, 300 ml.",
    skus: [{ values: [], price: y(48), compareAt: y(58), stock: 60 }],
  },
  {
    key: "osmanthus",
    title: "Osmanthus Cake Gift Tin, 12 pieces",
    category: "Snacks",
    label: "Osmanthus Cakes",
    sub: "Suzhou · 12 pieces",
    motif: "tin",
    palette: "snack",
    description: "Soft rice cakes scented with sweet osmanthus blossoms, made in Suzhou the week you order. Best within 15 days.",
    specs: [{ name: "Flavour", values: ["Osmanthus", "Red Bean", "Mixed"] }],
    skus: [
      { values: ["Osmanthus"], price: y(39), stock: 35 },
      { values: ["Red Bean"], price: y(39), stock: 22 },
      { values: ["Mixed"], price: y(42), stock: 3 },
    ],
  },
  {
    key: "seeds",
    title: "Tea-Infused Roasted Watermelon Seeds",
    category: "Snacks",
    label: "Melon Seeds",
    sub: "Roasted with oolong",
    motif: "seeds",
    palette: "snack",
    description: "The snack of every Chinese New Year table, slow-roasted with oolong leaves for a gentle, toasty bitterness.",
    specs: [{ name: "Weight", values: ["200g", "500g"] }],
    skus: [
      { values: ["200g"], price: y(18), stock: 80 },
      { values: ["500g"], price: y(39), stock: 40 },
    ],
  },
  {
    key: "danhuangsu",
    title: "Salted Egg Yolk Pastries (Dan Huang Su), 6-pack",
    category: "Snacks",
    label: "Dan Huang Su",
    sub: "Flaky pastry · 6 pack",
    motif: "pastries",
    palette: "snack",
    description: "Flaky layers, red bean paste, a whole salted egg yolk in the middle. Baked to order — this week's batch is sold out.",
    skus: [{ values: [], price: y(45), stock: 0 }],
  },
  {
    key: "tote",
    title: "Canvas Tea Tote Bag",
    category: "Gifts",
    label: "Tea Tote",
    sub: "Heavy cotton canvas",
    motif: "tote",
    palette: "indigo",
    second: { palette: "oolong", sub: "Natural canvas" },
    description: "Heavy 16 oz cotton canvas with a printed tea leaf and an inside pocket for your tumbler.",
    specs: [
      { name: "Colour", values: ["Natural", "Indigo"] },
      { name: "Size", values: ["S", "M", "L"] },
    ],
    skus: [
      { values: ["Natural", "S"], price: y(59), stock: 10 },
      { values: ["Natural", "M"], price: y(69), stock: 12 },
      { values: ["Natural", "L"], price: y(79), stock: 0 },
      { values: ["Indigo", "S"], price: y(59), stock: 6 },
      { values: ["Indigo", "M"], price: y(69), stock: 2 },
      { values: ["Indigo", "L"], price: y(79), stock: 7 },
    ],
  },
  {
    key: "giftbox",
    title: "Four Seasons Tea Sampler Gift Box",
    category: "Gifts",
    label: "Four Seasons",
    sub: "Tea sampler gift box",
    motif: "giftbox",
    palette: "gift",
    description: "Four tins — Longjing, Tieguanyin, Dianhong and Bai Mudan — with a brewing card for each. Gift-wrapped, with a handwritten note on request.",
    skus: [{ values: [], price: y(198), compareAt: y(238), stock: 24 }],
  },
];

const BESTSELLERS = ["longjing", "gaiwan", "tote", "osmanthus", "dahongpao", "giftbox"];

const ABOUT_US = `## About us

We are a small tea house from Hangzhou. Since 2012 we have bought directly from the farmers who grow our tea, so it reaches you weeks — not months — after it was picked.

- **Free shipping** on orders over ¥199
- Every order is packed by hand within 24 hours
- Not sure what to choose? Write to us at [hello@demo.bazaar](mailto:hello@demo.bazaar)`;

/** The storage the demo's pictures go to when none is given: the platform's, from the same DATA_DIR the server reads. */
function defaultStorage(): ObjectStorage {
  return createLocalDiskStorage(path.join(path.resolve(process.env.DATA_DIR || "./data"), "media"));
}

/**
 * Seeds the demo catalog and storefront into `ctx.trx`. Pass the
 * platform's storage when it is not the default data folder's (tests, the
 * benchmark).
 */
export async function seedDemoCatalog(ctx: SeedContext, opts: { storage?: ObjectStorage } = {}): Promise<void> {
  const db: Kysely<Database> = ctx.trx;
  const { shopId } = ctx;
  const existing = await db.selectFrom("products").select("id").where("shop_id", "=", shopId).limit(1).executeTakeFirst();
  if (existing) return; // already seeded: every step is idempotent
  const shop = await db.selectFrom("shops").select("handle").where("id", "=", shopId).executeTakeFirstOrThrow();
  const storage = opts.storage ?? defaultStorage();
  const actor: CatalogActor = { type: "system" };
  const target = { db, storage };

  // Draw every picture first (sharp works on its own threads), then store them in the transaction.
  const jobs: { key: string; svg: string }[] = [{ key: "banner", svg: bannerSvg() }];
  PRODUCTS.forEach((p, i) => {
    jobs.push({ key: `${p.key}:0`, svg: productSvg({ label: p.label, sub: p.sub, motif: p.motif, palette: PALETTES[p.palette], variant: 0, seed: i * 31 }) });
    if (p.second) {
      const { motif = p.motif, palette = p.palette, sub = p.sub } = p.second;
      jobs.push({ key: `${p.key}:1`, svg: productSvg({ label: p.label, sub, motif, palette: PALETTES[palette], variant: 1, seed: i * 31 + 1 }) });
    }
  });
  const rendered = await Promise.all(jobs.map(async (j) => ({ key: j.key, bytes: await render(j.svg) })));
  // Stored two at a time: the re-encoding in storeImage overlaps while the queries queue on the transaction.
  const imageIds = new Map<string, string>();
  for (let i = 0; i < rendered.length; i += 2) {
    const pair = rendered.slice(i, i + 2);
    const ids = await Promise.all(pair.map((r) => storeImage(target, shopId, r.bytes)));
    pair.forEach((r, j) => imageIds.set(r.key, ids[j]));
  }

  const categories = new Map<string, string>();
  for (const name of ["Tea", "Teaware", "Snacks", "Gifts"]) {
    categories.set(name, (await createCategory(db, shopId, actor, { name })).id);
  }

  const productIds = new Map<string, string>();
  for (const p of PRODUCTS) {
    const first = p.skus[0];
    const created = await createProduct(db, shopId, actor, {
      title: p.title,
      description: p.description,
      categoryId: categories.get(p.category)!,
      status: "on_sale",
      specs: p.specs ?? [],
      price: first.price,
      compareAtPrice: first.compareAt ?? null,
      stock: first.stock,
      imageIds: [imageIds.get(`${p.key}:0`)!, ...(p.second ? [imageIds.get(`${p.key}:1`)!] : [])],
    });
    productIds.set(p.key, created.id);
    // Every SKU starts like the first; set the ones that differ in price, compare-at price or stock.
    const rows = created.skus.flatMap((sku) => {
      const plan = p.skus.find((s) => s.values.join("|") === sku.specValues.join("|"));
      if (!plan || (plan.price === first.price && (plan.compareAt ?? null) === (first.compareAt ?? null) && plan.stock === first.stock)) return [];
      return [{ skuId: sku.id, price: plan.price, compareAtPrice: plan.compareAt ?? null, stock: plan.stock }];
    });
    if (rows.length) await updateSkus(db, shopId, created.id, actor, rows);
  }

  // The home page, published: banner, bestsellers, the teas, and who we are.
  await ensureHomeShelf(db, shopId, null);
  const homeId = (await getHomeShelfId(db, shopId))!;
  const home: Section[] = [
    {
      type: "banner",
      id: newSectionId(),
      imageId: imageIds.get("banner")!,
      headline: "Spring harvest teas are here",
      subline: "Longjing picked before Qingming, shipped within 24 hours.",
      link: `/s/${shop.handle}/c/${categories.get("Tea")}`,
      linkLabel: "Shop the new teas",
    },
    { type: "product_grid", id: newSectionId(), title: "Bestsellers", productIds: BESTSELLERS.map((k) => productIds.get(k)!) },
    { type: "category_group", id: newSectionId(), title: "Fine teas", categoryId: categories.get("Tea")!, maxItems: 4 },
    {
      type: "product_list",
      id: newSectionId(),
      title: "Teaware for the perfect cup",
      productIds: ["teapot", "pitcher", "gaiwan"].map((k) => productIds.get(k)!),
    },
    { type: "rich_text", id: newSectionId(), markdown: ABOUT_US },
  ];
  await replaceShelfDraft(db, shopId, null, homeId, home);
  await publishShelf(db, shopId, null, homeId);

  const gifts = await createShelf(db, shopId, { id: ctx.users.merchant }, { title: "Gift guide", slug: "gifts" });
  await replaceShelfDraft(db, shopId, null, gifts.id, [
    {
      type: "rich_text",
      id: newSectionId(),
      markdown: "Presents for the tea lovers in your life — every order can be **gift-wrapped** with a handwritten card. Just say so in the order note.",
    },
    { type: "product_grid", id: newSectionId(), title: "Ready to give", productIds: ["giftbox", "tote", "osmanthus", "gaiwan"].map((k) => productIds.get(k)!) },
    { type: "product_list", id: newSectionId(), title: "Little extras", productIds: ["seeds", "danhuangsu", "pitcher"].map((k) => productIds.get(k)!) },
  ]);
  await publishShelf(db, shopId, null, gifts.id);
}

/** The seed step `db/seed.ts` runs after the demo shop exists. */
export const demoCatalogStep: SeedStep = {
  name: "demo catalog and storefront",
  run: (ctx) => seedDemoCatalog(ctx),
};
