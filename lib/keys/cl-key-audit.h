/* cl-key-audit.h: the one door through which every key event (ceremony, export, import, retire, DKEK share)
 * is recorded: who, what, which key, check values — never a key, component, PIN or password.
 *
 * Until lib/store offers its hash-chained audit trail, records go to an append-only file of tab-separated lines
 *   seq  time(ISO 8601 UTC)  actor  action  subject  details  prev-hash  hash
 * with hash = hex SHA-256 of the same line's first seven fields joined by tabs (prev-hash of the first line is
 * 64 zeros), so a removed or altered line breaks the chain (cl_key_audit_verify). Pointing this at the store is
 * a change inside cl-key-audit.c only. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CL_TYPE_KEY_AUDIT (cl_key_audit_get_type ())
G_DECLARE_FINAL_TYPE (ClKeyAudit, cl_key_audit, CL, KEY_AUDIT, GObject)

/* Opens (creating, mode 0600) the audit file at path. */
ClKeyAudit *cl_key_audit_new (const char *path, GError **error);

/* Appends one record and flushes it to disk. Tabs and line breaks in fields become spaces. */
gboolean cl_key_audit_record (ClKeyAudit *self, const char *actor, const char *action, const char *subject,
                              const char *details, GError **error);
/* Checks the chain of the file at path; CL_ERROR_SECURITY naming the first bad line. */
gboolean cl_key_audit_verify (const char *path, guint *n_records, GError **error);

/* The operating-system user, for the actor field when nobody else is named. */
const char *cl_key_audit_default_actor (void);

G_END_DECLS
