import { useRouteLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";

/** The hidden CSRF field every cookie-authenticated form carries. */
export function CsrfInput() {
  const data = useRouteLoaderData("root") as { csrf?: string } | undefined;
  return <input type="hidden" name="_csrf" value={data?.csrf ?? ""} />;
}

export type FormErrors = { formError?: string; fieldErrors?: Record<string, string[]> } | undefined | null;

export function FormError({ errors }: { errors: FormErrors }) {
  if (!errors?.formError) return null;
  return (
    <div className="alert alert-error" role="alert">
      {errors.formError}
    </div>
  );
}

/** A labelled input with its field errors under it. */
export function Field({
  label,
  name,
  errors,
  hint,
  children,
  ...input
}: {
  label: string;
  name: string;
  errors?: FormErrors;
  hint?: ReactNode;
  children?: ReactNode;
} & React.InputHTMLAttributes<HTMLInputElement>) {
  const fieldErrors = errors?.fieldErrors?.[name];
  const id = `f-${name}`;
  return (
    <div className={`field${fieldErrors?.length ? " field-invalid" : ""}`}>
      <label htmlFor={id}>{label}</label>
      {children ?? <input id={id} name={name} aria-invalid={fieldErrors?.length ? true : undefined} aria-describedby={fieldErrors?.length ? `${id}-err` : undefined} {...input} />}
      {hint ? <p className="hint">{hint}</p> : null}
      {fieldErrors?.length ? (
        <p className="field-error" id={`${id}-err`}>
          {fieldErrors.join(" ")}
        </p>
      ) : null}
    </div>
  );
}
