#include "scp-test-util.h"

#include "core/cl-hex.h"
#include "crypto/cl-plain-key-set.h"

GBytes *
scp_hex (const char *text)
{
  g_autoptr (GError) error = NULL;
  GBytes *b = cl_hex_decode (text, &error);

  g_assert_no_error (error);
  return b;
}

GBytes *
scp_slice (GBytes *bytes, gsize off, gsize len)
{
  g_assert_cmpuint (off + len, <=, g_bytes_get_size (bytes));
  return g_bytes_new_from_bytes (bytes, off, len);
}

ClKeySet *
scp_key_set (ClTestVectors *v, const char *section, ClKeyType type, guint8 version)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) enc = cl_test_vectors_get_hex (v, section, "enc");
  g_autoptr (GBytes) mac = cl_test_vectors_get_hex (v, section, "mac");
  g_autoptr (GBytes) dek = cl_test_vectors_get_hex (v, section, "dek");
  ClKeySet *ks = cl_plain_key_set_new (type, version, g_bytes_get_data (enc, NULL), g_bytes_get_data (mac, NULL),
                                       g_bytes_get_data (dek, NULL), g_bytes_get_size (enc), &error);

  g_assert_no_error (error);
  return ks;
}

GHashTable *
scp_comment_values (const char *file)
{
  g_autofree char *rel = g_build_filename ("vectors", file, NULL);
  g_autofree char *path = cl_test_shared_path (rel);
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GRegex) pair = g_regex_new ("(\\w+) = ([0-9A-Fa-f]+)", 0, 0, NULL);
  g_autoptr (GRegex) eid = g_regex_new ("plain response data: ([0-9A-Fa-f]+)", 0, 0, NULL);
  g_auto (GStrv) lines = NULL;
  GHashTable *values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  if (!g_file_get_contents (path, &contents, NULL, &error))
    g_error ("Cannot read %s: %s", path, error->message);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_autoptr (GMatchInfo) m = NULL;

      if (lines[i][0] != '#')
        continue;
      g_regex_match (pair, lines[i], 0, &m);
      while (g_match_info_matches (m))
        {
          g_hash_table_replace (values, g_match_info_fetch (m, 1), g_match_info_fetch (m, 2));
          g_match_info_next (m, NULL);
        }
      g_clear_pointer (&m, g_match_info_free);
      if (g_regex_match (eid, lines[i], 0, &m))
        g_hash_table_replace (values, g_strdup ("get_eid_plain_response"), g_match_info_fetch (m, 1));
    }
  return values;
}

#define SCP_TYPE_LOOPBACK (scp_loopback_get_type ())
G_DECLARE_FINAL_TYPE (ScpLoopback, scp_loopback, SCP, LOOPBACK, GObject)
struct _ScpLoopback
{
  GObject parent_instance;
  ScpCardFunc func;
  gpointer user_data;
};
static void scp_loopback_iface_init (ClTransportInterface *iface);
G_DEFINE_FINAL_TYPE_WITH_CODE (ScpLoopback, scp_loopback, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CL_TYPE_TRANSPORT, scp_loopback_iface_init))

static GBytes *
loopback_transmit (ClTransport *transport, GBytes *command, GCancellable *cancellable, GError **error)
{
  ScpLoopback *self = SCP_LOOPBACK (transport);

  return self->func (command, self->user_data);
}

static void
scp_loopback_iface_init (ClTransportInterface *iface)
{
  iface->transmit = loopback_transmit;
}

static void
scp_loopback_class_init (ScpLoopbackClass *klass)
{
}

static void
scp_loopback_init (ScpLoopback *self)
{
}

ClTransport *
scp_loopback_transport_new (ScpCardFunc func, gpointer user_data)
{
  ScpLoopback *self = g_object_new (SCP_TYPE_LOOPBACK, NULL);

  self->func = func;
  self->user_data = user_data;
  return CL_TRANSPORT (self);
}
