/**
 * The OpenAPI 3.1 document of `/api/v1`, generated from the route table and
 * the zod schemas the router validates with (`z.toJSONSchema`, JSON Schema
 * 2020-12, which OpenAPI 3.1 uses as is). Named resource schemas become
 * `components.schemas`; every operation names its scope both as an OAuth 2
 * security requirement and as `x-scope`.
 */
import { z } from "zod";
import { SCOPE_LABELS } from "../marketplace/marketplace.schema";
import { API_SCHEMA_IDS } from "./openapi.schema";
import type { ApiRoute } from "./route.types";

type Json = Record<string, any>;

const ERROR_STATUSES: Record<string, string> = {
  "400": "Malformed request (a token in the query string, a bad Idempotency-Key, invalid JSON)",
  "401": "Missing, invalid, expired or revoked access token",
  "403": "The token lacks the operation's scope (`insufficient_scope`)",
  "404": "No such record in the token's shop",
  "409": "The record's state does not allow it, or the Idempotency-Key is still in use",
  "422": "Validation failed (`field` names it), or the Idempotency-Key was used for another request",
  "429": "Rate limited: see Retry-After",
};

/** `#/$defs/X` (zod's local refs) → `#/components/schemas/X`, and drops `$schema` / `$defs`. */
function toComponentRefs(node: unknown): any {
  if (Array.isArray(node)) return node.map(toComponentRefs);
  if (node && typeof node === "object") {
    const out: Json = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === "$schema" || k === "$defs" || k === "$id") continue;
      out[k] = k === "$ref" && typeof v === "string" ? v.replace(/^#\/\$defs\//, "#/components/schemas/") : toComponentRefs(v);
    }
    return out;
  }
  return node;
}

function jsonSchema(schema: z.ZodType, io: "input" | "output"): Json {
  return toComponentRefs(z.toJSONSchema(schema, { target: "draft-2020-12", unrepresentable: "any", io, reused: "inline" }));
}

/** `/products/:productId` → `/products/{productId}` */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, "{$1}");
}

function parametersOf(schema: z.ZodType | undefined, where: "path" | "query"): Json[] {
  if (!schema) return [];
  const js = jsonSchema(schema, "input");
  const required = new Set<string>(js.required ?? []);
  return Object.entries((js.properties ?? {}) as Record<string, Json>).map(([name, s]) => {
    const { description, ...rest } = s;
    return { name, in: where, required: where === "path" || required.has(name), ...(description ? { description } : {}), schema: rest };
  });
}

const RATE_HEADERS = {
  "RateLimit-Limit": { description: "the bucket size (burst)", schema: { type: "integer" } },
  "RateLimit-Remaining": { description: "requests that could be made now", schema: { type: "integer" } },
  "RateLimit-Reset": { description: "seconds until the bucket is full again", schema: { type: "integer" } },
};

export function buildOpenApiDocument(routes: readonly ApiRoute[], opts: { serverUrl: string }): Json {
  const components = z.toJSONSchema(z.globalRegistry, { target: "draft-2020-12", uri: (id) => `#/components/schemas/${id}`, unrepresentable: "any", io: "output" });
  const schemas: Json = {};
  for (const [id, s] of Object.entries(components.schemas)) if (API_SCHEMA_IDS.has(id)) schemas[id] = toComponentRefs(s);
  const origin = opts.serverUrl.replace(/\/api\/v1\/?$/, "");

  const paths: Json = {};
  for (const r of routes) {
    const path = openApiPath(r.path);
    const errors: Json = {};
    for (const [status, description] of Object.entries(ERROR_STATUSES)) {
      if (status === "403" && r.scope === "install") continue;
      errors[status] = { description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
    }
    const idempotent = r.method === "POST";
    const parameters = [
      ...parametersOf(r.params, "path"),
      ...parametersOf(r.query, "query"),
      ...(idempotent
        ? [
            {
              name: "Idempotency-Key",
              in: "header",
              required: false,
              description: "Run this POST at most once: a retry with the same key gets the stored answer for 24 h.",
              schema: { type: "string", minLength: 1, maxLength: 255 },
            },
          ]
        : []),
    ];
    (paths[path] ??= {})[r.method.toLowerCase()] = {
      operationId: r.operationId,
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      tags: [r.tag],
      "x-scope": r.scope === "install" ? null : r.scope,
      security: [{ oauth2: r.scope === "install" ? [] : [r.scope] }],
      ...(parameters.length ? { parameters } : {}),
      ...(r.body ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(r.body, "input") } } } } : {}),
      responses: {
        [String(r.status ?? 200)]: {
          description: "OK",
          headers: RATE_HEADERS,
          content: { "application/json": { schema: jsonSchema(r.response, "output") } },
        },
        ...errors,
      },
    };
  }

  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: {
      title: "Bazaar open API",
      version: "v1",
      description: [
        "JSON resources over a shop that installed your extension, with exactly the scopes the merchant granted.",
        "",
        "- Authenticate with an OAuth 2 access token in `Authorization: Bearer <token>` (never in the query string). The token's shop is the tenant of every call; another shop's ids answer 404.",
        "- Lists take `limit` (1–100) and `cursor` and answer `{ data, nextCursor }`.",
        "- POSTs accept `Idempotency-Key`: the first request runs, retries get its stored answer for 24 h; the same key with another body is a 422, and a retry while the first still runs is a 409.",
        "- Each install has a leaky bucket (burst 40, 2 requests/s unless raised for the install); `RateLimit-*` headers come with every answer, and a 429 carries `Retry-After`.",
        "- Errors: `{ error: { code, message, field? } }`.",
        "- Money is in minor units of the shop's currency; times are ISO 8601 UTC.",
      ].join("\n"),
    },
    servers: [{ url: opts.serverUrl }],
    security: [{ oauth2: [] }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas,
      securitySchemes: {
        oauth2: {
          type: "oauth2",
          description: `Authorization code with PKCE (S256). Metadata: ${origin}/.well-known/oauth-authorization-server`,
          flows: {
            authorizationCode: {
              authorizationUrl: `${origin}/oauth/authorize`,
              tokenUrl: `${origin}/oauth/token`,
              refreshUrl: `${origin}/oauth/token`,
              scopes: SCOPE_LABELS,
            },
          },
        },
      },
    },
  };
}
