import type { Kysely } from "kysely";
import { runStatements } from "./statements";

/**
 * The marketplace's reviewer console and store (app/marketplace/store.server.ts,
 * reviews.server.ts, retention.server.ts, review-console.server.ts):
 *
 * - an extension can be suspended as a whole by a reviewer (`extensions.suspended_at`):
 *   its installs stop everywhere and it leaves the store;
 * - one rating + review per shop per extension (`extension_reviews`), editable;
 * - uninstalled installs remember when their data was deleted (the retention job);
 * - indexes for the reviewer queues (oldest first) and the retention sweep.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await runStatements(db, `
    ALTER TABLE extensions ADD COLUMN suspended_at timestamptz;
    ALTER TABLE extensions ADD COLUMN suspension_reason text;
    ALTER TABLE installs ADD COLUMN data_deleted_at timestamptz;
    CREATE TABLE extension_reviews (
      id text PRIMARY KEY,
      extension_id text NOT NULL REFERENCES extensions(id),
      shop_id text NOT NULL REFERENCES shops(id),
      author_id text NOT NULL REFERENCES users(id),
      rating integer NOT NULL CHECK (rating BETWEEN 1 AND 5),
      body text NOT NULL DEFAULT '' CHECK (length(body) <= 2000),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (extension_id, shop_id)
    );
    CREATE INDEX extension_reviews_extension_idx ON extension_reviews (extension_id, id DESC);
    CREATE INDEX vendors_status_created_idx ON vendors (status, id);
    CREATE INDEX extension_versions_status_created_idx ON extension_versions (status, id);
    CREATE INDEX installs_retention_idx ON installs (data_retained_until) WHERE status = 'uninstalled' AND data_deleted_at IS NULL
  `);
}

export async function down(db: Kysely<any>): Promise<void> {
  await runStatements(db, `
    DROP INDEX installs_retention_idx;
    DROP INDEX extension_versions_status_created_idx;
    DROP INDEX vendors_status_created_idx;
    DROP TABLE extension_reviews;
    ALTER TABLE installs DROP COLUMN data_deleted_at;
    ALTER TABLE extensions DROP COLUMN suspension_reason;
    ALTER TABLE extensions DROP COLUMN suspended_at
  `);
}
