import type { Platform } from "./platform.server";

declare module "@remix-run/node" {
  interface AppLoadContext {
    platform: Platform;
    /** the client address as express saw it (for throttling and audit) */
    clientIp: string | null;
    /** express's raw request and response (oidc-provider's interaction API reads its cookies from them); absent in route unit tests */
    http?: { req: import("node:http").IncomingMessage; res: import("node:http").ServerResponse };
  }
}

export {};
