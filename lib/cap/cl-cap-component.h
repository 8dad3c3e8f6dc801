/* cl-cap-component.h: the components of a Java Card CAP file (JCVM spec, chapter 6) and the parsers of
 * the ones a loader needs to understand (Header, Applet). Offsets in errors are within the component. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The numbering is the component tag (u1) at the start of each component. */
typedef enum
{
  CL_CAP_COMPONENT_HEADER = 1,
  CL_CAP_COMPONENT_DIRECTORY = 2,
  CL_CAP_COMPONENT_APPLET = 3,
  CL_CAP_COMPONENT_IMPORT = 4,
  CL_CAP_COMPONENT_CONSTANT_POOL = 5,
  CL_CAP_COMPONENT_CLASS = 6,
  CL_CAP_COMPONENT_METHOD = 7,
  CL_CAP_COMPONENT_STATIC_FIELD = 8,
  CL_CAP_COMPONENT_REF_LOCATION = 9,
  CL_CAP_COMPONENT_EXPORT = 10,
  CL_CAP_COMPONENT_DESCRIPTOR = 11,
  CL_CAP_COMPONENT_DEBUG = 12,
} ClCapComponent;

#define CL_CAP_COMPONENT_LAST CL_CAP_COMPONENT_DEBUG
/* tag u1 + size u2 + at most 65535 bytes of info */
#define CL_CAP_COMPONENT_MAX_SIZE (3 + 0xFFFF)
#define CL_CAP_AID_MIN_LEN        5
#define CL_CAP_AID_MAX_LEN        16

/* "Header", "ConstantPool", ... (the entry name without ".cap"); NULL for an unknown tag. */
const char *cl_cap_component_name (ClCapComponent component);
/* The component whose entry file is named name (e.g. "Method.cap"); FALSE if none. */
gboolean cl_cap_component_from_file_name (const char *name, ClCapComponent *out);
/* Whether the Java Card loader cannot do without it. */
gboolean cl_cap_component_is_mandatory (ClCapComponent component);

/* Checks the tag and that the size field matches the data exactly (CL_ERROR_MALFORMED otherwise). */
gboolean cl_cap_component_validate (ClCapComponent component, const guint8 *data, gsize len, GError **error);

typedef struct
{
  guint8 cap_minor;
  guint8 cap_major;
  guint8 flags;
  guint8 package_minor;
  guint8 package_major;
  guint8 package_aid[CL_CAP_AID_MAX_LEN];
  gsize package_aid_len;
  char *package_name; /* CAP 2.2 and later; NULL if the header has none */
} ClCapHeader;

/* Parses a validated Header component (magic DECAFFED, CAP 2.x). */
gboolean cl_cap_header_parse (const guint8 *data, gsize len, ClCapHeader *out, GError **error);
void cl_cap_header_clear (ClCapHeader *header);

/* Parses a validated Applet component into an array of GBytes (the applet AIDs). */
GPtrArray *cl_cap_applet_parse (const guint8 *data, gsize len, GError **error);

G_END_DECLS
