/* cl-profile-reader.h: typed, validated reads of key file fields with errors that name FILE:GROUP:KEY. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  GKeyFile *kf;
  const char *file;
} ClProfileReader;

/* The largest profile file read: a profile is a page of text; /dev/zero or a log given by mistake is not read to
 * the end of memory. */
#define CL_PROFILE_MAX_BYTES (256 * 1024)

/* The contents of the profile file path: a regular file (not a device, FIFO or directory) of at most
 * CL_PROFILE_MAX_BYTES. CL_ERROR_PROFILE naming the file and what is wrong. */
gboolean cl_profile_reader_read_file (const char *path, char **data, gsize *len, GError **error);
/* What GKeyFile would silently take wrongly: a NUL byte (it ends the value there: "kst-version=12<NUL>34" reads as
 * 12), refused with its line and column; a group given twice (its keys would merge, the later overriding),
 * refused naming both lines. CL_ERROR_PROFILE "FILE:LINE:COLUMN: <message>". */
gboolean cl_profile_reader_check_text (const char *file, const char *data, gsize len, GError **error);

/* Sets CL_ERROR_PROFILE "FILE:GROUP:KEY: <message>". */
void cl_profile_reader_error (ClProfileReader *r, GError **error, const char *group, const char *key,
                              const char *format, ...) G_GNUC_PRINTF (5, 6);
/* Every group and key present must be listed: allowed is "group", then its keys, NULL; the list ends with NULL. */
gboolean cl_profile_reader_check_known (ClProfileReader *r, const char *const *const *allowed, GError **error);

/* NULL with an error if required and absent; NULL without an error if optional and absent. */
char *cl_profile_reader_string (ClProfileReader *r, const char *group, const char *key, gboolean required,
                                GError **error);
/* Hex bytes of min..max length. Absent and optional: dflt (may be NULL), no error. secret: never echo the value. */
GBytes *cl_profile_reader_hex (ClProfileReader *r, const char *group, const char *key, gsize min, gsize max,
                               gboolean required, const char *dflt, gboolean secret, GError **error);
/* A hex byte in min..max; absent: dflt (< 0: required). */
gboolean cl_profile_reader_hex_byte (ClProfileReader *r, const char *group, const char *key, guint min, guint max,
                                     gint dflt, guint8 *out, GError **error);
/* A decimal number in min..max; absent: dflt (< 0: required). */
gboolean cl_profile_reader_uint (ClProfileReader *r, const char *group, const char *key, guint min, guint max,
                                 gint64 dflt, guint *out, GError **error);
gboolean cl_profile_reader_bool (ClProfileReader *r, const char *group, const char *key, gboolean dflt, gboolean *out,
                                 GError **error);
/* One of names (NULL-terminated); absent: dflt (< 0: required). */
gboolean cl_profile_reader_choice (ClProfileReader *r, const char *group, const char *key, const char *const *names,
                                   gint dflt, guint *out, GError **error);

G_END_DECLS
