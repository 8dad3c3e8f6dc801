/* cl-store-private.h: what the cl-store-*.c files share. Every public call locks the store, runs one
 * transaction and unlocks; helpers below expect the lock held. */
#pragma once

#include "store/cl-sql.h"
#include "store/cl-store-dashboard.h"
#include "store/cl-store.h"

G_BEGIN_DECLS

struct _ClStore
{
  GObject parent_instance;
  ClSql *sql;
  GMutex lock;
  char *path;
  /* PostgreSQL: the URI it was opened with, password included, for a second connection of its own (ClStoreWatch);
   * never printed (path is the description without the password). NULL for SQLite. */
  char *connect_uri;
  guint schema_version;
  /* The thread that must never wait for the store (cl_store_set_ui_thread); read without the lock. */
  GThread *ui_thread;
  /* Compute the yield figures from the records instead of the aggregate tables: the reference the tests compare
   * the aggregates with. */
  gboolean yield_from_rows;
  /* Opened read-only (cl_store_open_readonly): nothing may write. */
  gboolean read_only;
  /* SQLite's synchronous setting: what the connection has, and whether the next statement may run relaxed
   * (cl_store_relax_sync); under the lock. */
  gboolean sync_normal;
  gboolean relaxed;
};

/* The aggregate tables bucket by the minute; series whose start and bucket are whole minutes read them. */
#define CL_STORE_YIELD_MINUTE ((gint64)60 * G_USEC_PER_SEC)

void cl_store_set_yield_from_rows (ClStore *self, gboolean from_rows);

/* The production attempts of one batch or all (two uses of the batch id, 0: all) at one station or all (two uses of
 * the station, '': all), for the yield figures read from the records. */
#define CL_STORE_SCOPE "kind = 'PRODUCTION' AND (? = 0 OR batch_id = ?) AND (CAST(? AS TEXT) = '' OR station = ?)"
/* As cl_store_bind_uses, where 's' binds station, or '' for NULL (all stations; the aggregates' fleet rows). */
void cl_store_bind_scope (ClSqlStmt *stmt, const gint64 *values, const char *uses, const char *station);
/* In builds without NDEBUG: a g_critical when called on the UI thread set with cl_store_set_ui_thread(). */
void cl_store_check_thread (ClStore *self, const char *sql);

/* The migrations: entry i takes the schema from version i to i + 1. */
extern const char *const cl_store_migrations[];
extern const guint cl_store_n_migrations;

/* Tables a module creates on first use (IF NOT EXISTS), outside the numbered migrations: part of the expected
 * schema once they exist. */
extern const char cl_store_pin_escrow_sql[];
extern const char cl_store_credentials_sql[];

/* Objects of the SQLite schema that PostgreSQL holds differently (the Rejects search's FTS5 index; pg_trgm indexes
 * there): left out when the two schemas are compared. */
gboolean cl_store_schema_sqlite_only (const char *name);

/* The schema version from which the rows that carry dispositions, certificates and roles are sealed into the
 * audit chain (cl-store-records.h). */
#define CL_STORE_SEALED_SINCE 4
/* The advisory lock key every write transaction on PostgreSQL holds (cl_store_txn_begin). */
#define CL_STORE_PG_WRITE_LOCK 4242180002

/* What a seal covers: rows of a table, each turned into canonical "field=value" lines. */
typedef enum
{
  CL_STORE_SEAL_ATTEMPT, /* an ended attempt with its disposition and its steps */
  CL_STORE_SEAL_CERTIFICATE,
  CL_STORE_SEAL_USER, /* role and disabled flag */
} ClStoreSealKind;
#define CL_STORE_SEAL_N_KINDS 3
#define CL_STORE_SEAL_ACTION  "record-seal"

/* Appends the audit record "record-seal" whose subject is "TABLE/KEY" and whose detail is the row's canonical
 * text, inside the caller's transaction. actor NULL: the row's own (the attempt's station). */
gboolean cl_store_seal_locked (ClStore *self, ClStoreSealKind kind, const char *key, const char *actor, GError **error);
gboolean cl_store_seal_int_locked (ClStore *self, ClStoreSealKind kind, gint64 key, const char *actor, GError **error);
/* Seals every row of every kind (the migration to CL_STORE_SEALED_SINCE). */
gboolean cl_store_seal_all_locked (ClStore *self, GError **error);
/* The table name of a kind ("attempts", ...). */
const char *cl_store_seal_table (ClStoreSealKind kind);
/* Calls func for each row of kind (key, actor, canonical text); stops at the first FALSE. */
typedef gboolean (*ClStoreSealRowFunc) (const char *key, const char *actor, const char *canonical, gpointer data,
                                        GError **error);
gboolean cl_store_seal_foreach_locked (ClStore *self, ClStoreSealKind kind, const char *key, ClStoreSealRowFunc func,
                                       gpointer data, GError **error);
/* SHA-256 of an audit record as the chain computes it. */
void cl_store_audit_record_hash (const guint8 prev[32], gint64 seq, gint64 at, const char *actor, const char *action,
                                 const char *subject, const char *detail, guint8 out[32]);

/* "PID.STARTED": this process, told from an earlier one that had the same pid (cl-store-claim.h). */
char *cl_store_process_id (void);
/* A process that ran on this host (by host name) and no longer exists; a reused pid still looks alive. */
gboolean cl_store_host_process_gone (const char *host, gint64 pid);

/* After a failed cl_sql call that set *error: prefixes it with "what: ". After a step that found no row where one
 * was expected (nothing set): CL_ERROR_STORE "what: no row". */
void cl_store_set_error (ClStore *self, GError **error, const char *what);
gboolean cl_store_exec (ClStore *self, const char *sql, GError **error);
/* Runs the DDL of a table SQLite's store makes on first use; PostgreSQL's schema has it from the start. */
gboolean cl_store_make_table (ClStore *self, const char *sqlite_ddl, GError **error);
ClSqlBackend cl_store_backend (ClStore *self);
ClSqlStmt *cl_store_prepare (ClStore *self, const char *sql, GError **error);
/* The Rejects query's 13 parameters from query (cl_store_reject_search; its test binds them to the query it replaced):
 * batch twice, reason twice, from twice, to twice, search and its LIKE pattern twice, include_closed, limit. */
void cl_store_reject_query_bind (ClSqlStmt *stmt, const ClRejectQuery *query);
/* The Rejects statement for query, its parameters bound (cl-store-rejects.c): its text depends on the search (none,
 * shorter than the trigram indexes serve, or served by them) and on the backend. */
ClSqlStmt *cl_store_reject_search_prepare (ClStore *self, const ClRejectQuery *query, GError **error);
/* Steps a statement that returns no rows to its end. */
gboolean cl_store_step_done (ClStore *self, ClSqlStmt *stmt, const char *what, GError **error);

/* A write transaction (BEGIN IMMEDIATE on SQLite) that rolls back when freed uncommitted. */
typedef struct
{
  ClStore *store;
  gboolean finished;
} ClStoreTxn;

ClStoreTxn *cl_store_txn_begin (ClStore *self, GError **error);
gboolean cl_store_txn_commit (ClStoreTxn *txn, GError **error);
void cl_store_txn_free (ClStoreTxn *txn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClStoreTxn, cl_store_txn_free)

gint64 cl_store_now (gint64 when);
/* Step records and attempt openings are many and lose nothing essential in a crash: their commits skip the
 * fsync (synchronous=NORMAL). The next FULL commit (journal, certificate, attempt end, audit) syncs the WAL up to
 * and including them, so what a journal record refers to is always on disk with it. The switch back to FULL is
 * made by the next statement prepared or run that is not relaxed (cl_store_prepare, cl_store_exec): one relaxed
 * write after another (a card's step records) then switches nothing, and nothing commits in between. So relax
 * before preparing the relaxed statements, and before BEGIN: SQLite refuses the change inside a transaction (and
 * apply_sync says so with a g_critical). */
void cl_store_relax_sync (ClStore *self);
void cl_store_restore_sync (ClStore *self);
/* cl_store_relax_sync() until the end of the scope: g_autoptr (ClStoreRelaxed) relaxed = cl_store_relax (self);
 * declared after the store's locker, so that it ends before the lock is released, on every return. */
typedef ClStore ClStoreRelaxed;
ClStoreRelaxed *cl_store_relax (ClStore *self);
void cl_store_relaxed_end (ClStoreRelaxed *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClStoreRelaxed, cl_store_relaxed_end)

/* Binding helpers: NULL text / negative number become SQL NULL. */
void cl_store_bind_text (ClSqlStmt *stmt, int index, const char *text);
void cl_store_bind_opt_int (ClSqlStmt *stmt, int index, gint64 value);
/* Binds integers by use: the (i + 1)th '?' of the statement takes values[uses[i] - '1'] ('1'..'9'), or is left to
 * the caller ('-'). Statements say '?' once per use of a value, the one placeholder both backends read. */
void cl_store_bind_uses (ClSqlStmt *stmt, const gint64 *values, const char *uses);
/* Column helpers: NULL becomes -1 / NULL. */
gint64 cl_store_column_opt_int (ClSqlStmt *stmt, int index);
char *cl_store_column_dup_text (ClSqlStmt *stmt, int index);
/* A blob column as bytes (empty for NULL). */
GBytes *cl_store_column_bytes (ClSqlStmt *stmt, int index);
/* The SHA-256 of a blob column, in hex. */
char *cl_store_column_sha256 (ClSqlStmt *stmt, int index);
/* A SHA-256 column: NULL unless it holds 32 bytes. */
const guint8 *cl_store_column_hash (ClSqlStmt *stmt, int index);
/* Steps an "INSERT ... RETURNING id": the new row's id, 0 with error on failure. */
gint64 cl_store_step_insert (ClStore *self, ClSqlStmt *stmt, const char *what, GError **error);

/* cl_store_journal_outcome() inside the caller's transaction. */
gboolean cl_store_journal_outcome_locked (ClStore *self, gint64 intent_id, ClJournalOutcome outcome, const char *detail,
                                          GError **error);
/* Appends an audit record inside the caller's transaction. */
/* cl-store-pin-escrow.c: counts, under the lock, the good chips of a batch, those with a PIN envelope, and the good
 * ones without one (NULL pointers are skipped). FALSE with error on store failure. */
gboolean cl_store_pin_escrow_count_locked (ClStore *self, gint64 batch_id, gint64 *good, gint64 *sealed,
                                           gint64 *unsealed_good, GError **error);
gint64 cl_store_audit_append_locked (ClStore *self, const char *actor, const char *action, const char *subject,
                                     const char *detail, GError **error);
/* cl-store-row-claim.c, inside the caller's transaction: the attempt's row after its end (cl-store-rows.h); a
 * scrapped chip's row back to PENDING. */
gboolean cl_store_rows_settle_locked (ClStore *self, gint64 attempt_id, const ClAttemptEnd *end, gint64 ended,
                                      GError **error);
/* cl-store-place.c, inside the caller's transaction (cl-store-place.h): a production attempt of batch_id binds a
 * place station took, or takes one (CL_ERROR_BATCH_FULL when none is free); an attempt that ended RETAINED gives its
 * place back; a starting station gives back the places it took and never bound. */
gboolean cl_store_place_bind_locked (ClStore *self, gint64 batch_id, const char *station, gint64 attempt_id,
                                     GError **error);
gboolean cl_store_place_release_locked (ClStore *self, gint64 attempt_id, GError **error);
gboolean cl_store_place_drop_unbound_locked (ClStore *self, const char *station, GError **error);
gboolean cl_store_rows_release_chip_locked (ClStore *self, const char *chip_id, GError **error);
/* A chip id is 1..64 upper-case hex digits; CL_ERROR_INVALID_ARGUMENT otherwise. */
gboolean cl_store_check_chip_id (const char *chip_id, GError **error);
gboolean cl_store_check_name (const char *what, const char *value, GError **error);

/* An enum's names in the store, in the enum's order: prefix_to_string ("UNKNOWN" outside the enum) and
 * prefix_from_string (CL_ERROR_INVALID_ARGUMENT naming what and the expected names). */
gboolean cl_store_enum_lookup (const char *const *names, guint n, const char *what, const char *name, gint *out,
                               GError **error);
#define CL_STORE_DEFINE_ENUM_STRINGS(Type, prefix, what, ...)                                                          \
  static const char *const prefix##_names[] = { __VA_ARGS__ };                                                         \
  const char *prefix##_to_string (Type value)                                                                          \
  {                                                                                                                    \
    if ((guint)value < G_N_ELEMENTS (prefix##_names))                                                                  \
      return prefix##_names[value];                                                                                    \
    return "UNKNOWN";                                                                                                  \
  }                                                                                                                    \
  gboolean prefix##_from_string (const char *name, Type *out, GError **error)                                          \
  {                                                                                                                    \
    gint v;                                                                                                            \
    if (!cl_store_enum_lookup (prefix##_names, G_N_ELEMENTS (prefix##_names), what, name, &v, error))                  \
      return FALSE;                                                                                                    \
    *out = (Type)v;                                                                                                    \
    return TRUE;                                                                                                       \
  }

G_END_DECLS
