/**
 * /notifications: the signed-in user's notifications, newest first, 30 a
 * page, with "mark read" for one or all (CSRF-checked POST forms).
 */
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/accounts/index.server";
import { CsrfInput } from "~/components/forms";
import { TopBar } from "~/components/topbar";
import { readForm } from "~/http/csrf.server";
import { AppError, fieldErrorsFromZod } from "~/lib/errors";
import { formatUtc } from "~/notifications/display";
import {
  listNotifications,
  markRead,
  MarkReadForm,
  NotificationId,
  PAGE_SIZE,
  readCursor,
  unreadCount,
} from "~/notifications/index.server";

export const meta: MetaFunction = () => [{ title: "Notifications · Bazaar" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const before = readCursor(new URL(request.url), NotificationId);
  const { db } = context.platform;
  const [page, unread] = await Promise.all([
    listNotifications(db, user.id, { before, limit: PAGE_SIZE }),
    unreadCount(db, user.id),
  ]);
  return json({ ...page, unread, isFirstPage: !before });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const form = await readForm(request, context);
  const parsed = MarkReadForm.safeParse(Object.fromEntries(form));
  if (!parsed.success) {
    throw new AppError("bad_request", "Invalid request", { fieldErrors: fieldErrorsFromZod(parsed.error.issues) });
  }
  await markRead(context.platform.db, user.id, parsed.data.intent === "read-all" ? "all" : parsed.data.id);
  // Back to the page the form was on (post/redirect/get).
  const before = new URL(request.url).searchParams.get("before");
  return redirect(before ? `/notifications?before=${encodeURIComponent(before)}` : "/notifications", 303);
}

export default function NotificationsPage() {
  const { items, nextBefore, unread, isFirstPage } = useLoaderData<typeof loader>();
  return (
    <>
      <TopBar />
      <main className="page">
        <div className="row" style={{ marginBottom: "1rem" }}>
          <h1 style={{ margin: 0 }}>Notifications</h1>
          {unread > 0 ? <span className="badge badge-accent">{`${unread} unread`}</span> : null}
          <span className="spacer" />
          {unread > 0 ? (
            <Form method="post">
              <CsrfInput />
              <input type="hidden" name="intent" value="read-all" />
              <button type="submit" className="btn">
                Mark all read
              </button>
            </Form>
          ) : null}
        </div>

        {items.length === 0 ? (
          <div className="card empty">{isFirstPage ? "No notifications yet." : "No older notifications."}</div>
        ) : (
          <ul className="stack" style={{ listStyle: "none", padding: 0, margin: 0 }}>
            {items.map((n) => (
              <li key={n.id} className="card">
                <div className="row">
                  {n.readAt ? null : <span className="badge badge-accent">New</span>}
                  <strong>{n.link ? <Link to={n.link}>{n.title}</Link> : n.title}</strong>
                  <span className="spacer" />
                  <time className="muted small" dateTime={n.createdAt}>
                    {formatUtc(n.createdAt)}
                  </time>
                </div>
                {n.body ? <p style={{ margin: "0.5rem 0 0", whiteSpace: "pre-wrap" }}>{n.body}</p> : null}
                {n.readAt ? null : (
                  <Form method="post" style={{ marginTop: "0.5rem" }}>
                    <CsrfInput />
                    <input type="hidden" name="intent" value="read" />
                    <input type="hidden" name="id" value={n.id} />
                    <button type="submit" className="btn-link small">
                      Mark read
                    </button>
                  </Form>
                )}
              </li>
            ))}
          </ul>
        )}

        <nav className="pager" aria-label="Pages">
          {isFirstPage ? null : (
            <Link className="btn" to="/notifications">
              Newest
            </Link>
          )}
          {nextBefore ? (
            <Link className="btn" to={`/notifications?before=${encodeURIComponent(nextBefore)}`}>
              Older
            </Link>
          ) : null}
        </nav>
      </main>
    </>
  );
}
