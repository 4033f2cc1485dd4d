/**
 * The consent card, shared by the OAuth consent page (/oauth/interaction/:uid)
 * and the marketplace's install page (/marketplace/:handle/install): the
 * extension, its vendor, each scope in plain language with the developer's
 * reason, the shop to install into, approve or decline.
 */
import { Form } from "@remix-run/react";
import { CsrfInput, FormError, type FormErrors } from "~/components/forms";

export type ConsentCardData = {
  extension: { name: string; handle: string; summary: string; vendorName: string };
  version: string;
  scopes: { scope: string; label: string; justification: string }[];
  shops: { id: string; name: string; handle: string }[];
  redirectHost: string | null;
};

export function ConsentCard({ data, errors, busy, declineLabel = "Decline" }: { data: ConsentCardData; errors?: FormErrors; busy?: boolean; declineLabel?: string }) {
  const { extension, scopes, shops } = data;
  const shopError = errors?.fieldErrors?.shopId;
  return (
    <div className="card">
      <h1 style={{ marginTop: 0 }}>Install {extension.name}?</h1>
      <p className="muted">
        By <strong>{extension.vendorName}</strong> · <code>{extension.handle}</code> · version {data.version}
      </p>
      {extension.summary ? <p>{extension.summary}</p> : null}
      <FormError errors={errors} />
      {shops.length === 0 ? (
        <div className="alert alert-warn" role="status">
          Only a shop owner can install extensions, and you do not own a shop.
        </div>
      ) : null}
      {/* A document POST, not a fetch: the answer is a redirect through the OAuth server to another site. */}
      <Form method="post" noValidate reloadDocument>
        <CsrfInput />
        {shops.length > 0 ? (
          <div className={`field${shopError?.length ? " field-invalid" : ""}`}>
            <label htmlFor="f-shopId">Shop</label>
            <select id="f-shopId" name="shopId" defaultValue={shops[0]!.id}>
              {shops.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name} ({s.handle})
                </option>
              ))}
            </select>
            {shopError?.length ? <p className="field-error">{shopError.join(" ")}</p> : null}
          </div>
        ) : null}
        <fieldset className="field" style={{ border: 0, padding: 0 }}>
          <legend>
            <strong>{extension.name}</strong> will be able to:
          </legend>
          {scopes.length === 0 ? <p className="muted">Nothing beyond running inside your shop: it asks for no access to your data.</p> : null}
          <ul style={{ listStyle: "none", paddingLeft: 0 }}>
            {scopes.map((s) => (
              <li key={s.scope} style={{ marginBottom: "0.5rem" }}>
                <label className="row" style={{ alignItems: "flex-start", fontWeight: 400, flexWrap: "nowrap" }}>
                  <input type="checkbox" name="scopes" value={s.scope} defaultChecked style={{ marginTop: "0.3rem" }} />
                  <span>
                    <strong>{s.label}</strong> <span className="badge">{s.scope}</span>
                    <br />
                    <span className="small muted">Why: {s.justification}</span>
                  </span>
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
        {data.redirectHost ? (
          <p className="small muted">
            After you approve, you go back to <strong>{data.redirectHost}</strong>, which receives access to the shop you chose.
          </p>
        ) : null}
        <div className="row">
          <button type="submit" name="decision" value="approve" className="btn btn-primary" disabled={busy || shops.length === 0}>
            Approve and install
          </button>
          <button type="submit" name="decision" value="decline" className="btn" disabled={busy}>
            {declineLabel}
          </button>
        </div>
      </Form>
    </div>
  );
}
