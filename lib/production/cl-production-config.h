/* cl-production-config.h: the parameters ClCardSequence runs with, read from a profile key file.
 *
 * Interim glue: lib/profile (ClProfile) owns the profile format and its validation; until it lands this reads
 * the keys the sequence needs (see data/demo/smartcard-hsm-demo.profile) with clear errors. Holds no key value;
 * the demo PINs a profile may carry are wiped with the config. */
#pragma once

#include <gio/gio.h>

#include "core/cl-key-set.h"

G_BEGIN_DECLS

typedef struct
{
  char *path;
  char *name;
  char *hash; /* SHA-256 of the file, 64 hex digits: what the batch records */

  GBytes *atr;
  GBytes *atr_mask; /* same length as atr */
  GBytes *isd_aid;  /* NULL: the GlobalPlatform defaults */
  guint timeout_s;  /* per card, 0: none */

  guint8 scp; /* 0x03 or 0x02 */
  guint8 scp_level;

  char *kst_name;
  guint8 kst_version;
  char *kmc_name;
  guint8 kmc_version;
  guint8 card_key_version;
  ClDiversification diversification;
  gboolean put_key_inner_length;

  GPtrArray *store_data; /* GBytes, may be empty */
  gint life_cycle;       /* -1: leave */

  char *cap_path;
  GBytes *load_file_aid;
  GBytes *module_aid;
  GBytes *application_aid;
  GBytes *privileges;
  gboolean delete_previous;

  guint16 init_options;
  GBytes *user_pin; /* demo policy only; never logged */
  GBytes *so_pin;
  guint8 retry_counter;
  gint dkek_shares;

  char *dica_key_label;
  char *dica_cvc_path;
  char *srca_cvc_path;
  char *chr_pattern;
  guint validity_days;
} ClProductionConfig;

/* CL_ERROR_PROFILE naming the file, group and key of the first problem. */
ClProductionConfig *cl_production_config_load (const char *path, GError **error);
void cl_production_config_free (ClProductionConfig *config);

/* The CHR of the device certificate for a chip: chr_pattern with {serial} replaced by the IC serial number. */
char *cl_production_config_format_chr (const ClProductionConfig *config, guint32 ic_serial);

/* Whether atr matches the profile's ATR under its mask. */
gboolean cl_production_config_atr_matches (const ClProductionConfig *config, GBytes *atr);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClProductionConfig, cl_production_config_free)

G_END_DECLS
