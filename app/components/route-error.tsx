/**
 * An error boundary body for pages inside a layout (the shop admin): the
 * message in a card, so the layout's navigation stays usable.
 */
import { Link, isRouteErrorResponse, useRouteError } from "@remix-run/react";
import { TopBar } from "./topbar";

export function RouteErrorCard() {
  const error = useRouteError();
  let title = "Something went wrong";
  let message = "An unexpected error occurred. Please try again.";
  if (isRouteErrorResponse(error)) {
    const given = typeof error.data?.error?.message === "string" ? (error.data.error.message as string) : null;
    if (error.status === 404) {
      title = "Not found";
      message = "We couldn't find what you were looking for.";
    } else if (error.status === 403) {
      title = "Not allowed";
      message = given ?? "You don't have access to this page.";
    } else if (error.status < 500) {
      title = "That didn't work";
      message = given ?? message;
    }
  }
  return (
    <div className="card" role="alert">
      <h2>{title}</h2>
      <p className="muted">{message}</p>
      <p>
        <Link to="/">Back to Bazaar</Link>
      </p>
    </div>
  );
}

/**
 * The whole error boundary of a standalone page (top bar, then the card).
 *
 * @example export { PageErrorBoundary as ErrorBoundary } from "~/components/route-error";
 */
export function PageErrorBoundary() {
  return (
    <>
      <TopBar />
      <main className="page">
        <RouteErrorCard />
      </main>
    </>
  );
}
