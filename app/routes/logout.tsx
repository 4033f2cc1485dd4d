/**
 * /logout: POST only (a CSRF-checked form in the top bar). Revokes this
 * session and clears the cookie. A GET just goes home: logging out by link
 * would let any page log you out.
 */
import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { clearSessionCookie, getOptionalUser, logOut } from "~/accounts/index.server";
import { readForm } from "~/http/csrf.server";

export async function loader() {
  return redirect("/");
}

export async function action({ request, context }: ActionFunctionArgs) {
  await readForm(request, context);
  const user = await getOptionalUser(request, context);
  await logOut(context.platform.db, user);
  return redirect("/", { status: 303, headers: { "Set-Cookie": clearSessionCookie(context) } });
}
