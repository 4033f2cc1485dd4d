/**
 * The spec dimensions editor: three rows (the most a product may have), each
 * a name and its comma-separated values. A blank row is an unused slot;
 * clearing a row removes that dimension. Plain inputs, so it works without
 * JavaScript. Browser-safe.
 */
import type { SpecDefinition } from "../catalog.schema";
import { MAX_SPEC_DIMENSIONS, MAX_SPEC_TEXT, MAX_SPEC_VALUES } from "../specs";
import { FieldErrorText } from "./admin-bits";

export function SpecRows({ specs, errors }: { specs: SpecDefinition[]; errors?: Record<string, string[]> }) {
  const rows = Array.from({ length: MAX_SPEC_DIMENSIONS }, (_, i) => specs[i] ?? { name: "", values: [] });
  return (
    <div className="cat-specs">
      <FieldErrorText errors={errors} name="specs" />
      {rows.map((row, i) => (
        <div key={i} className="cat-spec-row">
          <div className={`field${errors?.[`specs.${i}.name`] ? " field-invalid" : ""}`}>
            <label htmlFor={`f-specs.${i}.name`}>{`Spec ${i + 1} name`}</label>
            <input
              id={`f-specs.${i}.name`}
              name={`specs.${i}.name`}
              defaultValue={row.name}
              maxLength={MAX_SPEC_TEXT + 10}
              placeholder={i === 0 ? "e.g. Colour" : i === 1 ? "e.g. Size" : "optional"}
              aria-invalid={errors?.[`specs.${i}.name`] ? true : undefined}
            />
            <FieldErrorText errors={errors} name={`specs.${i}.name`} />
          </div>
          <div className={`field${errors?.[`specs.${i}.values`] ? " field-invalid" : ""}`}>
            <label htmlFor={`f-specs.${i}.values`}>Values</label>
            <input
              id={`f-specs.${i}.values`}
              name={`specs.${i}.values`}
              defaultValue={row.values.join(", ")}
              placeholder={i === 0 ? "e.g. Red, Blue" : i === 1 ? "e.g. S, M, L" : ""}
              aria-invalid={errors?.[`specs.${i}.values`] ? true : undefined}
            />
            <FieldErrorText errors={errors} name={`specs.${i}.values`} />
          </div>
        </div>
      ))}
      <p className="hint">
        {`Separate values with commas. Up to ${MAX_SPEC_DIMENSIONS} specs, ${MAX_SPEC_VALUES} values each, ${MAX_SPEC_TEXT} characters per name or value, 600 combinations in all.`}
      </p>
    </div>
  );
}
