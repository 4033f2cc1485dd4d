import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, Outlet, useLoaderData } from "@remix-run/react";
import { getShopByHandle } from "~/shops/index.server";
import { AppError } from "~/lib/errors";

export async function loader({ params, context }: LoaderFunctionArgs) {
  const shop = await getShopByHandle(context.platform.db, params.shopHandle ?? "");
  if (!shop || shop.status !== "active") throw new AppError("not_found", "Shop not found");
  return json({ shop: { id: shop.id, handle: shop.handle, name: shop.name, currency: shop.currency } });
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? data.shop.name : "Shop not found" }];

/** The storefront shell: the shop's header; pages render below it. */
export default function StorefrontLayout() {
  const { shop } = useLoaderData<typeof loader>();
  return (
    <div className="storefront">
      <header className="topbar">
        <Link to={`/s/${shop.handle}`} className="brand">
          {shop.name}
        </Link>
      </header>
      <Outlet />
    </div>
  );
}
