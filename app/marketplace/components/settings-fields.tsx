/**
 * The inputs of an extension's settings form, generated from its manifest's
 * settings schema (`settingsFormFields` in app/marketplace/settings-form.ts),
 * with each field's errors under it. Put it inside a form with a CSRF input;
 * read the post back with `settingsFromForm`.
 */
import type { SettingsFormField } from "../settings-form";

export function SettingsFields({ fields, errors, disabled }: { fields: SettingsFormField[]; errors?: Record<string, string[]>; disabled?: boolean }) {
  return (
    <>
      {fields.map((f) => {
        const id = `setting-${f.key}`;
        const err = errors?.[f.key];
        const hint = f.description ? <p className="hint">{f.description}</p> : null;
        const problem = err?.length ? (
          <p className="field-error" id={`${id}-err`}>
            {err.join(" ")}
          </p>
        ) : null;
        const aria = { "aria-invalid": err?.length ? true : undefined, "aria-describedby": err?.length ? `${id}-err` : undefined };
        if (f.input === "checkbox") {
          return (
            <div className={`field${err?.length ? " field-invalid" : ""}`} key={f.key}>
              <label htmlFor={id} style={{ display: "flex", gap: "0.5rem", alignItems: "center", fontWeight: 600 }}>
                <input id={id} type="checkbox" name={f.key} defaultChecked={f.checked} disabled={disabled} {...aria} /> {f.label}
              </label>
              {hint}
              {problem}
            </div>
          );
        }
        return (
          <div className={`field${err?.length ? " field-invalid" : ""}`} key={f.key}>
            <label htmlFor={id}>
              {f.label}
              {f.input === "number" && f.money ? " (in your shop's currency)" : ""}
            </label>
            {f.input === "select" ? (
              <select id={id} name={f.key} defaultValue={f.value} disabled={disabled} {...aria}>
                {f.options.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            ) : f.input === "number" ? (
              <input id={id} type="number" name={f.key} step={f.step} min={f.min} max={f.max} defaultValue={f.value} disabled={disabled} inputMode="decimal" {...aria} />
            ) : (
              <input id={id} type="text" name={f.key} minLength={f.minLength} maxLength={f.maxLength} defaultValue={f.value} disabled={disabled} {...aria} />
            )}
            {hint}
            {problem}
          </div>
        );
      })}
    </>
  );
}
