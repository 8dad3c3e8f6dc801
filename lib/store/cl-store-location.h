/* cl-store-location.h: which store a station process uses. Every process of the station (cardline with a window
 * or --headless, cardline-admin) decides it here, so a supervisor's dashboard reads the store production writes
 * to. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The GSettings schema and key the Setup view keeps the store in (the app's schema, data/…gschema.xml). */
#define CL_STORE_LOCATION_SCHEMA "org.cardline.Cardline"
#define CL_STORE_LOCATION_KEY    "store-path"

typedef enum
{
  CL_STORE_FROM_COMMAND_LINE, /* --store */
  CL_STORE_FROM_ENVIRONMENT,  /* $CARDLINE_STORE */
  CL_STORE_FROM_SETTINGS,     /* GSettings store-path */
  CL_STORE_FROM_DEFAULT,      /* $XDG_DATA_HOME/cardline/station.db */
} ClStoreSource;

/* The rule: the first non-empty of command_line, $CARDLINE_STORE and configured, else the default path. No side
 * effects. source (may be NULL) says which one won. */
char *cl_store_location_resolve (const char *command_line, const char *configured, ClStoreSource *source);
/* GSettings store-path when the schema is installed (NULL when not: running from the build tree, a server
 * without the app's data), else NULL. Reads settings: call it on the main thread. */
char *cl_store_location_configured (void);
/* cl_store_location_resolve (command_line, cl_store_location_configured (), source): the store of a station
 * process. Main thread (settings). */
char *cl_store_location_full (const char *command_line, ClStoreSource *source);
/* cl_store_location_full (command_line, NULL), with the parent folder created (0700) when missing: for a process
 * that is going to create or write the store. */
char *cl_store_location (const char *command_line);

G_END_DECLS
