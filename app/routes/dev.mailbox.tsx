/**
 * /dev/mailbox: the development mailbox. Every mail in the outbox, newest
 * first, each expandable to its text with http(s) links made clickable.
 * Not available (404) when NODE_ENV=production — see `isDevMailboxAvailable`.
 */
import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { TopBar } from "~/components/topbar";
import { notFound } from "~/lib/errors";
import { formatUtc, linkify } from "~/notifications/display";
import { isDevMailboxAvailable, listMailbox, MailId, PAGE_SIZE, readCursor } from "~/notifications/index.server";

export const meta: MetaFunction = () => [{ title: "Development mailbox · Bazaar" }, { name: "robots", content: "noindex" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { config, db, mailer } = context.platform;
  if (!isDevMailboxAvailable(config)) throw notFound();
  const before = readCursor(new URL(request.url), MailId);
  const page = await listMailbox(db, { before, limit: PAGE_SIZE });
  return json({ ...page, smtp: mailer.mode === "smtp", isFirstPage: !before });
}

const STATUS_BADGE = { kept: "badge", sent: "badge badge-ok", failed: "badge badge-err" } as const;

export default function DevMailboxPage() {
  const { items, nextBefore, smtp, isFirstPage } = useLoaderData<typeof loader>();
  return (
    <>
      <TopBar />
      <main className="page">
        <h1>Development mailbox</h1>
        <p className="muted">
          {smtp
            ? "SMTP is configured: mails are sent and also listed here with their delivery status."
            : "SMTP is not configured, so mail is kept here instead of being sent."}{" "}
          This page is never available in production.
        </p>

        {items.length === 0 ? (
          <div className="card empty">{isFirstPage ? "No mail yet." : "No older mail."}</div>
        ) : (
          <div className="stack">
            {items.map((m) => (
              <details key={m.id} className="card" data-mail-id={m.id}>
                <summary style={{ cursor: "pointer" }}>
                  <strong>{m.subject || "(no subject)"}</strong>{" "}
                  <span className="muted small">
                    to {m.to} · <time dateTime={m.createdAt}>{formatUtc(m.createdAt)}</time>
                  </span>{" "}
                  <span className={STATUS_BADGE[m.status]}>{m.status}</span>
                </summary>
                {m.error ? (
                  <p className="alert alert-error small" style={{ marginTop: "0.75rem" }}>
                    {m.error}
                  </p>
                ) : null}
                <pre style={{ whiteSpace: "pre-wrap", wordBreak: "break-word", font: "inherit", margin: "0.75rem 0 0" }}>
                  <MailText text={m.text} />
                </pre>
              </details>
            ))}
          </div>
        )}

        <nav className="pager" aria-label="Pages">
          {isFirstPage ? null : (
            <Link className="btn" to="/dev/mailbox">
              Newest
            </Link>
          )}
          {nextBefore ? (
            <Link className="btn" to={`/dev/mailbox?before=${encodeURIComponent(nextBefore)}`}>
              Older
            </Link>
          ) : null}
        </nav>
      </main>
    </>
  );
}

/** Mail text with its URLs as links; React escapes the rest, so no markup in a mail can run. */
function MailText({ text }: { text: string }) {
  return (
    <>
      {linkify(text).map((piece, i) =>
        piece.kind === "link" ? (
          <a key={i} href={piece.href} target="_blank" rel="noopener noreferrer nofollow">
            {piece.text}
          </a>
        ) : (
          <span key={i}>{piece.text}</span>
        ),
      )}
    </>
  );
}
