/* cl-sql-pg.h: what the PostgreSQL backend of cl-sql.h (cl-sql-pg.c) shows besides cl_sql_open_postgresql(). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The '?' placeholders of query numbered $1..; quoted strings, quoted names, dollar-quoted bodies and comments are
 * copied unchanged. n_params receives the count. Exposed for its test. */
char *cl_sql_pg_rewrite_placeholders (const char *query, int *n_params);

G_END_DECLS
