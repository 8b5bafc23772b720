//! The schema of a [`PostgresStore`](super::PostgresStore): embedded, numbered
//! migrations, applied at start in one transaction, and the `jot_schema` table
//! that records them.
//!
//! ```sql
//! CREATE TABLE jot_schema (
//!     version    integer PRIMARY KEY,            -- one row per migration applied
//!     name       text NOT NULL,
//!     applied_at timestamptz NOT NULL DEFAULT now()
//! );
//! ```
//!
//! Starting takes a transaction-scoped advisory lock, so instances starting
//! together migrate one after the other (the second finds nothing to do). A
//! database whose newest version is above [`SCHEMA_VERSION`] is refused before
//! anything is written.

use tokio_postgres::Client;

use super::error::PostgresError;

/// The schema version this build reads and writes.
pub const SCHEMA_VERSION: i32 = MIGRATIONS[MIGRATIONS.len() - 1].version;

/// One step of the schema.
struct Migration {
    version: i32,
    name: &'static str,
    sql: &'static str,
}

/// Every migration, in order. Never edit a released one: add the next.
const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "store",
        sql: include_str!("migrations/0001_store.sql"),
    },
    Migration {
        version: 2,
        name: "next_key",
        sql: include_str!("migrations/0002_next_key.sql"),
    },
    Migration {
        version: 3,
        name: "used_ids",
        sql: include_str!("migrations/0003_used_ids.sql"),
    },
];

/// The advisory lock key of migrations (`jot` in ASCII, then `schema`).
const LOCK: i64 = 0x6a6f_7473_6368_656d;

const CREATE_SCHEMA_TABLE: &str = "CREATE TABLE jot_schema (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)";

/// Brings the database to [`SCHEMA_VERSION`]; returns the version found before.
pub(super) async fn migrate(client: &mut Client) -> Result<i32, PostgresError> {
    let tx = client.transaction().await.map_err(PostgresError::driver)?;
    // A migration may take longer than a store call's time limit.
    tx.batch_execute("SET LOCAL statement_timeout = 0")
        .await
        .map_err(PostgresError::driver)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK])
        .await
        .map_err(PostgresError::driver)?;
    let found = version(&tx).await?;
    if found > SCHEMA_VERSION {
        // Dropping the transaction rolls it back: nothing was written anyway.
        return Err(PostgresError::SchemaTooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    if found == SCHEMA_VERSION {
        return Ok(found);
    }
    if found == 0 {
        tx.batch_execute(CREATE_SCHEMA_TABLE)
            .await
            .map_err(PostgresError::driver)?;
    }
    for migration in MIGRATIONS.iter().filter(|m| m.version > found) {
        let failed = |e: tokio_postgres::Error| PostgresError::Migration {
            version: migration.version,
            name: migration.name,
            source: Box::new(e),
        };
        tx.batch_execute(migration.sql).await.map_err(failed)?;
        tx.execute(
            "INSERT INTO jot_schema (version, name) VALUES ($1, $2)",
            &[&migration.version, &migration.name],
        )
        .await
        .map_err(failed)?;
        tracing::info!(
            target: "jot_issuer::postgres",
            version = migration.version,
            name = migration.name,
            "schema migrated"
        );
    }
    tx.commit().await.map_err(PostgresError::driver)?;
    Ok(found)
}

/// The newest version recorded in `jot_schema`; 0 when there is no such table.
async fn version(tx: &tokio_postgres::Transaction<'_>) -> Result<i32, PostgresError> {
    let exists: bool = tx
        .query_one("SELECT to_regclass('jot_schema') IS NOT NULL", &[])
        .await
        .and_then(|row| row.try_get(0))
        .map_err(PostgresError::driver)?;
    if !exists {
        return Ok(0);
    }
    tx.query_one("SELECT coalesce(max(version), 0) FROM jot_schema", &[])
        .await
        .and_then(|row| row.try_get(0))
        .map_err(PostgresError::driver)
}
