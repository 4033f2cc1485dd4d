/**
 * The top bar of every page outside the storefront: the brand, and links by
 * who is looking — Admin for shop members, Review for reviewers, Account and
 * a Log out button (a CSRF-checked POST) for anyone signed in; Log in and
 * Sign up for visitors.
 */
import { Form, Link, NavLink } from "@remix-run/react";
import { useRootData } from "~/root";
import { CsrfInput } from "./forms";

export function TopBar() {
  const data = useRootData();
  const user = data?.user ?? null;
  const hasShops = !!user?.hasShops;
  return (
    <header className="topbar">
      <Link to="/" className="brand" aria-label="Bazaar home">
        Baz<span>aar</span>
      </Link>
      <nav aria-label="Main">
        <NavLink to="/marketplace">Marketplace</NavLink>
        {user ? (
          <>
            {hasShops ? <NavLink to="/admin">Admin</NavLink> : null}
            {user.isReviewer ? <NavLink to="/review">Review</NavLink> : null}
            <NavLink to="/developer">Developer</NavLink>
            <NavLink to="/notifications">Notifications</NavLink>
            <NavLink to="/account" title={user.email}>
              Account
            </NavLink>
            <Form method="post" action="/logout" style={{ margin: 0, display: "flex" }}>
              <CsrfInput />
              <button type="submit" className="btn-link">
                Log out
              </button>
            </Form>
          </>
        ) : (
          <>
            <NavLink to="/login">Log in</NavLink>
            <Link to="/signup" className="btn btn-primary" style={{ color: "#fff", padding: "0.35rem 0.9rem" }}>
              Sign up
            </Link>
          </>
        )}
      </nav>
    </header>
  );
}
