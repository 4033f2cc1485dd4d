/**
 * The one place where errors become HTTP. Every route module's loader and
 * action is wrapped once, when the build is loaded:
 * - a thrown Response (redirects from guards, 404s) passes through;
 * - an AppError in an action that a form can show (400, 409, 422, 429) is
 *   *returned* as `{ formError, fieldErrors }` with its status, so the form
 *   renders it next to the fields;
 * - any other AppError is thrown as a Response with its status, for the
 *   route's ErrorBoundary;
 * - anything else is logged and becomes a bare 500 with no details.
 * Every action also passes the CSRF check here first, so a route cannot
 * forget it (paths that authenticate without the cookie are exempt).
 */
import { json, type ServerBuild } from "@remix-run/node";
import { isAppError, type AppError } from "../lib/errors";
import { assertCsrfForAction } from "./csrf.server";
import { isCsrfExempt } from "./origin-guard.server";

export type ActionErrorData = { ok: false; formError: string; code: string; fieldErrors?: Record<string, string[]> };

const SHOWN_IN_FORM = new Set(["bad_request", "conflict", "unprocessable", "rate_limited"]);

function headersFor(e: AppError): HeadersInit | undefined {
  return e.retryAfterSeconds ? { "Retry-After": String(e.retryAfterSeconds) } : undefined;
}

export function errorToResponse(e: unknown, where: string): Response {
  if (isAppError(e)) {
    return json({ error: { code: e.code, message: e.message, fieldErrors: e.fieldErrors } }, { status: e.status, headers: headersFor(e) });
  }
  console.error(`[http] unhandled error in ${where}:`, e);
  return json({ error: { code: "internal", message: "Something went wrong on our side." } }, { status: 500 });
}

type Fn = (args: any) => Promise<unknown> | unknown;

function wrap(fn: Fn, kind: "loader" | "action", routeId: string): Fn {
  return async (args) => {
    try {
      if (kind === "action" && !isCsrfExempt(new URL(args.request.url).pathname)) {
        await assertCsrfForAction(args.request, args.context);
      }
      return await fn(args);
    } catch (e) {
      if (e instanceof Response) throw e;
      if (kind === "action" && isAppError(e) && SHOWN_IN_FORM.has(e.kind)) {
        const body: ActionErrorData = { ok: false, formError: e.message, code: e.code, fieldErrors: e.fieldErrors };
        return json(body, { status: e.status, headers: headersFor(e) });
      }
      throw errorToResponse(e, `${kind} of ${routeId}`);
    }
  };
}

export function wrapBuild(build: ServerBuild): ServerBuild {
  const routes: ServerBuild["routes"] = {};
  for (const [id, route] of Object.entries(build.routes)) {
    const mod = route.module as any;
    routes[id] = {
      ...route,
      module: {
        ...mod,
        ...(mod.loader ? { loader: wrap(mod.loader, "loader", id) } : {}),
        ...(mod.action ? { action: wrap(mod.action, "action", id) } : {}),
      },
    };
  }
  return { ...build, routes };
}
