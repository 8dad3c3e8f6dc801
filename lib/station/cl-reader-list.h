/* cl-reader-list.h: the readers of the line as a GListModel, in natural order of their names. */
#pragma once

#include <gio/gio.h>

#include "station/cl-reader.h"

G_BEGIN_DECLS

#define CL_TYPE_READER_LIST (cl_reader_list_get_type ())
G_DECLARE_FINAL_TYPE (ClReaderList, cl_reader_list, CL, READER_LIST, GObject)

ClReaderList *cl_reader_list_new (void);
/* Returns FALSE (and leaves the list alone) when a reader of that name is already listed. */
gboolean cl_reader_list_add (ClReaderList *self, ClReader *reader);
gboolean cl_reader_list_remove (ClReaderList *self, const char *name);
/* Borrowed; NULL when absent. */
ClReader *cl_reader_list_find (ClReaderList *self, const char *name, guint *position);

G_END_DECLS
