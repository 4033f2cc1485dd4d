import { useRouteLoaderData } from "@remix-run/react";
import type { loader as shopLoader } from "./s.$shopHandle";

/** The shop's home page. Shelves (the merchant's published home page) arrive with the catalog. */
export default function StorefrontHome() {
  const data = useRouteLoaderData<typeof shopLoader>("routes/s.$shopHandle");
  if (!data) return null;
  return (
    <main className="page">
      <section className="hero">
        <h1>{data.shop.name}</h1>
        <p>This shop has not published its home page yet.</p>
      </section>
    </main>
  );
}
