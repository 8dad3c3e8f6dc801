/* cl-reader-panel.h: one reader of the line as a large, calm status panel: state, fault instruction, the last
 * card's result banner, the card's chip and live step list, and the reader's counts. */
#pragma once

#include <adwaita.h>

#include "station/cl-reader.h"

G_BEGIN_DECLS

#define CL_TYPE_READER_PANEL (cl_reader_panel_get_type ())
G_DECLARE_FINAL_TYPE (ClReaderPanel, cl_reader_panel, CL, READER_PANEL, AdwBin)

GtkWidget *cl_reader_panel_new (ClReader *reader);
ClReader *cl_reader_panel_get_reader (ClReaderPanel *self);
void cl_reader_panel_set_reader (ClReaderPanel *self, ClReader *reader);
/* The words the panel shows for a state ("Card present"); also used for its accessible label. */
const char *cl_reader_panel_state_label (ClReaderState state);
/* The result banner's headline ("GOOD", "REJECTED"; empty for none). */
const char *cl_reader_panel_result_label (ClReaderResult result);

G_END_DECLS
