/**
 * /docs/api: the open API's reference, rendered from the same OpenAPI
 * document that `/api/v1/openapi.json` serves (itself generated from the
 * route table's zod schemas), so the page cannot drift from the API. Public:
 * a developer reads it before having an account.
 */
import { json, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { apiRoutes, buildOpenApiDocument } from "~/openapi/index.server";
import { TopBar } from "~/components/topbar";

export const meta: MetaFunction = () => [{ title: "Open API reference · Bazaar" }];

type SchemaView = { name: string; type: string; required: boolean; description: string };
type OperationView = {
  id: string;
  method: string;
  path: string;
  summary: string;
  description: string;
  scope: string | null;
  parameters: (SchemaView & { in: string })[];
  body: SchemaView[] | null;
  bodyJson: string | null;
  success: { status: string; schema: string };
};

type Json = Record<string, any>;

/** A short type label for a JSON schema: `string`, `integer | null`, `Product[]`, `"a" | "b"`. */
function typeLabel(s: Json | undefined): string {
  if (!s) return "any";
  if (s.$ref) return String(s.$ref).split("/").pop()!;
  if (s.enum) return s.enum.map((v: unknown) => JSON.stringify(v)).join(" | ");
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.anyOf || s.oneOf) return (s.anyOf ?? s.oneOf).map(typeLabel).join(" | ");
  if (s.type === "array") return `${typeLabel(s.items)}[]`;
  if (Array.isArray(s.type)) return s.type.join(" | ");
  if (s.type === "object" && !s.properties) return "object";
  return s.type ?? "any";
}

function bounds(s: Json): string {
  const parts: string[] = [];
  if (s.minimum !== undefined && s.minimum > -1e15) parts.push(`≥ ${s.minimum}`);
  if (s.maximum !== undefined && s.maximum < 1e15) parts.push(`≤ ${s.maximum}`);
  if (s.minLength !== undefined) parts.push(`length ≥ ${s.minLength}`);
  if (s.maxLength !== undefined) parts.push(`length ≤ ${s.maxLength}`);
  if (s.default !== undefined) parts.push(`default ${JSON.stringify(s.default)}`);
  return parts.join(", ");
}

function fieldsOf(schema: Json | undefined): SchemaView[] {
  const props = (schema?.properties ?? {}) as Record<string, Json>;
  const required = new Set<string>(schema?.required ?? []);
  return Object.entries(props).map(([name, s]) => ({
    name,
    type: typeLabel(s),
    required: required.has(name),
    description: [s.description, bounds(s)].filter(Boolean).join(" · "),
  }));
}

export async function loader({ context }: LoaderFunctionArgs) {
  const doc = buildOpenApiDocument(apiRoutes, { serverUrl: `${context.platform.config.publicUrl}/api/v1` });
  const groups = new Map<string, OperationView[]>();
  for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
    for (const [method, op] of Object.entries(methods)) {
      const okStatus = Object.keys(op.responses).find((s) => s.startsWith("2"))!;
      const okSchema = op.responses[okStatus].content["application/json"].schema as Json;
      const bodySchema = op.requestBody?.content["application/json"].schema as Json | undefined;
      const view: OperationView = {
        id: op.operationId,
        method: method.toUpperCase(),
        path,
        summary: op.summary,
        description: op.description ?? "",
        scope: op["x-scope"],
        parameters: (op.parameters ?? []).map((p: Json) => ({
          name: p.name,
          in: p.in,
          type: typeLabel(p.schema),
          required: !!p.required,
          description: [p.description, bounds(p.schema ?? {})].filter(Boolean).join(" · "),
        })),
        body: bodySchema?.properties ? fieldsOf(bodySchema) : null,
        bodyJson: bodySchema && !bodySchema.properties ? JSON.stringify(bodySchema, null, 2) : null,
        success: { status: okStatus, schema: okSchema.properties?.data ? `{ data: ${typeLabel(okSchema.properties.data)}, nextCursor }` : typeLabel(okSchema) },
      };
      const tag = op.tags[0] as string;
      groups.set(tag, [...(groups.get(tag) ?? []), view]);
    }
  }
  const schemas = Object.entries(doc.components.schemas as Record<string, Json>)
    .filter(([name]) => name !== "Error")
    .map(([name, s]) => ({ name, description: (s.description as string | undefined) ?? "", fields: fieldsOf(s) }));
  return json({
    info: { description: doc.info.description as string, server: doc.servers[0].url as string },
    groups: [...groups.entries()].map(([tag, ops]) => ({ tag, ops })),
    schemas,
    scopes: doc.components.securitySchemes.oauth2.flows.authorizationCode.scopes as Record<string, string>,
    metadataUrl: `${context.platform.config.publicUrl}/.well-known/oauth-authorization-server`,
  });
}

const METHOD_BADGE: Record<string, string> = { GET: "badge-ok", POST: "badge-accent", PUT: "badge-warn", PATCH: "badge-warn", DELETE: "badge-err" };

function Fields({ rows, showIn }: { rows: (SchemaView & { in?: string })[]; showIn?: boolean }) {
  return (
    <div className="table-wrap" style={{ marginBottom: "0.75rem" }}>
      <table className="table">
        <thead>
          <tr>
            <th>Name</th>
            {showIn ? <th>In</th> : null}
            <th>Type</th>
            <th>Required</th>
            <th>Notes</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.in ?? ""}${r.name}`}>
              <td>
                <code>{r.name}</code>
              </td>
              {showIn ? <td className="small muted">{r.in}</td> : null}
              <td>
                <code className="small">{r.type}</code>
              </td>
              <td className="small">{r.required ? "yes" : "no"}</td>
              <td className="small muted">{r.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export default function ApiReference() {
  const { info, groups, schemas, scopes, metadataUrl } = useLoaderData<typeof loader>();
  return (
    <>
      <TopBar />
      <main className="page">
        <h1>Open API reference</h1>
        <p className="muted">
          Base URL <code>{info.server}</code> · machine-readable: <a href="/api/v1/openapi.json">OpenAPI 3.1 document</a> · OAuth metadata:{" "}
          <code>{metadataUrl}</code>
        </p>
        <section className="card" style={{ marginBottom: "1rem" }}>
          <h2>How it works</h2>
          <ul className="small">
            {info.description
              .split("\n")
              .filter((l) => l.startsWith("- "))
              .map((l) => (
                <li key={l}>{l.slice(2).replaceAll("`", "")}</li>
              ))}
          </ul>
          <h3>Scopes</h3>
          <div className="table-wrap">
            <table className="table">
              <tbody>
                {Object.entries(scopes).map(([scope, label]) => (
                  <tr key={scope}>
                    <td>
                      <code>{scope}</code>
                    </td>
                    <td className="small">{label}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>

        <nav className="card small" aria-label="Operations" style={{ marginBottom: "1rem" }}>
          {groups.map((g) => (
            <p key={g.tag} style={{ margin: "0.25rem 0" }}>
              <strong>{g.tag}:</strong>{" "}
              {g.ops.map((op, i) => (
                <span key={op.id}>
                  {i ? " · " : ""}
                  <a href={`#${op.id}`}>{op.id}</a>
                </span>
              ))}
            </p>
          ))}
        </nav>

        {groups.map((g) => (
          <section key={g.tag}>
            <h2>{g.tag}</h2>
            {g.ops.map((op) => (
              <article key={op.id} id={op.id} className="card" style={{ marginBottom: "1rem" }}>
                <div className="row">
                  <span className={`badge ${METHOD_BADGE[op.method] ?? ""}`}>{op.method}</span>
                  <code>{op.path}</code>
                  <span className="spacer" />
                  {op.scope ? <span className="badge">scope: {op.scope}</span> : <span className="badge">the install's own records: any token of the install</span>}
                </div>
                <h3 style={{ marginBottom: "0.25rem" }}>{op.summary}</h3>
                <p className="small muted">
                  <code>{op.id}</code>
                  {op.description ? ` — ${op.description.replaceAll("`", "")}` : ""}
                </p>
                {op.parameters.length ? (
                  <>
                    <h4>Parameters</h4>
                    <Fields rows={op.parameters} showIn />
                  </>
                ) : null}
                {op.body ? (
                  <>
                    <h4>JSON body</h4>
                    <Fields rows={op.body} />
                  </>
                ) : null}
                {op.bodyJson ? (
                  <>
                    <h4>JSON body (one of)</h4>
                    <pre className="small" style={{ overflowX: "auto" }}>
                      {op.bodyJson}
                    </pre>
                  </>
                ) : null}
                <p className="small">
                  <strong>{op.success.status}</strong> →{" "}
                  {/^[^A-Z]*([A-Z][A-Za-z]+)/.test(op.success.schema) ? (
                    <a href={`#schema-${/^[^A-Z]*([A-Z][A-Za-z]+)/.exec(op.success.schema)![1]}`}>
                      <code>{op.success.schema}</code>
                    </a>
                  ) : (
                    <code>{op.success.schema}</code>
                  )}
                  ; errors:{" "}
                  <code>{"{ error: { code, message, field? } }"}</code>
                </p>
              </article>
            ))}
          </section>
        ))}

        <h2>Schemas</h2>
        {schemas.map((s) => (
          <article key={s.name} id={`schema-${s.name}`} className="card" style={{ marginBottom: "1rem" }}>
            <h3 style={{ marginTop: 0 }}>{s.name}</h3>
            {s.description ? <p className="small muted">{s.description}</p> : null}
            <Fields rows={s.fields} />
          </article>
        ))}
      </main>
    </>
  );
}
