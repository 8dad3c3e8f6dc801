/* cl-store-schema-pg.h: the store's schema on PostgreSQL (cl-store-schema-pg.c), and its bookkeeping. */
#pragma once

#include "store/cl-sql.h"

G_BEGIN_DECLS

/* The scripts that create schema version cl_store_pg_baseline_version on an empty database, NULL-terminated. */
extern const char *const cl_store_pg_baseline[];
extern const guint cl_store_pg_baseline_version;
/* Migrations after the baseline, numbered as SQLite's (cl_store_migrations). */
extern const guint cl_store_pg_n_migrations;

/* Brings the database to CL_STORE_SCHEMA_VERSION in one transaction, serialised between stations by an advisory
 * lock; refuses a database newer than this build. The version is kept in table schema_version. */
gboolean cl_store_pg_migrate (ClSql *sql, GError **error);
/* The same up to version (from cl_store_pg_baseline_version to CL_STORE_SCHEMA_VERSION): the tests' databases of an
 * older version, which a store opened on them then migrates. */
gboolean cl_store_pg_migrate_to (ClSql *sql, guint version, GError **error);

G_END_DECLS
