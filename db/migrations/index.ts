/**
 * The one ordered list of migrations. Names are `YYYYMMDDHHMM_module_change`;
 * a new migration is appended and always sorts after every existing one (a
 * test checks). Kysely's FileMigrationProvider cannot load .ts on Node 20, so
 * the list is static imports.
 */
import type { Migration } from "kysely";
import * as shopsInit from "./202611250600_shops_init";
import * as accountsInit from "./202611250601_accounts_init";
import * as auditInit from "./202611250602_audit_init";
import * as eventsInit from "./202611250603_events_init";
import * as notificationsInit from "./202611250604_notifications_init";
import * as catalogInit from "./202611250700_catalog_init";
import * as shelvesInit from "./202611250701_shelves_init";
import * as checkoutCarts from "./202611250702_checkout_carts";
import * as checkoutAddressesQuotes from "./202611250800_checkout_addresses_quotes";
import * as ordersInit from "./202611250801_orders_init";
import * as paymentsInit from "./202611250900_payments_init";
import * as paymentsSimulator from "./202611250901_payments_simulator";
import * as aftersaleClaims from "./202611251000_aftersale_claims";
import * as marketplaceInit from "./202611251100_marketplace_init";
import * as extensionsInit from "./202611251101_extensions_init";
import * as oauthInit from "./202611251200_oauth_init";
import * as openapiInit from "./202611251300_openapi_init";
import * as webhooksInit from "./202611251400_webhooks_init";
import * as marketplaceWorkflows from "./202611251500_marketplace_workflows";
import * as marketplaceStore from "./202611251600_marketplace_store";
import * as retentionIndexes from "./202611251710_retention_indexes";

export const migrations: [name: string, migration: Migration][] = [
  ["202611250600_shops_init", shopsInit],
  ["202611250601_accounts_init", accountsInit],
  ["202611250602_audit_init", auditInit],
  ["202611250603_events_init", eventsInit],
  ["202611250604_notifications_init", notificationsInit],
  ["202611250700_catalog_init", catalogInit],
  ["202611250701_shelves_init", shelvesInit],
  ["202611250702_checkout_carts", checkoutCarts],
  ["202611250800_checkout_addresses_quotes", checkoutAddressesQuotes],
  ["202611250801_orders_init", ordersInit],
  ["202611250900_payments_init", paymentsInit],
  ["202611250901_payments_simulator", paymentsSimulator],
  ["202611251000_aftersale_claims", aftersaleClaims],
  ["202611251100_marketplace_init", marketplaceInit],
  ["202611251101_extensions_init", extensionsInit],
  ["202611251200_oauth_init", oauthInit],
  ["202611251300_openapi_init", openapiInit],
  ["202611251400_webhooks_init", webhooksInit],
  ["202611251500_marketplace_workflows", marketplaceWorkflows],
  ["202611251600_marketplace_store", marketplaceStore],
  ["202611251710_retention_indexes", retentionIndexes],
];
