/* cl-cap-file.h: a Java Card CAP file (a zip with the components under .../javacard/) as GlobalPlatform loads it. */
#pragma once

#include <glib-object.h>

#include "cap/cl-cap-component.h"

G_BEGIN_DECLS

typedef enum
{
  CL_CAP_HASH_SHA1,
  CL_CAP_HASH_SHA256,
} ClCapHash;

#define CL_TYPE_CAP_FILE (cl_cap_file_get_type ())
G_DECLARE_FINAL_TYPE (ClCapFile, cl_cap_file, CL, CAP_FILE, GObject)

/* Malformed input is CL_ERROR_MALFORMED naming the component and offset (or "not a zip archive"). */
ClCapFile *cl_cap_file_new_from_path (const char *path, GError **error);
ClCapFile *cl_cap_file_new_from_bytes (GBytes *zip, GError **error);

/* The whole component (tag, size, info) as stored; NULL if the file has none. */
GBytes *cl_cap_file_get_component (ClCapFile *self, ClCapComponent component);

void cl_cap_file_get_cap_version (ClCapFile *self, guint8 *major, guint8 *minor);
void cl_cap_file_get_package_version (ClCapFile *self, guint8 *major, guint8 *minor);
GBytes *cl_cap_file_get_package_aid (ClCapFile *self);
/* NULL before CAP 2.2. */
const char *cl_cap_file_get_package_name (ClCapFile *self);
/* GBytes AIDs of the applets (empty for a library package). Owned by self. */
GPtrArray *cl_cap_file_get_applet_aids (ClCapFile *self);

/* The components in GlobalPlatform load order (Header, Directory, Import, Applet, Class, Method,
 * StaticField, Export, ConstantPool, RefLocation[, Descriptor]): the value of the C4 TLV.
 * Asking for the Descriptor of a file without one is CL_ERROR_NOT_FOUND. */
GBytes *cl_cap_file_get_load_file_code (ClCapFile *self, gboolean include_descriptor, GError **error);
/* C4 <BER length> code: what LOAD sends. */
GBytes *cl_cap_file_build_load_file_data_block (ClCapFile *self, gboolean include_descriptor, GError **error);
/* The Load File Data Block Hash of INSTALL [for load]: the digest of the code inside the C4 TLV (not the
 * tag and length), as GlobalPlatformPro computes it. */
GBytes *cl_cap_file_compute_load_file_hash (ClCapFile *self, gboolean include_descriptor, ClCapHash hash,
                                            GError **error);

/* Cuts data into blocks of at most max_block bytes (GBytes, sharing data's memory). */
GPtrArray *cl_cap_split_blocks (GBytes *data, gsize max_block, GError **error);

G_END_DECLS
