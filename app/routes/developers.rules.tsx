/**
 * /developers/rules: the rules every extension version is checked against,
 * public. Generated from CHECK_RULES and the fixtures the checks job runs
 * (app/marketplace/checks.server.ts), so the page cannot drift from what is
 * applied — the same way to every vendor.
 */
import { json, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { TopBar } from "~/components/topbar";
import { CHECK_RULES, HOOK_CONFIG_LIMITS, HOOK_FIXTURES, MAX_BUNDLE_BYTES, SCOPES, SCOPE_LABELS, VERSION_STATUS_LABELS } from "~/marketplace/index.server";

export const meta: MetaFunction = () => [
  { title: "Rules for extensions · Bazaar" },
  { name: "description", content: "The automated checks and the review every Bazaar extension version goes through." },
];

export async function loader() {
  return json(
    {
      rules: CHECK_RULES,
      fixtures: Object.entries(HOOK_FIXTURES).map(([hook, list]) => ({ hook, labels: list.map((f) => f.label) })),
      limits: HOOK_CONFIG_LIMITS,
      maxBundleKb: MAX_BUNDLE_BYTES / 1024,
      scopes: SCOPES.map((s) => ({ scope: s, label: SCOPE_LABELS[s] })),
      statuses: VERSION_STATUS_LABELS,
    },
    { headers: { "Cache-Control": "public, max-age=300" } },
  );
}

export default function RulesPage() {
  const { rules, fixtures, limits, maxBundleKb, scopes, statuses } = useLoaderData<typeof loader>();
  return (
    <>
      <TopBar />
      <main className="page">
        <h1>Rules for extensions</h1>
        <p className="muted">
          Every version of every extension goes through the same automated checks, then a human review. A version is reviewed only when every check
          passes; a reviewer approves or rejects it with a reason the developer sees. Only verified vendors submit versions.
        </p>
        <section className="card" style={{ marginBottom: "1rem" }}>
          <h2>Automated checks</h2>
          <ol data-testid="rules">
            {rules.map((r) => (
              <li key={r.name} id={r.name} style={{ marginBottom: "0.5rem" }}>
                <strong>{r.title}</strong> <code className="small muted">{r.name}</code>
                <br />
                {r.rule}
              </li>
            ))}
          </ol>
        </section>
        <div className="grid grid-2">
          <section className="card">
            <h2>Fixture data</h2>
            <p className="small muted">Each declared hook is called twice on each of these, a second apart, in the production sandbox.</p>
            <ul className="small">
              {fixtures.map((f) => (
                <li key={f.hook}>
                  <code>{f.hook}</code>: {f.labels.join("; ")}
                </li>
              ))}
            </ul>
            <h3>Limits per call</h3>
            <ul className="small">
              {Object.entries(limits).map(([hook, l]) => (
                <li key={hook}>
                  <code>{hook}</code>: {l.cpuMs} ms CPU, {l.wallMs} ms wall, {l.memoryMb} MB, {Math.round(l.inputBytes / 1024)} KB in,{" "}
                  {Math.round(l.outputBytes / 1024)} KB out, {l.bridgeCalls} platform calls
                </li>
              ))}
            </ul>
            <p className="small">Bundle: at most {maxBundleKb} KB.</p>
          </section>
          <section className="card">
            <h2>Scopes</h2>
            <p className="small muted">Ask only for what the extension needs, each with a justification of at least 20 characters; merchants read it before consenting.</p>
            <ul className="small">
              {scopes.map((s) => (
                <li key={s.scope}>
                  <code>{s.scope}</code> — {s.label}
                </li>
              ))}
            </ul>
            <h3>A version's way</h3>
            <p className="small">
              {statuses.submitted} → {statuses.checks_passed} or {statuses.checks_failed}; {statuses.checks_passed} → {statuses.approved} or{" "}
              {statuses.rejected}; {statuses.approved} → {statuses.suspended} (then it stops in every shop).
            </p>
            <p className="small">
              <Link to="/developer">Developer portal</Link>
            </p>
          </section>
        </div>
      </main>
    </>
  );
}
