/**
 * /dev/payments — the payment simulator's console (development and tests;
 * 404 when NODE_ENV=production, like the development mailbox): its
 * settings (retry time scale, refund outcome, where relative notify URLs
 * point), recent simulated trades, every notification with its delivery
 * attempts, and the platform's open payment anomalies.
 */
import { json, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { formatMoney } from "~/catalog/money";
import { CsrfInput, Field, FormError } from "~/components/forms";
import { TopBar } from "~/components/topbar";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { AppError, fieldErrorsFromZod, notFound } from "~/lib/errors";
import {
  getSimSettings,
  isSimulatorAvailable,
  listPaymentAnomalies,
  listSimActivity,
  RETRY_SCHEDULE_SECONDS,
  setSimSettings,
  SimSettingsForm,
} from "~/payments/index.server";

export const meta: MetaFunction = () => [{ title: "Payment simulator · Bazaar" }, { name: "robots", content: "noindex" }];

export async function loader({ context }: LoaderFunctionArgs) {
  const { config, db } = context.platform;
  if (!isSimulatorAvailable(config)) throw notFound();
  const [settings, activity, anomalies] = await Promise.all([getSimSettings(db), listSimActivity(db, 30), listPaymentAnomalies(db, 50)]);
  return json({
    settings,
    publicUrl: config.publicUrl,
    trades: activity.trades.map((t) => ({
      outTradeNo: t.out_trade_no,
      amount: t.amount,
      currency: t.currency,
      state: t.trade_state,
      refunded: t.refunded,
      createdAt: new Date(t.created_at).toISOString(),
    })),
    notifications: activity.notifications.map((n) => ({
      id: n.id,
      eventType: n.event_type,
      subject: n.subject,
      status: n.status,
      attempts: n.attempts,
      nextAttemptAt: new Date(n.next_attempt_at).toISOString(),
    })),
    anomalies,
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const { config, db } = context.platform;
  if (!isSimulatorAvailable(config)) throw notFound();
  const form = await readForm(request, context);
  const parsed = SimSettingsForm.safeParse(Object.fromEntries(form));
  if (!parsed.success) throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: fieldErrorsFromZod(parsed.error.issues) });
  await setSimSettings(db, parsed.data);
  return redirect("/dev/payments", 303);
}

const BADGE: Record<string, string> = {
  SUCCESS: "badge badge-ok",
  REFUND: "badge badge-accent",
  CLOSED: "badge",
  NOTPAY: "badge badge-warn",
  acknowledged: "badge badge-ok",
  pending: "badge badge-warn",
  gave_up: "badge badge-err",
};

export default function PaymentSimulatorPage() {
  const { settings, publicUrl, trades, notifications, anomalies } = useLoaderData<typeof loader>();
  const errors = useActionData<ActionErrorData>();
  return (
    <>
      <TopBar />
      <main className="page stack">
        <h1>Payment simulator</h1>
        <p className="muted">
          Plays WeChat Pay API v3 for this site: trades, the cashier at <code>/pay/&lt;payment id&gt;</code>, signed notifications retried on
          WeChat&apos;s schedule ({RETRY_SCHEDULE_SECONDS.join(", ")} seconds, times the scale below), and refunds. Never available in production.
        </p>

        <section className="card">
          <h2>Settings</h2>
          <Form method="post" className="stack">
            <CsrfInput />
            <FormError errors={errors} />
            <Field label="Retry time scale" name="timeScale" type="number" step="any" min="0" max="1" defaultValue={settings.timeScale} errors={errors} hint="1 = real time; 0.01 makes the first retry come after 0.15 s." />
            <Field label="Refund outcome" name="refundOutcome" errors={errors}>
              <select id="f-refundOutcome" name="refundOutcome" defaultValue={settings.refundOutcome}>
                <option value="SUCCESS">SUCCESS</option>
                <option value="ABNORMAL">ABNORMAL</option>
              </select>
            </Field>
            <Field label="Notify base URL" name="notifyBaseUrl" defaultValue={settings.notifyBaseUrl ?? ""} errors={errors} hint={`Empty = this site (${publicUrl}).`} />
            <button type="submit" className="btn btn-primary">
              Save
            </button>
          </Form>
        </section>

        <section className="card">
          <h2>Open payment anomalies</h2>
          {anomalies.length === 0 ? (
            <p className="muted">None.</p>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th>Kind</th>
                    <th>Payment</th>
                    <th>Order</th>
                    <th>Seen</th>
                    <th>Details</th>
                  </tr>
                </thead>
                <tbody>
                  {anomalies.map((a) => (
                    <tr key={a.id} data-testid="anomaly">
                      <td>
                        <span className="badge badge-err">{a.kind}</span>
                      </td>
                      <td className="small">{a.paymentId ?? "—"}</td>
                      <td className="small">{a.orderId ?? "—"}</td>
                      <td className="small">
                        {a.occurrences}× since {a.firstSeenAt}
                      </td>
                      <td className="small">{String(a.details.message ?? "")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>

        <section className="card">
          <h2>Trades</h2>
          {trades.length === 0 ? (
            <p className="muted">No trades yet.</p>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th>out_trade_no</th>
                    <th>Amount</th>
                    <th>State</th>
                    <th>Refunded</th>
                    <th>Created</th>
                  </tr>
                </thead>
                <tbody>
                  {trades.map((t) => (
                    <tr key={t.outTradeNo}>
                      <td className="small">
                        <a href={`/pay/${t.outTradeNo}`}>{t.outTradeNo}</a>
                      </td>
                      <td className="num">{formatMoney(t.amount, t.currency)}</td>
                      <td>
                        <span className={BADGE[t.state] ?? "badge"}>{t.state}</span>
                      </td>
                      <td className="num">{t.refunded ? formatMoney(t.refunded, t.currency) : "—"}</td>
                      <td className="small">{t.createdAt}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>

        <section className="card">
          <h2>Notifications</h2>
          {notifications.length === 0 ? (
            <p className="muted">No notifications yet.</p>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th>Event</th>
                    <th>Subject</th>
                    <th>Status</th>
                    <th>Attempts</th>
                    <th>Next attempt</th>
                  </tr>
                </thead>
                <tbody>
                  {notifications.map((n) => (
                    <tr key={n.id}>
                      <td className="small">{n.eventType}</td>
                      <td className="small">{n.subject}</td>
                      <td>
                        <span className={BADGE[n.status] ?? "badge"}>{n.status}</span>
                      </td>
                      <td className="num">{n.attempts}</td>
                      <td className="small">{n.status === "pending" ? n.nextAttemptAt : "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      </main>
    </>
  );
}
