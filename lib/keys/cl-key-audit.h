/* cl-key-audit.h: the one door through which every key event (ceremony, export, import, retire, DKEK share,
 * key changeover) is recorded: who, what, which key, check values — never a key, component, PIN or password.
 *
 * Records go to the station store's hash-chained audit trail (cl_store_audit_append in lib/store), the same
 * chain production appends to, so ceremonies and production are verified together (`cardline-admin store
 * verify`). A record is actor, action, subject and details; the store adds the sequence, time and hash. */
#pragma once

#include <glib-object.h>

#include "store/cl-store.h"

G_BEGIN_DECLS

#define CL_TYPE_KEY_AUDIT (cl_key_audit_get_type ())
G_DECLARE_FINAL_TYPE (ClKeyAudit, cl_key_audit, CL, KEY_AUDIT, GObject)

/* Opens (creating and migrating, as the station does) the store at path. */
ClKeyAudit *cl_key_audit_new (const char *path, GError **error);
/* Records into an already open store. */
ClKeyAudit *cl_key_audit_new_for_store (ClStore *store);
ClStore *cl_key_audit_get_store (ClKeyAudit *self);

/* Appends one record, durable when it returns. */
gboolean cl_key_audit_record (ClKeyAudit *self, const char *actor, const char *action, const char *subject,
                              const char *details, GError **error);
/* Checks the whole audit chain of the store at path (production records included); n_records may be NULL. */
gboolean cl_key_audit_verify (const char *path, guint *n_records, GError **error);

/* The operating-system user, for the actor field when nobody else is named. */
const char *cl_key_audit_default_actor (void);

G_END_DECLS
