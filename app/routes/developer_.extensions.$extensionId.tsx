/**
 * /developer/extensions/:extensionId: how the extension behaves across every
 * shop that installed it — calls, latency p50/p95 and error rate over time
 * (inline SVG charts), and the calls by outcome and by hook. Only members of
 * its vendor see it (anyone else gets 404).
 */
import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/accounts/index.server";
import { MetricsCharts } from "~/components/metrics-chart";
import { TopBar } from "~/components/topbar";
import { extensionMetrics } from "~/extensions/index.server";
import { requireDeveloperExtension } from "~/marketplace/index.server";

const RANGES = { "2": "2 hours", "24": "24 hours", "168": "7 days", "720": "30 days" } as const;

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const db = context.platform.db;
  const extension = await requireDeveloperExtension(db, user.id, params.extensionId ?? "");
  const asked = new URL(request.url).searchParams.get("hours") ?? "24";
  const hours = asked in RANGES ? Number(asked) : 24;
  return json({ extension, hours, metrics: await extensionMetrics(db, extension.id, { hours }) });
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.extension.name} metrics · Bazaar` : "Metrics · Bazaar" }];

const ms = (v: number | null) => (v === null ? "—" : `${v.toFixed(1)} ms`);

export default function ExtensionMetricsPage() {
  const { extension, hours, metrics } = useLoaderData<typeof loader>();
  const t = metrics.totals;
  return (
    <>
      <TopBar />
      <main className="page">
        <p className="small">
          <Link to="/developer/extensions">← Your extensions</Link>
        </p>
        <h1>{extension.name}</h1>
        <p className="muted">
          <code>{extension.handle}</code> by {extension.vendorName}. Every call in every shop, measured by the platform.{" "}
          <Link to={`/developer/extensions/${extension.id}/listing`}>Listing and versions</Link>
        </p>
        <p className="small">
          <Link to={`/developer/extensions/${extension.id}/webhooks`}>Webhooks: endpoints and deliveries →</Link>
          {" · "}
          <Link to={`/developer/extensions/${extension.id}/oauth`}>OAuth clients →</Link>
        </p>
        <nav className="row small" aria-label="Time range" style={{ gap: "0.75rem", marginBottom: "1rem" }}>
          {Object.entries(RANGES).map(([h, text]) =>
            Number(h) === hours ? (
              <strong key={h}>{text}</strong>
            ) : (
              <Link key={h} to={`?hours=${h}`}>
                {text}
              </Link>
            ),
          )}
        </nav>
        <div className="grid grid-2">
          <section className="card">
            <h2>Last {RANGES[String(hours) as keyof typeof RANGES]}</h2>
            <p style={{ margin: 0 }}>
              <strong>{t.calls}</strong> calls · <strong>{(t.errorRate * 100).toFixed(1)}%</strong> failed ({t.faults}) · p50 {ms(t.p50Ms)} · p95 {ms(t.p95Ms)}
            </p>
          </section>
          <section className="card small">
            <h2>By outcome and hook</h2>
            <p style={{ margin: 0 }}>
              {Object.entries(t.byOutcome).map(([k, v]) => `${k} ${v}`).join(" · ") || "no calls"}
              <br />
              {Object.entries(t.byHook).map(([k, v]) => `${k} ${v}`).join(" · ")}
            </p>
          </section>
        </div>
        <section className="card" style={{ marginTop: "1rem" }}>
          <MetricsCharts buckets={metrics.buckets} bucketSeconds={metrics.bucketSeconds} />
        </section>
      </main>
    </>
  );
}
