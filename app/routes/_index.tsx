/**
 * The landing page: what Bazaar is, the demo shop, and the way in.
 */
import type { MetaFunction } from "@remix-run/node";
import { Link } from "@remix-run/react";
import { TopBar } from "~/components/topbar";
import { useRootData } from "~/root";

export const meta: MetaFunction = () => [
  { title: "Bazaar — open a shop, extend it safely" },
  { name: "description", content: "Bazaar is a commerce platform: open a shop in minutes, sell on a mobile-first storefront, and add vetted extensions." },
];

const AUDIENCES = [
  {
    title: "For merchants",
    text: "Open a shop in minutes: products with specs and SKUs, stock, shelves for your storefront, payment, shipping and after-sale — no engineers needed.",
  },
  {
    title: "For buyers",
    text: "Browse on a storefront made for phones, check out with member prices, points and coupons, track orders and raise a claim if something goes wrong.",
  },
  {
    title: "For developers",
    text: "Build membership, loyalty and promotion extensions that run inside the platform in a sandbox, under the scopes a merchant grants and a review before every release.",
  },
];

export default function Landing() {
  const user = useRootData()?.user ?? null;
  return (
    <>
      <TopBar />
      <main className="page">
        <section className="hero">
          <h1>The shop core you need, and extensions you can trust.</h1>
          <p>
            Bazaar runs the essentials of selling online — catalog, storefront, checkout, orders and after-sale — and lets vetted
            third-party extensions add the rest. The platform keeps the data and the rules; every extension works under scopes, limits
            and review, and everything it does is on the record.
          </p>
          <div className="row" style={{ marginTop: "1.25rem" }}>
            <Link className="btn btn-primary" to="/s/demo">
              Visit the demo shop
            </Link>
            {user ? (
              <Link className="btn" to="/admin">
                Go to your shops
              </Link>
            ) : (
              <>
                <Link className="btn" to="/signup">
                  Create an account
                </Link>
                <Link className="btn" to="/login">
                  Log in
                </Link>
              </>
            )}
          </div>
        </section>

        <div className="grid grid-3">
          {AUDIENCES.map((a) => (
            <section key={a.title} className="card">
              <h2>{a.title}</h2>
              <p className="muted" style={{ marginBottom: 0 }}>
                {a.text}
              </p>
            </section>
          ))}
        </div>

        <p className="muted small" style={{ marginTop: "2rem" }}>
          Trying it locally? The demo accounts (merchant, buyer, developer and reviewer) are listed in the README.
        </p>
      </main>
    </>
  );
}
