/**
 * Where a webhook may be sent. Only public unicast addresses: no loopback,
 * private (RFC 1918, IPv6 unique-local), link-local, CGNAT, multicast,
 * broadcast, unspecified, reserved or cloud-metadata addresses
 * (169.254.169.254 is link-local, fd00:ec2::254 unique-local). IPv4-mapped
 * IPv6 is judged as the IPv4 it maps.
 *
 * The check runs twice: when an endpoint is registered (the URL's host is
 * resolved and every address must pass), and on every connection — the
 * request's own DNS lookup goes through {@link guardedLookup}, so a host that
 * resolves to a public address at registration and to a private one later
 * (DNS rebinding) fails at connect time. Redirects are never followed.
 *
 * `allowLoopback` (WEBHOOKS_ALLOW_LOOPBACK=1) lets loopback through, for
 * development and tests; `allowHttp` (WEBHOOKS_ALLOW_HTTP=1) allows `http:`.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";

/** Resolves a host name to every address it has (injectable for tests). */
export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

export type TargetPolicy = { allowLoopback: boolean; allowHttp: boolean };

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });

/** Why an address is refused, or null when it may be used. */
export function blockedAddressReason(address: string, policy: Pick<TargetPolicy, "allowLoopback">): string | null {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.parse(address.replace(/^\[|\]$/g, "").replace(/%.*$/, ""));
  } catch {
    return `${address} is not an IP address`;
  }
  if (ip.kind() === "ipv6" && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  const range = ip.range();
  if (range === "unicast") return null;
  if (range === "loopback" && policy.allowLoopback) return null;
  return `${address} is a ${range} address`;
}

export class TargetRefused extends Error {
  constructor(
    message: string,
    readonly field: "url" = "url",
  ) {
    super(message);
    this.name = "TargetRefused";
  }
}

/**
 * Checks a target URL at registration: scheme, no credentials, and every
 * address its host resolves to. Throws {@link TargetRefused} with a reason
 * a developer can act on.
 */
export async function checkTargetUrl(raw: string, policy: TargetPolicy, resolve: Resolver = systemResolver): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TargetRefused("Enter a full URL, e.g. https://example.com/webhooks");
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && policy.allowHttp)) throw new TargetRefused("The URL must use https");
  if (url.username || url.password) throw new TargetRefused("The URL must not contain a user name or password");
  if (url.hash) throw new TargetRefused("The URL must not contain a fragment");
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host)) {
    const why = blockedAddressReason(host, policy);
    if (why) throw new TargetRefused(`The URL points at a non-public address: ${why}`);
    return url;
  }
  let addresses: { address: string }[];
  try {
    addresses = await resolve(host);
  } catch {
    throw new TargetRefused(`The host ${host} does not resolve`);
  }
  if (addresses.length === 0) throw new TargetRefused(`The host ${host} does not resolve`);
  for (const a of addresses) {
    const why = blockedAddressReason(a.address, policy);
    if (why) throw new TargetRefused(`The host ${host} resolves to a non-public address: ${why}`);
  }
  return url;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for `http.request`: resolves with `resolve` and refuses the
 * connection when any address is not allowed. Handles both call shapes Node
 * uses (`all: true` with happy eyeballs, and the single-address one).
 */
export function guardedLookup(policy: TargetPolicy, resolve: Resolver = systemResolver) {
  return (hostname: string, options: { all?: boolean; family?: number } | number | undefined, callback: LookupCallback): void => {
    const opts = typeof options === "object" && options !== null ? options : {};
    resolve(hostname).then(
      (addresses) => {
        const family = typeof options === "number" ? options : opts.family;
        const usable = addresses.filter((a) => !family || a.family === family);
        if (usable.length === 0) return callback(Object.assign(new Error(`${hostname} has no usable address`), { code: "ENOTFOUND" }), "", 0);
        for (const a of usable) {
          const why = blockedAddressReason(a.address, policy);
          if (why) return callback(Object.assign(new Error(`refused to connect to ${hostname}: ${why}`), { code: "EBLOCKEDADDRESS" }), "", 0);
        }
        if (opts.all) callback(null, usable.map((a) => ({ address: a.address, family: a.family })));
        else callback(null, usable[0].address, usable[0].family);
      },
      (err) => callback(err, "", 0),
    );
  };
}
