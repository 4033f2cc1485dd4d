import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import {
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  isRouteErrorResponse,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import type { ReactNode } from "react";
import styles from "./styles/app.css";
import { csrfTokenFor } from "./http/csrf.server";
import { getSessionUser } from "./accounts/session.server";
import { userHasShops } from "./accounts/index.server";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];
export const meta: MetaFunction = () => [{ title: "Bazaar" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { token, setCookie } = csrfTokenFor(request, context);
  const user = await getSessionUser(request, context);
  // The top bar shows "Admin" only to shop members (app/components/topbar.tsx).
  const hasShops = user ? await userHasShops(context.platform.db, user.id) : false;
  return json(
    {
      csrf: token,
      user: user ? { id: user.id, name: user.name, email: user.email, isReviewer: user.is_reviewer, hasShops } : null,
    },
    { headers: setCookie ? { "Set-Cookie": setCookie } : undefined },
  );
}

export function useRootData() {
  return useRouteLoaderData<typeof loader>("root");
}

export function Layout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  let title = "Something went wrong";
  let message = "An unexpected error occurred. Please try again.";
  let status = 500;
  if (isRouteErrorResponse(error)) {
    status = error.status;
    if (status === 404) {
      title = "Page not found";
      message = "We couldn't find what you were looking for.";
    } else if (status === 403) {
      title = "Not allowed";
      message = typeof error.data?.error?.message === "string" ? error.data.error.message : "You don't have access to this page.";
    } else if (status < 500) {
      title = "That didn't work";
      message = typeof error.data?.error?.message === "string" ? error.data.error.message : message;
    }
  }
  return (
    <main className="page narrow error-page">
      <p className="error-status">{status}</p>
      <h1>{title}</h1>
      <p>{message}</p>
      <p>
        <Link to="/">Back to Bazaar</Link>
      </p>
    </main>
  );
}
