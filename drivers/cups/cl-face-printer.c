#include "cl-face-printer.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "cl-cups-error.h"
#include "core/cl-wait.h"

/* How often a job's state is asked until it completes: soon at first (a card printer's queue often takes the face at
 * once, and every poll interval waited is the line's), then less often. IPP gives no completion event to wait on. */
#define POLL_FIRST_MS 5
#define POLL_MS       100

typedef struct
{
  http_t *http;
  char uri[1024];
  char resource[1024];
} Dest;

static void
dest_clear (Dest *dest)
{
  g_clear_pointer (&dest->http, httpClose);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Dest, dest_clear)

static gboolean
dest_open (Dest *dest, const char *destination, guint timeout_ms, GCancellable *cancellable, GError **error)
{
  char scheme[32], user[256], host[256];
  int port = 0, cancel = 0;

  if (strstr (destination, "://") != NULL)
    {
      if (httpSeparateURI (HTTP_URI_CODING_ALL, destination, scheme, sizeof scheme, user, sizeof user, host,
                           sizeof host, &port, dest->resource, sizeof dest->resource)
            < HTTP_URI_STATUS_OK
          || (strcmp (scheme, "ipp") != 0 && strcmp (scheme, "ipps") != 0))
        {
          g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_FAILED, "face printer \"%s\" is not an ipp:// URI",
                       destination);
          return FALSE;
        }
      g_strlcpy (dest->uri, destination, sizeof dest->uri);
    }
  else
    {
      g_strlcpy (host, cupsServer (), sizeof host);
      port = ippPort ();
      g_strlcpy (scheme, "ipp", sizeof scheme);
      g_snprintf (dest->resource, sizeof dest->resource, "/printers/%s", destination);
      httpAssembleURIf (HTTP_URI_CODING_ALL, dest->uri, sizeof dest->uri, "ipp", NULL, "localhost", 0, "/printers/%s",
                        destination);
    }
  if (g_cancellable_is_cancelled (cancellable))
    cancel = 1;
  dest->http = httpConnect2 (host, port, NULL, AF_UNSPEC,
                             strcmp (scheme, "ipps") == 0 ? HTTP_ENCRYPTION_ALWAYS : HTTP_ENCRYPTION_IF_REQUESTED, 1,
                             (int)timeout_ms, &cancel);
  if (dest->http == NULL)
    {
      cl_cups_set_last_error (error, "cannot reach face printer %s", destination);
      return FALSE;
    }
  return TRUE;
}

static ipp_t *
request (Dest *dest, ipp_op_t op, int job_id)
{
  ipp_t *req = ippNewRequest (op);

  ippAddString (req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, dest->uri);
  ippAddString (req, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, cupsUser ());
  if (job_id > 0)
    ippAddInteger (req, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", job_id);
  return req;
}

static char *
keywords (ipp_t *response, const char *name)
{
  ipp_attribute_t *attr = ippFindAttribute (response, name, IPP_TAG_KEYWORD);
  GString *out = g_string_new (NULL);

  for (int i = 0; attr != NULL && i < ippGetCount (attr); i++)
    g_string_append_printf (out, "%s%s", i ? ", " : "", ippGetString (attr, i, NULL));
  if (out->len == 0)
    g_string_append (out, "none");
  return g_string_free (out, FALSE);
}

/* A stopped printer takes the job and keeps it pending; say why up front instead. accepting: also refuse a
 * destination that takes no jobs (the doctor's check; a queue that rejects does so on its own at submission). */
static gboolean
check_printer_state (Dest *dest, const char *destination, gboolean accepting, char **state_out, GError **error)
{
  ipp_t *response = cupsDoRequest (dest->http, request (dest, IPP_OP_GET_PRINTER_ATTRIBUTES, 0), dest->resource);
  ipp_attribute_t *state, *accepts;
  g_autofree char *reasons = NULL;

  if (response == NULL || cupsLastError () > IPP_STATUS_OK_CONFLICTING)
    {
      ippDelete (response);
      cl_cups_set_last_error (error, "asking face printer %s for its state", destination);
      return FALSE;
    }
  state = ippFindAttribute (response, "printer-state", IPP_TAG_ENUM);
  reasons = keywords (response, "printer-state-reasons");
  if (state != NULL && ippGetInteger (state, 0) == IPP_PSTATE_STOPPED)
    {
      g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_DEVICE_FAULT,
                   "face printer %s is stopped (printer-state-reasons: %s)", destination, reasons);
      ippDelete (response);
      return FALSE;
    }
  accepts = ippFindAttribute (response, "printer-is-accepting-jobs", IPP_TAG_BOOLEAN);
  if (accepting && accepts != NULL && !ippGetBoolean (accepts, 0))
    {
      g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_DEVICE_FAULT,
                   "face printer %s is not accepting jobs (printer-state-reasons: %s; cupsaccept enables a queue)",
                   destination, reasons);
      ippDelete (response);
      return FALSE;
    }
  if (state_out != NULL)
    *state_out = g_strdup_printf (
      "%s, printer-state-reasons %s",
      state != NULL && ippGetInteger (state, 0) == IPP_PSTATE_PROCESSING ? "processing" : "idle", reasons);
  ippDelete (response);
  return TRUE;
}

static gboolean
check_printer (Dest *dest, const char *destination, GError **error)
{
  return check_printer_state (dest, destination, FALSE, NULL, error);
}

gboolean
cl_face_printer_check (const char *destination, guint timeout_ms, char **state, GError **error)
{
  g_auto (Dest) dest = { 0 };

  return dest_open (&dest, destination, timeout_ms, NULL, error)
         && check_printer_state (&dest, destination, TRUE, state, error);
}

static void
cancel_job (Dest *dest, int job_id)
{
  ippDelete (cupsDoRequest (dest->http, request (dest, IPP_OP_CANCEL_JOB, job_id), dest->resource));
}

gboolean
cl_face_print (const char *destination, GBytes *document, const char *mime_type, const char *job_name, guint timeout_ms,
               GCancellable *cancellable, int *job_id_out, GError **error)
{
  g_auto (Dest) dest = { 0 };
  ipp_t *req, *response;
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * G_TIME_SPAN_MILLISECOND;
  gsize len;
  const char *data = g_bytes_get_data (document, &len);
  int job_id;
  guint delay_ms;

  g_return_val_if_fail (destination != NULL && document != NULL && mime_type != NULL, FALSE);

  if (!dest_open (&dest, destination, timeout_ms, cancellable, error) || !check_printer (&dest, destination, error))
    return FALSE;

  req = request (&dest, IPP_OP_PRINT_JOB, 0);
  ippAddString (req, IPP_TAG_OPERATION, IPP_TAG_NAME, "job-name", NULL, job_name ? job_name : "card face");
  ippAddString (req, IPP_TAG_OPERATION, IPP_TAG_MIMETYPE, "document-format", NULL, mime_type);
  /* cupsDoFileRequest reads the whole reply, which leaves the connection clean for the job queries. */
  {
    g_autoptr (GError) local = NULL;
    g_autofree char *path = NULL;
    int fd = g_file_open_tmp ("cardline-face-XXXXXX", &path, &local);

    if (fd < 0 || !g_file_set_contents (path, data, len, &local))
      {
        if (fd >= 0)
          close (fd);
        ippDelete (req);
        g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_FAILED, "spooling the card face: %s", local->message);
        return FALSE;
      }
    close (fd);
    response = cupsDoFileRequest (dest.http, req, dest.resource, path);
    g_unlink (path);
  }
  if (response == NULL || cupsLastError () > IPP_STATUS_OK_CONFLICTING)
    {
      ippDelete (response);
      cl_cups_set_last_error (error, "Print-Job to %s", destination);
      return FALSE;
    }
  job_id = ippGetInteger (ippFindAttribute (response, "job-id", IPP_TAG_INTEGER), 0);
  ippDelete (response);
  if (job_id_out != NULL)
    *job_id_out = job_id;
  delay_ms = POLL_FIRST_MS;

  for (;;)
    {
      ipp_attribute_t *state;
      ipp_jstate_t jstate;
      g_autofree char *reasons = NULL;

      response = cupsDoRequest (dest.http, request (&dest, IPP_OP_GET_JOB_ATTRIBUTES, job_id), dest.resource);
      if (response == NULL || cupsLastError () > IPP_STATUS_OK_CONFLICTING)
        {
          ippDelete (response);
          cl_cups_set_last_error (error, "asking %s about job %d", destination, job_id);
          return FALSE;
        }
      state = ippFindAttribute (response, "job-state", IPP_TAG_ENUM);
      jstate = state ? (ipp_jstate_t)ippGetInteger (state, 0) : IPP_JSTATE_PENDING;
      reasons = keywords (response, "job-state-reasons");
      ippDelete (response);
      if (jstate == IPP_JSTATE_COMPLETED)
        return TRUE;
      if (jstate == IPP_JSTATE_ABORTED || jstate == IPP_JSTATE_CANCELED)
        {
          g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_DEVICE_FAULT, "job %d on %s %s (job-state-reasons: %s)",
                       job_id, destination, jstate == IPP_JSTATE_ABORTED ? "aborted" : "canceled", reasons);
          return FALSE;
        }
      if (g_cancellable_is_cancelled (cancellable))
        {
          cancel_job (&dest, job_id);
          g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_CANCELLED, "job %d on %s cancelled", job_id,
                       destination);
          return FALSE;
        }
      if (g_get_monotonic_time () >= deadline)
        {
          cancel_job (&dest, job_id);
          g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_TIMEOUT,
                       "job %d on %s did not complete within %u ms (job-state-reasons: %s)", job_id, destination,
                       timeout_ms, reasons);
          return FALSE;
        }
      cl_wait_unless_cancelled (cancellable, (gint64)delay_ms * G_TIME_SPAN_MILLISECOND);
      delay_ms = MIN (delay_ms * 2, POLL_MS);
    }
}
