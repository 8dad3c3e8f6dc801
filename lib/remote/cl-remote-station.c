/* cl-remote-station.c: a station producing remotely, set up (cl-remote-station.h). */
#include "remote/cl-remote-station.h"

#include "core/cl-error.h"

struct _ClRemoteStation
{
  GObject parent_instance;

  ClCvc *srca;
  ClRamRelay *relay;
  char *service;
};

G_DEFINE_FINAL_TYPE (ClRemoteStation, cl_remote_station, G_TYPE_OBJECT)

static void
cl_remote_station_finalize (GObject *object)
{
  ClRemoteStation *self = CL_REMOTE_STATION (object);

  g_clear_object (&self->srca);
  g_clear_object (&self->relay);
  g_free (self->service);
  G_OBJECT_CLASS (cl_remote_station_parent_class)->finalize (object);
}

static void
cl_remote_station_class_init (ClRemoteStationClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_remote_station_finalize;
}

static void
cl_remote_station_init (ClRemoteStation *self)
{
}

static ClCvc *
load_srca (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  g_autoptr (GBytes) bytes = NULL;
  gsize len;
  ClCvc *srca;

  if (!g_file_get_contents (path, &data, &len, error))
    return NULL;
  bytes = g_bytes_new_take (g_steal_pointer (&data), len);
  srca = cl_cvc_new_from_bytes (bytes, error);
  if (srca == NULL)
    g_prefix_error (error, "SRCA certificate %s: ", path);
  return srca;
}

static char *
service_of (const char *url)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  return uri != NULL ? g_uri_join (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), NULL, g_uri_get_host (uri),
                                   g_uri_get_port (uri), "", NULL, NULL)
                     : g_strdup ("(unparsable)");
}

ClRemoteStation *
cl_remote_station_new (const char *url, const char *srca_path, const char *ca_file, GError **error)
{
  g_autoptr (ClRemoteStation) self = g_object_new (CL_TYPE_REMOTE_STATION, NULL);
  const char *budget = g_getenv ("CARDLINE_REMOTE_POST_SECONDS");

  if (url == NULL || srca_path == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "remote production needs the production URL and the SRCA certificate (--srca FILE)");
      return NULL;
    }
  if (!(self->srca = load_srca (srca_path, error)) || !(self->relay = cl_ram_relay_new (url, ca_file, error)))
    return NULL;
  /* the dialect's budget is 40 s; tests of a slow network shorten it rather than wait that long */
  if (budget != NULL)
    cl_ram_relay_set_post_seconds (self->relay, (guint)g_ascii_strtoull (budget, NULL, 10));
  self->service = service_of (url);
  return g_steal_pointer (&self);
}

ClCvc *
cl_remote_station_get_srca (ClRemoteStation *self)
{
  g_return_val_if_fail (CL_IS_REMOTE_STATION (self), NULL);
  return self->srca;
}

ClRamRelay *
cl_remote_station_get_relay (ClRemoteStation *self)
{
  g_return_val_if_fail (CL_IS_REMOTE_STATION (self), NULL);
  return self->relay;
}

const char *
cl_remote_station_get_service (ClRemoteStation *self)
{
  g_return_val_if_fail (CL_IS_REMOTE_STATION (self), NULL);
  return self->service;
}

ClRemoteRun *
cl_remote_station_new_run (ClRemoteStation *self, ClFeeder *feeder, ClFacePrinter *face, const char *batch_name,
                           guint quantity)
{
  ClRemoteRun *run;

  g_return_val_if_fail (CL_IS_REMOTE_STATION (self), NULL);
  run = cl_remote_run_new (feeder, self->relay, self->srca, NULL, batch_name, quantity);
  if (face != NULL)
    cl_remote_run_set_face_printer (run, face);
  return run;
}
