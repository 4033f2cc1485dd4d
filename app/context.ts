import type { Platform } from "./platform.server";

declare module "@remix-run/node" {
  interface AppLoadContext {
    platform: Platform;
    /** the client address as express saw it (for throttling and audit) */
    clientIp: string | null;
  }
}

export {};
