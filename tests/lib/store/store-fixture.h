/* store-fixture.h: a fresh store in a private temporary directory for each test of lib/store, removed with its
 * -wal and -shm afterwards. */
#pragma once

#include "store/cl-store.h"

G_BEGIN_DECLS

typedef struct
{
  char *dir;
  char *path;
  ClStore *store;
} StoreFixture;

void store_fixture_setup (StoreFixture *f, gconstpointer data);
void store_fixture_teardown (StoreFixture *f, gconstpointer data);
/* The store file, its -wal and -shm (the store must be closed). */
void store_fixture_remove_files (StoreFixture *f);
/* One number read with a connection of its own (read-only), as another process would see it. */
gint64 store_fixture_raw_int (StoreFixture *f, const char *sql);
/* rig pg-stop / pg-start (tests/rig/README.md): the rig's PostgreSQL stopped (fast shutdown, clients cut off) or
 * started again; asserts that it worked. */
void store_fixture_rig_pg (const char *command);

G_END_DECLS
