/**
 * /admin/shops/:shopId/staff: the shop's team. Every member sees it; only
 * the owner invites, withdraws invitations and removes staff.
 */
import { json, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { inviteStaff, listShopTeam, removeStaffMember, requireShopMember, revokeInvite } from "~/accounts/index.server";
import { CsrfInput, Field, FormError } from "~/components/forms";
import { RouteErrorCard } from "~/components/route-error";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { AppError } from "~/lib/errors";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { user, shop, membership } = await requireShopMember(request, context, params.shopId);
  const team = await listShopTeam(context.platform.db, shop.id);
  return json({ ...team, isOwner: membership.role === "owner", me: user.id, shopName: shop.name });
}

type Result = { ok: true; message: string } | ActionErrorData;

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, shop } = await requireShopMember(request, context, params.shopId, { role: "owner" });
  const form = await readForm(request, context);
  const fields = Object.fromEntries(form);
  const { db, config } = context.platform;
  switch (form.get("intent")) {
    case "invite":
      await inviteStaff(db, { shop, inviter: user }, fields, { publicUrl: config.publicUrl });
      return json({ ok: true as const, message: `Invitation sent to ${String(fields.email).trim().toLowerCase()}.` });
    case "revoke-invite":
      await revokeInvite(db, user, shop.id, fields);
      return json({ ok: true as const, message: "Invitation withdrawn." });
    case "remove":
      await removeStaffMember(db, user, shop, fields);
      return json({ ok: true as const, message: "Removed from the staff." });
    default:
      throw new AppError("bad_request", "Unknown action");
  }
}

function formatDay(iso: string): string {
  return iso.slice(0, 10);
}

export default function StaffPage() {
  const { members, invites, isOwner, me } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Staff</h1>
      <p className="muted">
        The owner runs the shop and its settings; staff help with the day-to-day work.
        {isOwner ? " Invite someone by e-mail: they join once they accept with that address." : ""}
      </p>
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>E-mail</th>
              <th>Role</th>
              <th>Since</th>
              {isOwner ? <th></th> : null}
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <tr key={m.userId}>
                <td>
                  {m.name}
                  {m.userId === me ? <span className="muted small"> (you)</span> : null}
                </td>
                <td className="small">{m.email}</td>
                <td>
                  <span className={m.role === "owner" ? "badge badge-accent" : "badge"}>{m.role}</span>
                </td>
                <td className="small">{formatDay(m.since)}</td>
                {isOwner ? <td className="num">{m.role === "staff" ? <RowButton intent="remove" name="userId" value={m.userId} label="Remove" /> : null}</td> : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      {isOwner ? (
        <div className="grid grid-2" style={{ marginTop: "1rem" }}>
          <InviteCard />
          <section className="card">
            <h2>Pending invitations</h2>
            {invites.length === 0 ? (
              <p className="muted small" style={{ marginBottom: 0 }}>
                None.
              </p>
            ) : (
              <ul className="stack" style={{ listStyle: "none", padding: 0, margin: 0 }}>
                {invites.map((i) => (
                  <li key={i.id} className="row">
                    <span>{i.email}</span>
                    <span className="muted small">until {formatDay(i.expiresAt)}</span>
                    <span className="spacer" />
                    <RowButton intent="revoke-invite" name="inviteId" value={i.id} label="Withdraw" />
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      ) : null}
    </>
  );
}

function InviteCard() {
  const fetcher = useFetcher<Result>();
  const errors = fetcher.data && !fetcher.data.ok ? fetcher.data : undefined;
  const formRef = useRef<HTMLFormElement>(null);
  const sent = fetcher.state === "idle" && fetcher.data?.ok ? fetcher.data.message : null;
  useEffect(() => {
    if (sent) formRef.current?.reset();
  }, [sent]);
  return (
    <section className="card">
      <h2>Invite staff</h2>
      <fetcher.Form method="post" ref={formRef} noValidate>
        <CsrfInput />
        <input type="hidden" name="intent" value="invite" />
        <FormError errors={errors} />
        {sent ? (
          <div className="alert alert-ok" role="status">
            {sent}
          </div>
        ) : null}
        <Field label="E-mail address" name="email" type="email" required autoComplete="off" errors={errors} />
        <button type="submit" className="btn btn-primary" disabled={fetcher.state !== "idle"}>
          Send invitation
        </button>
      </fetcher.Form>
    </section>
  );
}

function RowButton({ intent, name, value, label }: { intent: string; name: string; value: string; label: string }) {
  const fetcher = useFetcher<Result>();
  const error = fetcher.data && !fetcher.data.ok ? fetcher.data.formError : null;
  return (
    <fetcher.Form method="post" style={{ margin: 0, display: "inline" }}>
      <CsrfInput />
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name={name} value={value} />
      <button type="submit" className="btn-link small" disabled={fetcher.state !== "idle"}>
        {label}
      </button>
      {error ? <span className="field-error small"> {error}</span> : null}
    </fetcher.Form>
  );
}

export const ErrorBoundary = RouteErrorCard;
