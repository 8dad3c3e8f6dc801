/* cl-vcard-image.h: the persistent state of one virtual card, one GKeyFile per card.
 *
 * The file is the card: a card removed and inserted again (possibly into another process) continues from
 * it. Every state change is written with write-temp-then-rename, so a card pulled (or a process killed) in
 * the middle of a command leaves either the old or the new state, as EEPROM transactions would.
 *
 * Format (all binary values are hex, AIDs too):
 *
 *   [card]
 *   atr=3BF81300008131FE454A434F5076323431B7
 *   cplc=<42 bytes: the value of tag 9F7F>
 *   kdd=<10 bytes: key diversification data, tag CF>
 *   life_cycle=OP_READY            OP_READY | INITIALIZED | SECURED | CARD_LOCKED | TERMINATED
 *   isd_aid=A000000151000000
 *   store_data=<hex of every STORE DATA block, ';'-separated>
 *   max_command_length=N           the longest command APDU the card takes (header to Le), 261..65544; declared
 *                                  in the ISD's FCI (9F65, data field) and longer commands answered 6700; absent:
 *                                  65544, any extended-length command
 *
 *   [keyset.N]                     one group per key set, N = key version number (KVN) in hex
 *   type=aes                       aes | des3
 *   enc=... mac=... dek=...
 *   scp=03                         03 | 02
 *   i=70                           the "i" parameter (SCP03 00/10/70, SCP02 15/55)
 *   sequence=0                     sequence counter (pseudo-random challenge / SCP02 session keys)
 *
 *   [registry]
 *   load_files=<AID;AID>           each with load_file.<AID>.state and load_file.<AID>.modules (AID list)
 *   applets=<AID;AID>              each with applet.<AID>.load_file, .module, .state, .privileges
 *
 *   [schsm]                        the SmartCard-HSM applet's state; keys owned by cl-vcard-schsm.c
 *
 *   [defects]                      injected faults, read-only for the card
 *   mute=true                      never answers an APDU (the reader times out)
 *   sw_at=D8:6A80                  answer SW to INS D8; "LOAD.1:6581" answers SW to LOAD block 1
 *   wrong_kst=true                 INITIALIZE UPDATE uses keys that differ from the image's key set
 *   keygen_fail=true               GENERATE ASYMMETRIC KEY PAIR answers 6F00
 *   tear_after=N                   after N APDUs in one insertion the card stops answering
 *   bad_mac_at=N                   the N-th APDU's answer has a corrupt card cryptogram (INITIALIZE UPDATE) or
 *                                  last data byte (the R-MAC on a channel with R-MAC); unchanged without data
 *   bad_len_at=N                   the N-th APDU's answer data is cut to half its length (SW kept)
 */
#pragma once

#include <glib-object.h>

#include "core/cl-key-set.h"

G_BEGIN_DECLS

typedef enum
{
  CL_VCARD_LC_OP_READY = 0x01,
  CL_VCARD_LC_INITIALIZED = 0x07,
  CL_VCARD_LC_SECURED = 0x0F,
  CL_VCARD_LC_CARD_LOCKED = 0x7F,
  CL_VCARD_LC_TERMINATED = 0xFF,
} ClVcardLifeCycle;

/* Application life cycle states (GP 11.1.1) */
#define CL_VCARD_APP_INSTALLED    0x03
#define CL_VCARD_APP_SELECTABLE   0x07
#define CL_VCARD_APP_LOCKED       0x83
#define CL_VCARD_LOAD_FILE_LOADED 0x01

typedef struct
{
  guint8 version;
  ClKeyType type;
  GBytes *enc;
  GBytes *mac;
  GBytes *dek;
  guint8 scp;
  guint8 i;
  guint32 sequence;
} ClVcardKeys;

typedef struct
{
  GBytes *aid;
  guint8 state;
  GPtrArray *modules; /* GBytes*: applet classes of a load file */
} ClVcardLoadFile;

typedef struct
{
  GBytes *aid;
  GBytes *load_file;
  GBytes *module;
  guint8 state;
  guint8 privileges[3];
} ClVcardApplet;

typedef struct
{
  gboolean mute;
  gint sw_ins;        /* -1: none */
  gint sw_load_block; /* -1: none; else the LOAD block number */
  guint16 sw;
  gboolean wrong_kst;
  gboolean keygen_fail;
  guint tear_after; /* 0: never */
  guint bad_mac_at; /* 0: never; else the APDU (1-based, per insertion) whose answer carries a corrupt MAC */
  guint bad_len_at; /* 0: never; else the APDU whose answer data is cut short */
} ClVcardDefects;

#define CL_TYPE_VCARD_IMAGE (cl_vcard_image_get_type ())
G_DECLARE_FINAL_TYPE (ClVcardImage, cl_vcard_image, CL, VCARD_IMAGE, GObject)

ClVcardImage *cl_vcard_image_new (void);
ClVcardImage *cl_vcard_image_load (const char *path, GError **error);
ClVcardImage *cl_vcard_image_load_from_data (const char *data, gsize len, GError **error);
char *cl_vcard_image_to_data (ClVcardImage *self, gsize *len);
/* Writes to path (temp file + rename); remembers path for cl_vcard_image_commit. */
gboolean cl_vcard_image_save (ClVcardImage *self, const char *path, GError **error);
/* Persists a state change to the file the image came from; a no-op for in-memory images. */
gboolean cl_vcard_image_commit (ClVcardImage *self, GError **error);
const char *cl_vcard_image_get_path (ClVcardImage *self);

GBytes *cl_vcard_image_get_atr (ClVcardImage *self);
void cl_vcard_image_set_atr (ClVcardImage *self, GBytes *atr);
GBytes *cl_vcard_image_get_cplc (ClVcardImage *self);
void cl_vcard_image_set_cplc (ClVcardImage *self, GBytes *cplc);
GBytes *cl_vcard_image_get_kdd (ClVcardImage *self);
void cl_vcard_image_set_kdd (ClVcardImage *self, GBytes *kdd);
GBytes *cl_vcard_image_get_isd_aid (ClVcardImage *self);
guint8 cl_vcard_image_get_life_cycle (ClVcardImage *self);
#define CL_VCARD_MAX_COMMAND 65544
guint cl_vcard_image_get_max_command_length (ClVcardImage *self);
/* 261..CL_VCARD_MAX_COMMAND; FALSE (and no change) outside */
gboolean cl_vcard_image_set_max_command_length (ClVcardImage *self, guint max);
void cl_vcard_image_set_life_cycle (ClVcardImage *self, guint8 state);
void cl_vcard_image_add_store_data (ClVcardImage *self, const guint8 *data, gsize len);
guint cl_vcard_image_get_store_data_count (ClVcardImage *self);

/* Key sets, ordered by version. */
GPtrArray *cl_vcard_image_get_key_sets (ClVcardImage *self);
ClVcardKeys *cl_vcard_image_find_keys (ClVcardImage *self, guint8 version);
/* Takes ownership of keys; replaces a key set of the same version. */
void cl_vcard_image_put_keys (ClVcardImage *self, ClVcardKeys *keys);
gboolean cl_vcard_image_remove_keys (ClVcardImage *self, guint8 version);
ClVcardKeys *cl_vcard_keys_new (guint8 version, ClKeyType type, GBytes *enc, GBytes *mac, GBytes *dek, guint8 scp,
                                guint8 i);
void cl_vcard_keys_free (ClVcardKeys *keys);

GPtrArray *cl_vcard_image_get_load_files (ClVcardImage *self);
GPtrArray *cl_vcard_image_get_applets (ClVcardImage *self);
ClVcardLoadFile *cl_vcard_image_find_load_file (ClVcardImage *self, const guint8 *aid, gsize len);
ClVcardApplet *cl_vcard_image_find_applet (ClVcardImage *self, const guint8 *aid, gsize len);
ClVcardLoadFile *cl_vcard_image_add_load_file (ClVcardImage *self, const guint8 *aid, gsize len);
ClVcardApplet *cl_vcard_image_add_applet (ClVcardImage *self, const guint8 *aid, gsize len, GBytes *load_file,
                                          GBytes *module, guint8 state, const guint8 privileges[3]);
void cl_vcard_image_remove_load_file (ClVcardImage *self, ClVcardLoadFile *file);
void cl_vcard_image_remove_applet (ClVcardImage *self, ClVcardApplet *applet);

/* The [schsm] group as strings; NULL if absent. */
const char *cl_vcard_image_get_schsm (ClVcardImage *self, const char *key);
void cl_vcard_image_set_schsm (ClVcardImage *self, const char *key, const char *value);
void cl_vcard_image_clear_schsm (ClVcardImage *self);
GList *cl_vcard_image_get_schsm_keys (ClVcardImage *self);

ClVcardDefects *cl_vcard_image_get_defects (ClVcardImage *self);
/* Parses a [defects] value set from "key=value" text as in the file (used by tests and the fuzz target). */
gboolean cl_vcard_image_set_defect (ClVcardImage *self, const char *key, const char *value, GError **error);

const char *cl_vcard_life_cycle_to_string (guint8 state);
gboolean cl_vcard_life_cycle_from_string (const char *text, guint8 *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClVcardKeys, cl_vcard_keys_free)

G_END_DECLS
