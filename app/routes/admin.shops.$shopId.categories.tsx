/**
 * /admin/shops/:shopId/categories — the category tree (three levels): add,
 * rename, move under another parent, move up/down among siblings, delete
 * when empty. Every control is a small POST form with an `intent`.
 */
import { json, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requireShopMember } from "~/accounts/index.server";
import { CategoryAction, MAX_CATEGORY_DEPTH, type CategoryNode } from "~/catalog/catalog.schema";
import { CategoryOptions, FieldErrorText } from "~/catalog/components/admin-bits";
import { createCategory, deleteCategory, listCategories, moveCategory, renameCategory, reorderCategory } from "~/catalog/index.server";
import { CsrfInput, Field, FormError } from "~/components/forms";
import { RouteErrorCard } from "~/components/route-error";
import { readForm } from "~/http/csrf.server";
import type { ActionErrorData } from "~/http/errors.server";
import { AppError, fieldErrorsFromZod } from "~/lib/errors";
import catalogStyles from "~/styles/catalog-admin.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: catalogStyles }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { shop } = await requireShopMember(request, context, params.shopId);
  return json({ shopId: shop.id, tree: await listCategories(context.platform.db, shop.id) });
}

type ActionResult = { ok: true; message: string } | ActionErrorData;

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, shop } = await requireShopMember(request, context, params.shopId);
  const form = await readForm(request, context);
  const parsed = CategoryAction.safeParse(Object.fromEntries(form));
  if (!parsed.success) throw new AppError("bad_request", "Please correct the highlighted fields.", { fieldErrors: fieldErrorsFromZod(parsed.error.issues) });
  const { db } = context.platform;
  const actor = { type: "user" as const, id: user.id };
  const a = parsed.data;
  switch (a.intent) {
    case "create":
      await createCategory(db, shop.id, actor, { name: a.name, parentId: a.parentId });
      return json<ActionResult>({ ok: true, message: `Added "${a.name}".` });
    case "rename":
      await renameCategory(db, shop.id, actor, a.id, a.name);
      return json<ActionResult>({ ok: true, message: `Renamed to "${a.name}".` });
    case "move":
      await moveCategory(db, shop.id, actor, a.id, a.parentId);
      return json<ActionResult>({ ok: true, message: "Moved." });
    case "up":
    case "down":
      await reorderCategory(db, shop.id, actor, a.id, a.intent);
      return json<ActionResult>({ ok: true, message: "Order saved." });
    case "delete":
      await deleteCategory(db, shop.id, actor, a.id);
      return json<ActionResult>({ ok: true, message: "Deleted." });
  }
}

export default function CategoriesPage() {
  const { tree } = useLoaderData<typeof loader>();
  const result = useActionData<ActionResult>();
  const errors = result && !result.ok ? result : undefined;
  const busy = useNavigation().state === "submitting";
  return (
    <>
      <h1>Categories</h1>
      <p className="muted">
        {`Buyers browse your shop by these. Up to ${MAX_CATEGORY_DEPTH} levels (e.g. Tea › Green tea › Longjing). A category can be deleted once it has no subcategories and no products.`}
      </p>
      {result?.ok ? (
        <div className="alert alert-ok" role="status">
          {result.message}
        </div>
      ) : null}
      <FormError errors={errors} />

      <section className="card" style={{ marginBottom: "1rem" }}>
        <h2>Add a category</h2>
        <Form method="post" noValidate className="grid grid-3" key={result?.ok ? result.message : "add"}>
          <CsrfInput />
          <input type="hidden" name="intent" value="create" />
          <Field label="Name" name="name" errors={errors} maxLength={60} required placeholder="e.g. Green tea" />
          <div className={`field${errors?.fieldErrors?.parentId ? " field-invalid" : ""}`}>
            <label htmlFor="f-parentId">Inside</label>
            <select id="f-parentId" name="parentId" defaultValue="">
              <option value="">Top level</option>
              <CategoryOptions tree={tree} maxDepth={MAX_CATEGORY_DEPTH - 1} />
            </select>
            <FieldErrorText errors={errors?.fieldErrors} name="parentId" />
          </div>
          <div className="field" style={{ alignSelf: "end" }}>
            <button type="submit" className="btn btn-primary" disabled={busy}>
              Add
            </button>
          </div>
        </Form>
      </section>

      {tree.length === 0 ? (
        <div className="card empty">No categories yet.</div>
      ) : (
        <ul className="cat-tree">
          {tree.map((node, i) => (
            <CategoryItem key={node.id} node={node} tree={tree} first={i === 0} last={i === tree.length - 1} />
          ))}
        </ul>
      )}
    </>
  );
}

function SmallPost({ intent, id, children, extra, className = "btn btn-sm", title }: { intent: string; id: string; children: React.ReactNode; extra?: Record<string, string>; className?: string; title?: string }) {
  return (
    <Form method="post" style={{ margin: 0, display: "inline" }}>
      <CsrfInput />
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="id" value={id} />
      {Object.entries(extra ?? {}).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <button type="submit" className={className} title={title}>
        {children}
      </button>
    </Form>
  );
}

function CategoryItem({ node, tree, first, last }: { node: CategoryNode; tree: CategoryNode[]; first: boolean; last: boolean }) {
  return (
    <li className="cat-node">
      <div className="cat-node-head">
        <strong>{node.name}</strong>
        {first ? null : (
          <SmallPost intent="up" id={node.id} title="Move up">
            ↑
          </SmallPost>
        )}
        {last ? null : (
          <SmallPost intent="down" id={node.id} title="Move down">
            ↓
          </SmallPost>
        )}
        <details>
          <summary>Edit</summary>
          <Form method="post" className="cat-inline">
            <CsrfInput />
            <input type="hidden" name="intent" value="rename" />
            <input type="hidden" name="id" value={node.id} />
            <input name="name" defaultValue={node.name} maxLength={60} aria-label={`New name for ${node.name}`} required />
            <button type="submit" className="btn btn-sm">
              Rename
            </button>
          </Form>
          <Form method="post" className="cat-inline">
            <CsrfInput />
            <input type="hidden" name="intent" value="move" />
            <input type="hidden" name="id" value={node.id} />
            <select name="parentId" defaultValue={node.parentId ?? ""} aria-label={`Move ${node.name} inside`}>
              <option value="">Top level</option>
              <CategoryOptions tree={tree} exclude={node.id} maxDepth={MAX_CATEGORY_DEPTH - 1} />
            </select>
            <button type="submit" className="btn btn-sm">
              Move
            </button>
          </Form>
          <div className="cat-inline">
            <SmallPost intent="delete" id={node.id} className="btn btn-sm" title="Only when it has no subcategories or products">
              Delete
            </SmallPost>
          </div>
        </details>
      </div>
      {node.children.length ? (
        <ul>
          {node.children.map((child, i) => (
            <CategoryItem key={child.id} node={child} tree={tree} first={i === 0} last={i === node.children.length - 1} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

export const ErrorBoundary = RouteErrorCard;
