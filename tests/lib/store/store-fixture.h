/* store-fixture.h: a fresh store for each test of lib/store, on the backend the test run names: an SQLite file in a
 * private temporary directory (removed with its -wal and -shm afterwards), or, with
 * CARDLINE_TEST_STORE_BACKEND=postgresql, a database of its own made on the rig's PostgreSQL (CARDLINE_TEST_PG_URI,
 * rig part pg) and dropped afterwards. The same cases then run on both backends. */
#pragma once

#include "store/cl-store.h"

G_BEGIN_DECLS

typedef struct
{
  char *dir;
  char *path; /* the SQLite file, or the PostgreSQL database's URI */
  ClStore *store;
  GPtrArray *databases; /* PostgreSQL: the databases made for the test, dropped at teardown */
} StoreFixture;

/* TRUE when this run's stores are PostgreSQL databases. */
gboolean store_fixture_is_postgresql (void);
void store_fixture_setup (StoreFixture *f, gconstpointer data);
void store_fixture_teardown (StoreFixture *f, gconstpointer data);
/* A fresh, empty store location of the run's backend (a file under dir, or a new database), for a test that opens
 * more than one store. Dropped (PostgreSQL) by store_fixture_teardown. */
char *store_fixture_new_location (StoreFixture *f, const char *name);
/* The store's files or its database's tables, for a test that re-creates the store (the store must be closed). */
void store_fixture_remove_files (StoreFixture *f);
/* sql run on a connection of its own, as another process would; FALSE (and the database's message in *message,
 * if not NULL) when it failed. */
gboolean store_fixture_raw_exec (StoreFixture *f, const char *sql, char **message);
/* The first column of the first row, read with a connection of its own; -1 when there is no row. */
gint64 store_fixture_raw_int (StoreFixture *f, const char *sql);
char *store_fixture_raw_text (StoreFixture *f, const char *sql);

G_END_DECLS
