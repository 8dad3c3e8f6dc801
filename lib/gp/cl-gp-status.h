/* cl-gp-status.h: GET STATUS (80 F2 P1 P2 4F 00) and the GlobalPlatform registry entries it returns
 * (P2 02: E3 templates). */
#pragma once

#include "apdu/cl-apdu.h"

G_BEGIN_DECLS

typedef enum
{
  CL_GP_STATUS_ISD = 0x80,
  CL_GP_STATUS_APPLICATIONS = 0x40, /* applications and supplementary security domains */
  CL_GP_STATUS_LOAD_FILES = 0x20,
  CL_GP_STATUS_LOAD_FILES_MODULES = 0x10,
} ClGpStatusKind;

typedef struct
{
  ClGpStatusKind kind;
  GBytes *aid;           /* 4F */
  guint8 life_cycle;     /* 9F70 (first byte) */
  guint8 privileges[3];  /* C5, zero-padded */
  gsize privileges_len;  /* 0 if absent */
  GBytes *version;       /* CE, NULL if absent */
  GBytes *associated_sd; /* CC, NULL if absent */
  GPtrArray *modules;    /* 84 (GBytes), empty unless load files with modules */
} ClGpRegistryEntry;

void cl_gp_registry_entry_free (ClGpRegistryEntry *entry);

/* 80 F2 kind (next ? 03 : 02) 02 4F 00 00 */
ClApdu *cl_gp_get_status_apdu (ClGpStatusKind kind, gboolean next);
/* Appends the E3 entries of one response to entries (ClGpRegistryEntry, freed with
 * cl_gp_registry_entry_free). Malformed data is CL_ERROR_MALFORMED naming the entry and offset. */
gboolean cl_gp_status_parse (ClGpStatusKind kind, const guint8 *data, gsize len, GPtrArray *entries, GError **error);
GPtrArray *cl_gp_registry_entries_new (void);

const char *cl_gp_status_kind_to_string (ClGpStatusKind kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClGpRegistryEntry, cl_gp_registry_entry_free)

G_END_DECLS
