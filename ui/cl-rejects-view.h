/* cl-rejects-view.h: QA's rejects view: rejected cards filterable by batch, reason and date and searchable by
 * printed serial or chip id; a card's history; re-test (diagnose, then resume or scrap) and, for a good (recovered)
 * card, Reprint Face, through ClQaService. */
#pragma once

#include <adwaita.h>

#include "cl-session.h"
#include "station/cl-qa-service.h"

G_BEGIN_DECLS

#define CL_TYPE_REJECTS_VIEW (cl_rejects_view_get_type ())
G_DECLARE_FINAL_TYPE (ClRejectsView, cl_rejects_view, CL, REJECTS_VIEW, AdwBin)

GtkWidget *cl_rejects_view_new (void);
void cl_rejects_view_set_store (ClRejectsView *self, ClStore *store);
void cl_rejects_view_set_session (ClRejectsView *self, ClSession *session);
void cl_rejects_view_set_qa_service (ClRejectsView *self, ClQaService *service);
/* The reader QA re-tests in (Setup's choice); NULL or "" when none. */
void cl_rejects_view_set_qa_reader (ClRejectsView *self, const char *reader);
/* Re-reads the list on a worker. */
void cl_rejects_view_reload (ClRejectsView *self);
/* ClRejectItem of the current list. */
GListModel *cl_rejects_view_get_items (ClRejectsView *self);
GtkColumnView *cl_rejects_view_get_column_view (ClRejectsView *self);
void cl_rejects_view_set_search (ClRejectsView *self, const char *text);
/* How many rows a new search or filter shows before "Show More" (at most the view's own first page): the tests
 * see the paging with a few cards. */
void cl_rejects_view_set_page_size (ClRejectsView *self, guint rows);
/* Selects the card (if listed) and loads its history. */
gboolean cl_rejects_view_select_chip (ClRejectsView *self, const char *chip_id);
/* Rows shown in the history pane (tests). */
guint cl_rejects_view_get_history_length (ClRejectsView *self);
/* TRUE while a list, history or QA call runs on a worker. */
gboolean cl_rejects_view_get_busy (ClRejectsView *self);

G_END_DECLS
