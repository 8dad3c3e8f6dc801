/* cl-rejects-view.c: the QA rejects view (cl-rejects-view.h). Every store read runs on a worker; results are
 * dropped when a newer request superseded them. */
#include "cl-rejects-view.h"

#include <glib/gi18n.h>

#include "cl-reject-item.h"
#include "cl-ui-error.h"
#include "cl-ui.h"
#include "store/cl-store-dashboard.h"

/* A store of a million cards holds tens of thousands of rejections: reading them all at each key stroke would cost
 * more than the search itself. A search or filter shows the newest ones first, and says whether older ones match. */
#define PAGE_FIRST CL_REJECTS_PAGE_FIRST
#define PAGE_MAX   (PAGE_FIRST << 7)

struct _ClRejectsView
{
  AdwBin parent_instance;

  ClStore *store;
  ClSession *session;
  ClQaService *qa_service;
  char *qa_reader;
  GListStore *items;
  GtkSingleSelection *selection;
  GArray *batch_ids;
  guint list_generation;
  guint history_generation;
  guint pending;
  guint history_length;
  guint page;       /* rows asked for: the newest ones that match */
  guint page_first; /* what a new search or filter starts with */
  ClQaDiagnosis *diagnosis;
  gboolean refreshing_filters;
  GCancellable *cancellable;

  GtkSearchEntry *search_entry;
  GtkDropDown *batch_dropdown;
  GtkDropDown *reason_dropdown;
  GtkDropDown *period_dropdown;
  GtkCheckButton *closed_check;
  GtkColumnView *column_view;
  GtkWidget *more_bar;
  GtkLabel *more_label;
  GtkLabel *detail_title;
  GtkLabel *detail_subtitle;
  AdwActionRow *reader_row;
  AdwActionRow *diagnosis_row;
  AdwEntryRow *comment_row;
  AdwActionRow *reprint_row;
  char *reprint_chip; /* the card reprint_row's subtitle speaks of */
  GtkListBox *history_list;
};

G_DEFINE_FINAL_TYPE (ClRejectsView, cl_rejects_view, ADW_TYPE_BIN)

static void load_history (ClRejectsView *self);

static ClRejectItem *
selected_item (ClRejectsView *self)
{
  return gtk_single_selection_get_selected_item (self->selection);
}

/* Only a good card's face is printed again (a recovered card is good); QA or a supervisor. */
static gboolean
reprint_allowed (ClRejectsView *self, ClRejectItem *item)
{
  return self->session != NULL && cl_session_allows (self->session, CL_PERMISSION_FACE_REPRINT)
         && self->qa_service != NULL && item != NULL && cl_reject_item_get_row (item)->state == CL_CARD_GOOD;
}

static void
update_actions (ClRejectsView *self)
{
  ClRejectItem *item = selected_item (self);
  gboolean qa = self->session != NULL && cl_session_allows (self->session, CL_PERMISSION_QA_RETEST);
  gboolean open = item != NULL && cl_reject_item_get_row (item)->state == CL_CARD_REJECTED;
  gboolean reader = self->qa_reader != NULL && *self->qa_reader != '\0';
  gboolean service = self->qa_service != NULL;
  g_autofree char *comment = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->comment_row))));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "rejects.diagnose", qa && open && reader && service);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "rejects.resume",
                                 qa && open && reader && service && self->diagnosis != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "rejects.scrap", qa && open && service && *comment != '\0');
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "rejects.reprint-face", reprint_allowed (self, item));
}

static void
busy_push (ClRejectsView *self)
{
  self->pending++;
}

/* FALSE once the view is disposed: a worker's answer then has nowhere to go. */
static gboolean
busy_pop (ClRejectsView *self)
{
  g_assert (self->pending > 0);
  self->pending--;
  return self->cancellable != NULL;
}

/* ---- the list ---- */

typedef struct
{
  ClStore *store;
  ClRejectQuery query;
  char *search;
  guint generation;
  gboolean more; /* older rejections match too */
} ListJob;

static void
list_job_free (ListJob *job)
{
  g_clear_object (&job->store);
  g_free (job->search);
  g_free (job);
}

static void
list_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ListJob *job = task_data;
  GError *error = NULL;
  GPtrArray *rows;

  job->query.search = job->search;
  rows = cl_store_reject_search_page (job->store, &job->query, &job->more, &error);
  if (rows == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, rows, (GDestroyNotify)g_ptr_array_unref);
}

static void
on_list_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ClRejectsView *self = CL_REJECTS_VIEW (source);
  ListJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr (GPtrArray) items = NULL;
  g_autofree char *keep = NULL;
  ClRejectItem *item;

  if (!busy_pop (self) || job->generation != self->list_generation)
    return;
  if (rows == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Reading rejected cards: %s", error->message);
      return;
    }
  if (job->more)
    {
      g_autofree char *text
        = g_strdup_printf (_ ("The latest %u matching cards are shown; older ones match too."), job->query.limit);

      gtk_label_set_text (self->more_label, text);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "rejects.show-more", job->query.limit < PAGE_MAX);
    }
  gtk_widget_set_visible (self->more_bar, job->more);
  item = selected_item (self);
  keep = item ? g_strdup (cl_reject_item_get_chip_id (item)) : NULL;
  items = g_ptr_array_new_full (rows->len, g_object_unref);
  for (guint i = 0; i < rows->len; i++)
    g_ptr_array_add (items, cl_reject_item_new (g_steal_pointer (&rows->pdata[i])));
  g_ptr_array_set_free_func (rows, NULL);
  g_list_store_splice (self->items, 0, g_list_model_get_n_items (G_LIST_MODEL (self->items)), items->pdata, items->len);
  if (keep != NULL)
    cl_rejects_view_select_chip (self, keep);
}

static gint64
period_start (guint period)
{
  static const gint64 hours[] = { 0, 24, 24 * 7, 24 * 30 };

  if (period == 0 || period >= G_N_ELEMENTS (hours))
    return 0;
  return g_get_real_time () - hours[period] * 3600 * G_USEC_PER_SEC;
}

void
cl_rejects_view_reload (ClRejectsView *self)
{
  g_autoptr (GTask) task = NULL;
  ListJob *job;
  guint batch = gtk_drop_down_get_selected (self->batch_dropdown);
  guint reason = gtk_drop_down_get_selected (self->reason_dropdown);

  g_return_if_fail (CL_IS_REJECTS_VIEW (self));
  if (self->store == NULL || self->refreshing_filters)
    return;
  job = g_new0 (ListJob, 1);
  job->store = g_object_ref (self->store);
  job->generation = ++self->list_generation;
  job->query.batch_id = batch < self->batch_ids->len ? g_array_index (self->batch_ids, gint64, batch) : 0;
  job->query.reason = reason == 0 || reason == GTK_INVALID_LIST_POSITION ? -1 : (gint)reason - 1;
  job->query.from = period_start (gtk_drop_down_get_selected (self->period_dropdown));
  job->query.include_closed = gtk_check_button_get_active (self->closed_check);
  job->query.limit = self->page;
  job->search = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))));
  task = g_task_new (self, self->cancellable, on_list_read, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify)list_job_free);
  busy_push (self);
  g_task_run_in_thread (task, list_in_thread);
}

/* Another search or filter starts again from the first page. */
static void
on_filter_changed (ClRejectsView *self)
{
  self->page = self->page_first;
  cl_rejects_view_reload (self);
}

static void
show_more_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ClRejectsView *self = CL_REJECTS_VIEW (widget);

  self->page = MIN (self->page * 2, PAGE_MAX);
  cl_rejects_view_reload (self);
}

/* ---- batches for the filter ---- */

static void
batches_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *batches = cl_store_batch_list (task_data, &error);

  if (batches == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, batches, (GDestroyNotify)g_ptr_array_unref);
}

static void
on_batches_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ClRejectsView *self = CL_REJECTS_VIEW (source);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) batches = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr (GtkStringList) names = gtk_string_list_new (NULL);

  if (!busy_pop (self) || batches == NULL)
    return;
  g_array_set_size (self->batch_ids, 0);
  gtk_string_list_append (names, _ ("All batches"));
  g_array_append_val (self->batch_ids, (gint64){ 0 });
  for (guint i = 0; i < batches->len; i++)
    {
      ClBatchInfo *info = g_ptr_array_index (batches, i);

      gtk_string_list_append (names, info->name);
      g_array_append_val (self->batch_ids, info->id);
    }
  self->refreshing_filters = TRUE;
  gtk_drop_down_set_model (self->batch_dropdown, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->batch_dropdown, 0);
  self->refreshing_filters = FALSE;
  cl_rejects_view_reload (self);
}

void
cl_rejects_view_set_store (ClRejectsView *self, ClStore *store)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (CL_IS_REJECTS_VIEW (self));
  if (!g_set_object (&self->store, store) || store == NULL)
    return;
  task = g_task_new (self, self->cancellable, on_batches_read, NULL);
  g_task_set_task_data (task, g_object_ref (store), g_object_unref);
  busy_push (self);
  g_task_run_in_thread (task, batches_in_thread);
}

/* ---- history of the selected card ---- */

typedef struct
{
  ClStore *store;
  char *chip_id;
  guint generation;
} HistoryJob;

static void
history_job_free (HistoryJob *job)
{
  g_clear_object (&job->store);
  g_free (job->chip_id);
  g_free (job);
}

static void
history_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  HistoryJob *job = task_data;
  GError *error = NULL;
  GPtrArray *events = cl_store_card_history (job->store, job->chip_id, &error);

  if (events == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, events, (GDestroyNotify)g_ptr_array_unref);
}

static const char *
event_icon (ClCardEventKind kind)
{
  switch (kind)
    {
      case CL_CARD_EVENT_ATTEMPT:
        return "media-playback-start-symbolic";
      case CL_CARD_EVENT_STEP:
        return "go-next-symbolic";
      case CL_CARD_EVENT_END:
        return "media-playback-stop-symbolic";
      case CL_CARD_EVENT_QA:
      default:
        return "emblem-ok-symbolic";
    }
}

static void
on_history_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ClRejectsView *self = CL_REJECTS_VIEW (source);
  HistoryJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) events = g_task_propagate_pointer (G_TASK (result), &error);
  GtkWidget *child;

  if (!busy_pop (self) || job->generation != self->history_generation)
    return;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->history_list))) != NULL)
    gtk_list_box_remove (self->history_list, child);
  self->history_length = 0;
  if (events == NULL)
    {
      gtk_label_set_text (self->detail_subtitle, error->message);
      return;
    }
  for (guint i = 0; i < events->len; i++)
    {
      ClCardEvent *event = g_ptr_array_index (events, i);
      g_autoptr (GDateTime) when = g_date_time_new_from_unix_local (event->when / G_USEC_PER_SEC);
      g_autofree char *time = g_date_time_format (when, "%Y-%m-%d %H:%M:%S");
      g_autoptr (GString) subtitle = g_string_new (time);
      g_autofree char *title = NULL;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = gtk_image_new_from_icon_name (event_icon (event->kind));

      g_string_append_printf (subtitle, " · %s", event->detail ? event->detail : "");
      if (event->sw >= 0)
        g_string_append_printf (subtitle, " · SW %04X", (guint)event->sw);
      if (event->duration_us > 0)
        g_string_append_printf (subtitle, " · %.0f ms", event->duration_us / 1000.0);
      title = event->kind == CL_CARD_EVENT_STEP
                ? g_strdup_printf ("    %s", event->what)
                : g_strdup_printf ("%s #%" G_GINT64_FORMAT, event->what, event->attempt_id);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      gtk_list_box_append (self->history_list, row);
      self->history_length++;
    }
}

static void
load_history (ClRejectsView *self)
{
  ClRejectItem *item = selected_item (self);
  g_autoptr (GTask) task = NULL;
  HistoryJob *job;
  const ClRejectRow *row;
  GtkWidget *child;

  self->history_generation++;
  g_clear_pointer (&self->diagnosis, cl_qa_diagnosis_free);
  adw_action_row_set_subtitle (self->diagnosis_row, _ ("Put the card in the QA reader, then diagnose"));
  /* a reload re-selects the same card: its reprint's outcome stays on show */
  if (g_strcmp0 (item != NULL ? cl_reject_item_get_chip_id (item) : NULL, self->reprint_chip) != 0)
    {
      g_free (self->reprint_chip);
      self->reprint_chip = item != NULL ? g_strdup (cl_reject_item_get_chip_id (item)) : NULL;
      adw_action_row_set_subtitle (self->reprint_row,
                                   _ ("Print the face again from the card's records, without touching the chip"));
    }
  update_actions (self);
  if (item == NULL || self->store == NULL)
    {
      gtk_label_set_text (self->detail_title, _ ("Select a card"));
      gtk_label_set_text (self->detail_subtitle, "");
      while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->history_list))) != NULL)
        gtk_list_box_remove (self->history_list, child);
      self->history_length = 0;
      return;
    }
  row = cl_reject_item_get_row (item);
  {
    g_autofree char *title = g_strdup_printf ("%s", row->printed_serial ? row->printed_serial : row->chip_id);
    g_autofree char *subtitle = g_strdup_printf (
      _ ("Chip %s · %s · %s at %s · %u production attempts"), row->chip_id, cl_card_state_to_string (row->state),
      cl_reject_reason_describe (row->reason), cl_production_step_to_string (row->failed_step), row->attempts);

    gtk_label_set_text (self->detail_title, title);
    gtk_label_set_text (self->detail_subtitle, subtitle);
  }
  job = g_new0 (HistoryJob, 1);
  job->store = g_object_ref (self->store);
  job->chip_id = g_strdup (row->chip_id);
  job->generation = self->history_generation;
  task = g_task_new (self, self->cancellable, on_history_read, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify)history_job_free);
  busy_push (self);
  g_task_run_in_thread (task, history_in_thread);
}

/* ---- QA actions ---- */

static void
show_error (ClRejectsView *self, const char *what, const GError *error)
{
  g_autofree char *text = g_strdup_printf ("%s: %s", what, error->message);

  adw_action_row_set_subtitle (self->diagnosis_row, text);
}

static void
on_diagnosed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ClRejectsView *self = CL_REJECTS_VIEW (user_data);
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) text = g_string_new (NULL);
  ClQaDiagnosis *diagnosis = cl_qa_service_diagnose_finish (CL_QA_SERVICE (source), result, &error);

  if (!busy_pop (self))
    {
      cl_qa_diagnosis_free (diagnosis);
      g_object_unref (self);
      return;
    }
  if (diagnosis == NULL)
    {
      show_error (self, _ ("Diagnosis failed"), error);
      g_object_unref (self);
      return;
    }
  g_clear_pointer (&self->diagnosis, cl_qa_diagnosis_free);
  self->diagnosis = diagnosis;
  g_string_append (text, diagnosis->summary ? diagnosis->summary : "");
  for (guint i = 0; i < CL_PRODUCTION_STEP_COUNT; i++)
    if (diagnosis->checked[i])
      g_string_append_printf (text, "\n%s %s", diagnosis->holds[i] ? "✓" : "✗",
                              cl_production_step_to_string ((ClProductionStep)i));
  if (!diagnosis->measured)
    g_string_append (text, _ ("\n(from the records; the chip itself was not re-measured)"));
  adw_action_row_set_subtitle (self->diagnosis_row, text->str);
  update_actions (self);
  g_object_unref (self);
}

static void
diagnose_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ClRejectsView *self = CL_REJECTS_VIEW (widget);
  ClRejectItem *item = selected_item (self);

  if (item == NULL || self->qa_service == NULL || !cl_session_allows (self->session, CL_PERMISSION_QA_RETEST))
    return;
  adw_action_row_set_subtitle (self->diagnosis_row, _ ("Diagnosing…"));
  cl_session_audit (self->session, "qa-diagnose", cl_reject_item_get_chip_id (item), self->qa_reader);
  busy_push (self);
  cl_qa_service_diagnose_async (self->qa_service, self->qa_reader, cl_reject_item_get_chip_id (item),
                                cl_session_get_user (self->session), self->cancellable, on_diagnosed,
                                g_object_ref (self));
}

static void
on_resumed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ClRejectsView *self = CL_REJECTS_VIEW (user_data);
  g_autoptr (GError) error = NULL;

  gboolean ok = cl_qa_service_resume_finish (CL_QA_SERVICE (source), result, &error);

  if (!busy_pop (self))
    {
      g_object_unref (self);
      return;
    }
  if (!ok)
    show_error (self, _ ("Resume failed"), error);
  else
    adw_action_row_set_subtitle (self->diagnosis_row, _ ("Recovered: the card is good"));
  cl_rejects_view_reload (self);
  g_object_unref (self);
}

static void
resume_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ClRejectsView *self = CL_REJECTS_VIEW (widget);
  ClRejectItem *item = selected_item (self);

  if (item == NULL || self->qa_service == NULL || !cl_session_allows (self->session, CL_PERMISSION_QA_RETEST))
    return;
  cl_session_audit (self->session, "qa-resume", cl_reject_item_get_chip_id (item), self->qa_reader);
  busy_push (self);
  cl_qa_service_resume_async (self->qa_service, self->qa_reader, cl_reject_item_get_chip_id (item),
                              cl_session_get_user (self->session), self->cancellable, on_resumed, g_object_ref (self));
}

static void
on_scrapped (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ClRejectsView *self = CL_REJECTS_VIEW (user_data);
  g_autoptr (GError) error = NULL;

  gboolean ok = cl_qa_service_scrap_finish (CL_QA_SERVICE (source), result, &error);

  if (!busy_pop (self))
    {
      g_object_unref (self);
      return;
    }
  if (!ok)
    show_error (self, _ ("Scrap failed"), error);
  else
    {
      gtk_editable_set_text (GTK_EDITABLE (self->comment_row), "");
      adw_action_row_set_subtitle (self->diagnosis_row, _ ("Scrapped"));
    }
  cl_rejects_view_reload (self);
  g_object_unref (self);
}

static void
scrap_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ClRejectsView *self = CL_REJECTS_VIEW (widget);
  ClRejectItem *item = selected_item (self);
  g_autofree char *comment = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->comment_row))));

  if (item == NULL || self->qa_service == NULL || *comment == '\0'
      || !cl_session_allows (self->session, CL_PERMISSION_QA_RETEST))
    return;
  busy_push (self);
  /* The service records the scrap (audited by the store as SCRAP with the user and the comment). */
  cl_qa_service_scrap_async (self->qa_service, cl_reject_item_get_chip_id (item), comment,
                             cl_session_get_user (self->session), self->cancellable, on_scrapped, g_object_ref (self));
}

static void
on_face_reprinted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ClRejectsView *self = CL_REJECTS_VIEW (user_data);
  g_autoptr (GError) error = NULL;
  gboolean ok = cl_qa_service_reprint_face_finish (CL_QA_SERVICE (source), result, &error);

  if (busy_pop (self))
    {
      g_autofree char *text = ok ? g_strdup (_ ("Face sent to the card-face printer"))
                                 : g_strdup_printf (_ ("Reprint failed: %s"), error->message);

      /* the reprint is in the card's history now */
      if (ok)
        load_history (self);
      adw_action_row_set_subtitle (self->reprint_row, text);
    }
  g_object_unref (self);
}

static void
reprint_face_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ClRejectsView *self = CL_REJECTS_VIEW (widget);
  ClRejectItem *item = selected_item (self);

  if (!reprint_allowed (self, item))
    return;
  adw_action_row_set_subtitle (self->reprint_row, _ ("Printing the face…"));
  busy_push (self);
  /* The service audits it ("face-reprint", with serial, batch and row), as cardline-admin card reprint does. */
  cl_qa_service_reprint_face_async (self->qa_service, cl_reject_item_get_chip_id (item),
                                    cl_session_get_user (self->session), self->cancellable, on_face_reprinted,
                                    g_object_ref (self));
}

/* ---- setters ---- */

static void
on_session_changed (ClRejectsView *self)
{
  update_actions (self);
}

void
cl_rejects_view_set_session (ClRejectsView *self, ClSession *session)
{
  g_return_if_fail (CL_IS_REJECTS_VIEW (self));
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_func (self->session, on_session_changed, self);
  g_set_object (&self->session, session);
  if (session != NULL)
    g_signal_connect_object (session, "notify::signed-in", G_CALLBACK (on_session_changed), self, G_CONNECT_SWAPPED);
  update_actions (self);
}

void
cl_rejects_view_set_qa_service (ClRejectsView *self, ClQaService *service)
{
  g_return_if_fail (CL_IS_REJECTS_VIEW (self));
  g_set_object (&self->qa_service, service);
  update_actions (self);
}

void
cl_rejects_view_set_qa_reader (ClRejectsView *self, const char *reader)
{
  g_return_if_fail (CL_IS_REJECTS_VIEW (self));
  g_free (self->qa_reader);
  self->qa_reader = reader && *reader ? g_strdup (reader) : NULL;
  adw_action_row_set_subtitle (self->reader_row,
                               self->qa_reader ? self->qa_reader : _ ("Not chosen — set it in Setup"));
  update_actions (self);
}

GListModel *
cl_rejects_view_get_items (ClRejectsView *self)
{
  return G_LIST_MODEL (self->items);
}

GtkColumnView *
cl_rejects_view_get_column_view (ClRejectsView *self)
{
  return self->column_view;
}

void
cl_rejects_view_set_search (ClRejectsView *self, const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text);
  on_filter_changed (self);
}

void
cl_rejects_view_set_page_size (ClRejectsView *self, guint rows)
{
  g_return_if_fail (CL_IS_REJECTS_VIEW (self) && rows > 0 && rows <= PAGE_FIRST);
  self->page_first = rows;
  on_filter_changed (self);
}

gboolean
cl_rejects_view_select_chip (ClRejectsView *self, const char *chip_id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->items));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (ClRejectItem) item = g_list_model_get_item (G_LIST_MODEL (self->items), i);

      if (g_str_equal (cl_reject_item_get_chip_id (item), chip_id))
        {
          if (gtk_single_selection_get_selected (self->selection) == i)
            load_history (self);
          else
            gtk_single_selection_set_selected (self->selection, i);
          return TRUE;
        }
    }
  return FALSE;
}

guint
cl_rejects_view_get_history_length (ClRejectsView *self)
{
  return self->history_length;
}

gboolean
cl_rejects_view_get_busy (ClRejectsView *self)
{
  return self->pending > 0;
}

/* ---- columns ---- */

static void
setup_label (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (list_item, label);
}

static void
bind_label (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer user_data)
{
  const char *property = user_data;
  g_autofree char *text = NULL;

  g_object_get (gtk_list_item_get_item (list_item), property, &text, NULL);
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (list_item)), text);
}

/* The row, not a cell, takes the focus, and GTK 4.8 has no API to name it (gtk_list_item_set_accessible_label is
 * 4.12): unnamed, it is read out as "GtkListItemWidget". It is the parent of the cell holding this column's label. */
static void
bind_row_name (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer user_data)
{
  GtkWidget *cell = gtk_widget_get_parent (gtk_list_item_get_child (list_item));
  GtkWidget *row = cell != NULL ? gtk_widget_get_parent (cell) : NULL;
  g_autofree char *chip = NULL, *serial = NULL, *reason = NULL, *state = NULL, *name = NULL;

  if (row == NULL || gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (row)) != GTK_ACCESSIBLE_ROLE_ROW)
    return;
  g_object_get (gtk_list_item_get_item (list_item), "chip-id", &chip, "serial", &serial, "reason", &reason, "state",
                &state, NULL);
  /* The item shows "—" for a card without a printed serial; read out, that says nothing. */
  if (serial != NULL && *serial != '\0' && !g_str_equal (serial, "—"))
    name = g_strdup_printf (_ ("Card %s, serial %s: %s, %s"), chip, serial, reason, state);
  else
    name = g_strdup_printf (_ ("Card %s: %s, %s"), chip, reason, state);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
}

static void
add_column (ClRejectsView *self, const char *title, const char *property, gboolean expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *column;
  GtkSorter *sorter
    = GTK_SORTER (gtk_string_sorter_new (gtk_property_expression_new (CL_TYPE_REJECT_ITEM, NULL, property)));

  g_signal_connect (factory, "setup", G_CALLBACK (setup_label), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_label), (gpointer)property);
  if (g_str_equal (property, "chip-id"))
    g_signal_connect (factory, "bind", G_CALLBACK (bind_row_name), NULL);
  column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_resizable (column, TRUE);
  gtk_column_view_column_set_expand (column, expand);
  gtk_column_view_column_set_sorter (column, sorter);
  gtk_column_view_append_column (self->column_view, column);
  g_object_unref (sorter);
  g_object_unref (column);
}

static void
cl_rejects_view_dispose (GObject *object)
{
  ClRejectsView *self = CL_REJECTS_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->session);
  g_clear_object (&self->qa_service);
  g_clear_pointer (&self->qa_reader, g_free);
  g_clear_pointer (&self->reprint_chip, g_free);
  g_clear_pointer (&self->diagnosis, cl_qa_diagnosis_free);
  g_clear_pointer (&self->batch_ids, g_array_unref);
  g_clear_object (&self->items);
  g_clear_object (&self->selection);

  G_OBJECT_CLASS (cl_rejects_view_parent_class)->dispose (object);
}

static void
cl_rejects_view_class_init (ClRejectsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cl_rejects_view_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/cardline/Cardline/ui/cl-rejects-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ClRejectsView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ClRejectsView, batch_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ClRejectsView, reason_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ClRejectsView, period_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ClRejectsView, closed_check);
  gtk_widget_class_bind_template_child (widget_class, ClRejectsView, column_view);
  gtk_widget_class_bind_template_child (widget_class, ClRejectsView, more_bar);
  gtk_widget_class_bind_template_child (widget_class, ClRejectsView, more_label);
  gtk_widget_class_bind_template_child (widget_class, ClRejectsView, detail_title);
  gtk_widget_class_bind_template_child (widget_class, ClRejectsView, detail_subtitle);
  gtk_widget_class_bind_template_child (widget_class, ClRejectsView, reader_row);
  gtk_widget_class_bind_template_child (widget_class, ClRejectsView, diagnosis_row);
  gtk_widget_class_bind_template_child (widget_class, ClRejectsView, comment_row);
  gtk_widget_class_bind_template_child (widget_class, ClRejectsView, reprint_row);
  gtk_widget_class_bind_template_child (widget_class, ClRejectsView, history_list);
  gtk_widget_class_install_action (widget_class, "rejects.diagnose", NULL, diagnose_action);
  gtk_widget_class_install_action (widget_class, "rejects.resume", NULL, resume_action);
  gtk_widget_class_install_action (widget_class, "rejects.scrap", NULL, scrap_action);
  gtk_widget_class_install_action (widget_class, "rejects.reprint-face", NULL, reprint_face_action);
  gtk_widget_class_install_action (widget_class, "rejects.show-more", NULL, show_more_action);
}

static void
cl_rejects_view_init (ClRejectsView *self)
{
  g_autoptr (GtkStringList) reasons = gtk_string_list_new (NULL);
  GtkSortListModel *sorted;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->batch_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->items = g_list_store_new (CL_TYPE_REJECT_ITEM);
  self->page = self->page_first = PAGE_FIRST;

  add_column (self, _ ("Serial"), "serial", FALSE);
  add_column (self, _ ("Chip"), "chip-id", TRUE);
  add_column (self, _ ("Reason"), "reason", FALSE);
  add_column (self, _ ("Step"), "step", FALSE);
  add_column (self, _ ("SW"), "sw", FALSE);
  add_column (self, _ ("Batch"), "batch", FALSE);
  add_column (self, _ ("Rejected"), "rejected", FALSE);
  add_column (self, _ ("State"), "state", FALSE);
  /* Likewise the column titles' row (the column view's first child): it takes the focus, and has no name. */
  {
    GtkWidget *header = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));

    if (header != NULL && gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (header)) == GTK_ACCESSIBLE_ROLE_ROW)
      gtk_accessible_update_property (GTK_ACCESSIBLE (header), GTK_ACCESSIBLE_PROPERTY_LABEL, _ ("Column titles"), -1);
  }
  cl_ui_name_drop_down_button (self->batch_dropdown);
  cl_ui_name_drop_down_button (self->reason_dropdown);
  cl_ui_name_drop_down_button (self->period_dropdown);

  sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->items)),
                                    g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (sorted));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_swapped (self->selection, "notify::selected-item", G_CALLBACK (load_history), self);

  gtk_string_list_append (reasons, _ ("All reasons"));
  for (guint i = 0; i < CL_REJECT_REASON_COUNT; i++)
    gtk_string_list_append (reasons, cl_reject_reason_to_string ((ClRejectReason)i));
  gtk_drop_down_set_model (self->reason_dropdown, G_LIST_MODEL (reasons));

  g_signal_connect_swapped (self->search_entry, "search-changed", G_CALLBACK (on_filter_changed), self);
  g_signal_connect_swapped (self->batch_dropdown, "notify::selected", G_CALLBACK (on_filter_changed), self);
  g_signal_connect_swapped (self->reason_dropdown, "notify::selected", G_CALLBACK (on_filter_changed), self);
  g_signal_connect_swapped (self->period_dropdown, "notify::selected", G_CALLBACK (on_filter_changed), self);
  g_signal_connect_swapped (self->closed_check, "toggled", G_CALLBACK (on_filter_changed), self);
  g_signal_connect_swapped (self->comment_row, "changed", G_CALLBACK (update_actions), self);
  update_actions (self);
}

GtkWidget *
cl_rejects_view_new (void)
{
  return g_object_new (CL_TYPE_REJECTS_VIEW, NULL);
}
