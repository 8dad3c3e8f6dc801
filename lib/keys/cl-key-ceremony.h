/* cl-key-ceremony.h: master keys from M custodian components.
 *
 * generate: the token's RNG is not reachable for values that must be shown, so each component is drawn from
 * OpenSSL's RNG into locked host memory, shown once (io->show) with its own check value, and wiped.
 * import: each component is read through io->prompt (hidden input), its check value shown for io->confirm
 * before the next one is asked (a refused check value asks the same component again, up to 3 times).
 *
 * Combination: inside the token by C_DeriveKey CKM_XOR_BASE_AND_DATA when the token offers it (component 1
 * becomes a session key, each further component is XOR-ed in as derivation data, the last derivation creates
 * the token object); otherwise — SoftHSM2 2.6 does not offer it — in locked host memory, the sum passed to
 * C_CreateObject and wiped at once. The record's origin and the audit say which.
 * Result: sensitive, non-extractable (unless spec->exportable) token objects per cl-key-object.h, the
 * combined key's check value computed inside the token, and the metadata record (cl-key-record.h). */
#pragma once

#include "keys/cl-key-audit.h"
#include "keys/cl-key-record.h"
#include "p11/cl-p11-token.h"

G_BEGIN_DECLS

typedef struct
{
  const char *label;     /* "KMC/enc" */
  guint index;           /* 1-based component number */
  guint count;           /* M */
  const char *custodian; /* who holds it, or NULL */
} ClKeyComponentInfo;

typedef struct
{
  /* generate: show a component (hex) once with its check value; the implementation must not keep it. */
  gboolean (*show) (const ClKeyComponentInfo *info, const char *component_hex, const char *kcv_hex, gpointer user_data,
                    GError **error);
  /* import: a component as hex (spaces allowed); the ceremony wipes and frees the string. */
  char *(*prompt) (const ClKeyComponentInfo *info, gpointer user_data, GError **error);
  /* import: the custodian compares the check value with their slip; FALSE asks the component again. */
  gboolean (*confirm) (const ClKeyComponentInfo *info, const char *kcv_hex, gpointer user_data);
  gpointer user_data;
} ClKeyCeremonyIo;

/* custodians: NULL or n_components names. actor: who runs the ceremony (audit). */
ClKeyRecord *cl_key_ceremony_generate (ClP11Token *token, const ClKeySpec *spec, guint n_components,
                                       const char *const *custodians, const ClKeyCeremonyIo *io, ClKeyAudit *audit,
                                       const char *actor, GError **error);
ClKeyRecord *cl_key_ceremony_import (ClP11Token *token, const ClKeySpec *spec, guint n_components,
                                     const char *const *custodians, const ClKeyCeremonyIo *io, ClKeyAudit *audit,
                                     const char *actor, GError **error);

G_END_DECLS
