/**
 * Small pieces the catalog's admin pages share. Browser-safe.
 */
import type { CategoryNode, ProductStatus } from "../catalog.schema";
import { STATUS_LABELS } from "../catalog.schema";

export function StatusBadge({ status }: { status: ProductStatus }) {
  const cls = status === "on_sale" ? "badge badge-ok" : status === "off_sale" ? "badge badge-warn" : "badge";
  return <span className={cls}>{STATUS_LABELS[status]}</span>;
}

/** The tree flattened in display order, with each category's depth (1 = top level). */
export function flattenTree(nodes: CategoryNode[], depth = 1): { id: string; name: string; depth: number; path: string }[] {
  return nodes.flatMap((n) => [
    { id: n.id, name: n.name, depth, path: n.name },
    ...flattenTree(n.children, depth + 1).map((c) => ({ ...c, path: `${n.name} › ${c.path}` })),
  ]);
}

/** `<option>`s for a category `<select>`, indented by depth. */
export function CategoryOptions({ tree, exclude, maxDepth }: { tree: CategoryNode[]; exclude?: string; maxDepth?: number }) {
  return (
    <>
      {flattenTree(tree)
        .filter((c) => c.id !== exclude && (maxDepth === undefined || c.depth <= maxDepth))
        .map((c) => (
          <option key={c.id} value={c.id}>
            {`${"\u2003".repeat(c.depth - 1)}${c.name}`}
          </option>
        ))}
    </>
  );
}

/** Field errors of one key, for inputs not wrapped in `<Field>` (table cells). */
export function FieldErrorText({ errors, name }: { errors?: Record<string, string[]>; name: string }) {
  const list = errors?.[name];
  if (!list?.length) return null;
  return (
    <p className="field-error" id={`f-${name}-err`}>
      {list.join(" ")}
    </p>
  );
}
