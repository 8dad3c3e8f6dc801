/* cl-key-inventory.h: listing and retiring ceremony keys, and the door the production line uses to them.
 *
 * Retiring a version sets retired=true in its record and relabels its key objects "retired.NAME/enc" (so
 * cl_p11_token_find_key_set no longer finds them under their name); with destroy the objects are destroyed
 * instead and only the record stays. The line opens keys through cl_key_inventory_open_key_set, which refuses
 * retired versions and stamps last-used. */
#pragma once

#include "keys/cl-key-audit.h"
#include "keys/cl-key-record.h"
#include "p11/cl-p11-key-set.h"
#include "p11/cl-p11-token.h"

G_BEGIN_DECLS

/* Every ceremony key's record (sorted by name, version). */
GPtrArray *cl_key_inventory_list (ClP11Token *token, GError **error);
ClKeyRecord *cl_key_inventory_get (ClP11Token *token, const char *name, guint8 version, GError **error);
gboolean cl_key_inventory_retire (ClP11Token *token, const char *name, guint8 version, gboolean destroy,
                                  ClKeyAudit *audit, const char *actor, GError **error);
/* The key set NAME/V for production: CL_ERROR_SECURITY if retired; records the use. */
ClP11KeySet *cl_key_inventory_open_key_set (ClP11Token *token, const char *name, guint8 version,
                                            ClP11KeySetOptions options, GError **error);
/* The key set NAME/V as cl_p11_token_find_key_set finds it, with the length of its Cardline record when the token
 * records none (SoftHSM2 for keys unwrapped by the transport-key ceremony): for the line and the station checks. */
ClP11KeySet *cl_key_inventory_find_key_set (ClP11Token *token, const char *name, guint8 version,
                                            ClP11KeySetOptions options, GError **error);
/* The object handle of a single or transport key for production: as above. */
gboolean cl_key_inventory_open_key (ClP11Token *token, const char *name, guint8 version, CK_OBJECT_HANDLE *out,
                                    GError **error);
/* Stamps last-used of NAME/V with now. */
gboolean cl_key_inventory_touch (ClP11Token *token, const char *name, guint8 version, GError **error);

G_END_DECLS
