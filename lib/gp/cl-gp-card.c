/* cl-gp-card.c: card manager helpers over a ClCardChannel. */
#include "gp/cl-gp-card.h"

#include "core/cl-error.h"
#include "gp/cl-gp-aid.h"
#include "gp/cl-gp-manage.h"

#define SW_OK             0x9000
#define SW_MORE_DATA      0x6310
#define SW_FILE_NOT_FOUND 0x6A82
#define SW_REF_NOT_FOUND  0x6A88
/* 256 pages of registry entries is far beyond any card; a card that keeps answering 6310 is broken. */
#define MAX_STATUS_PAGES 256

gsize
cl_gp_max_block (ClCardChannel *channel)
{
  ClSecureChannel *sc = cl_card_channel_get_secure_channel (channel);
  gsize max = sc != NULL ? cl_secure_channel_max_plain_data (sc) : 255;

  return MIN (max, 255);
}

gsize
cl_gp_load_block (ClCardChannel *channel, gsize max_command)
{
  ClSecureChannel *sc = cl_card_channel_get_secure_channel (channel);
  gsize wire;

  if (max_command <= CL_GP_MAX_SHORT_COMMAND
      || !cl_transport_supports_extended (cl_card_channel_get_transport (channel)))
    return cl_gp_max_block (channel);
  /* CLA INS P1 P2, Lc 00 xx xx, data, Le xx xx */
  wire = MIN (max_command - 9, 65535);
  return sc != NULL ? cl_secure_channel_max_plain_data_within (sc, wire) : wire;
}

gboolean
cl_gp_send (ClCardChannel *channel, const ClApdu *apdu, const char *what, GCancellable *cancellable, GError **error)
{
  g_autoptr (GBytes) data = cl_card_channel_transmit_ok (channel, apdu, what, cancellable, error);

  return data != NULL;
}

static ClResponse *
transmit_sw (ClCardChannel *channel, const ClApdu *apdu, GCancellable *cancellable, GError **error)
{
  return cl_card_channel_transmit (channel, apdu, cancellable, error);
}

gboolean
cl_gp_select (ClCardChannel *channel, const guint8 *aid, gsize aid_len, ClGpFci *fci, GCancellable *cancellable,
              GError **error)
{
  g_autoptr (ClApdu) apdu = cl_gp_select_apdu (aid, aid_len, error);
  g_autoptr (GBytes) data = NULL;
  ClGpFci local;
  gsize len;
  const guint8 *d;

  if (apdu == NULL)
    return FALSE;
  cl_card_channel_set_secure_channel (channel, NULL);
  data = cl_card_channel_transmit_ok (channel, apdu, "SELECT", cancellable, error);
  if (data == NULL)
    return FALSE;
  d = g_bytes_get_data (data, &len);
  return cl_gp_fci_parse (d, len, fci != NULL ? fci : &local, error);
}

gboolean
cl_gp_select_isd (ClCardChannel *channel, ClGpFci *fci, GCancellable *cancellable, GError **error)
{
  for (guint i = 0; cl_gp_isd_aids[i] != NULL; i++)
    {
      g_autoptr (GError) local_error = NULL;
      const guint8 *entry = cl_gp_isd_aids[i];

      if (cl_gp_select (channel, entry + 1, entry[0], fci, cancellable, &local_error))
        return TRUE;
      if (cl_error_get_sw (local_error) != SW_FILE_NOT_FOUND || cl_gp_isd_aids[i + 1] == NULL)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "issuer security domain: ");
          return FALSE;
        }
    }
  g_assert_not_reached ();
}

static GBytes *
get_data (ClCardChannel *channel, guint16 tag, const char *what, GCancellable *cancellable, GError **error)
{
  g_autoptr (ClApdu) apdu = cl_gp_get_data_apdu (tag);

  return cl_card_channel_transmit_ok (channel, apdu, what, cancellable, error);
}

gboolean
cl_gp_get_cplc (ClCardChannel *channel, ClCplc *cplc, GCancellable *cancellable, GError **error)
{
  g_autoptr (GBytes) data = get_data (channel, CL_GP_TAG_CPLC, "GET DATA CPLC", cancellable, error);
  gsize len;
  const guint8 *d;

  if (data == NULL)
    return FALSE;
  d = g_bytes_get_data (data, &len);
  return cl_cplc_parse (d, len, cplc, error);
}

gboolean
cl_gp_get_kdd (ClCardChannel *channel, guint8 kdd[CL_GP_KDD_LEN], GCancellable *cancellable, GError **error)
{
  g_autoptr (GBytes) data = get_data (channel, CL_GP_TAG_KDD, "GET DATA key diversification data", cancellable, error);
  gsize len;
  const guint8 *d;

  if (data == NULL)
    return FALSE;
  d = g_bytes_get_data (data, &len);
  return cl_gp_kdd_parse (d, len, kdd, error);
}

GArray *
cl_gp_get_key_info (ClCardChannel *channel, GCancellable *cancellable, GError **error)
{
  g_autoptr (GBytes) data = get_data (channel, CL_GP_TAG_KEY_INFO, "GET DATA key information", cancellable, error);
  gsize len;
  const guint8 *d;

  if (data == NULL)
    return NULL;
  d = g_bytes_get_data (data, &len);
  return cl_gp_key_info_parse (d, len, error);
}

GPtrArray *
cl_gp_get_status (ClCardChannel *channel, ClGpStatusKind kind, GCancellable *cancellable, GError **error)
{
  g_autoptr (GPtrArray) entries = cl_gp_registry_entries_new ();
  gboolean next = FALSE;

  for (guint page = 0; page < MAX_STATUS_PAGES; page++)
    {
      g_autoptr (ClApdu) apdu = cl_gp_get_status_apdu (kind, next);
      g_autoptr (ClResponse) response = transmit_sw (channel, apdu, cancellable, error);
      gsize len;
      const guint8 *d;

      if (response == NULL)
        return NULL;
      if (response->sw == SW_REF_NOT_FOUND && page == 0)
        return g_steal_pointer (&entries);
      if (response->sw != SW_OK && response->sw != SW_MORE_DATA)
        {
          g_autofree char *what
            = g_strdup_printf ("GET STATUS (%s, page %u)", cl_gp_status_kind_to_string (kind), page);
          cl_set_sw_error (error, response->sw, what);
          return NULL;
        }
      d = g_bytes_get_data (response->data, &len);
      if (!cl_gp_status_parse (kind, d, len, entries, error))
        {
          g_prefix_error (error, "page %u: ", page);
          return NULL;
        }
      if (response->sw == SW_OK)
        return g_steal_pointer (&entries);
      if (len == 0)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                       "GET STATUS (%s): the card announced more data (6310) with an empty page %u",
                       cl_gp_status_kind_to_string (kind), page);
          return NULL;
        }
      next = TRUE;
    }
  g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "GET STATUS (%s): the card still had more data after %d pages",
               cl_gp_status_kind_to_string (kind), MAX_STATUS_PAGES);
  return NULL;
}

gboolean
cl_gp_put_key (ClCardChannel *channel, ClKeySet *new_keys, guint8 old_kvn, const ClGpKeyWrap *wrap,
               GCancellable *cancellable, GError **error)
{
  ClGpKeyCheck expected;
  g_autoptr (ClApdu) apdu = cl_gp_put_key_apdu (new_keys, old_kvn, wrap, &expected, error);
  g_autoptr (GBytes) data = NULL;
  gsize len;
  const guint8 *d;

  if (apdu == NULL)
    return FALSE;
  data = cl_card_channel_transmit_ok (channel, apdu, "PUT KEY", cancellable, error);
  if (data == NULL)
    return FALSE;
  d = g_bytes_get_data (data, &len);
  return cl_gp_put_key_check_response (d, len, &expected, error);
}

gboolean
cl_gp_load (ClCardChannel *channel, GBytes *lfdb, GCancellable *cancellable, GError **error)
{
  return cl_gp_load_in_blocks (channel, lfdb, cl_gp_max_block (channel), cancellable, error);
}

gboolean
cl_gp_load_in_blocks (ClCardChannel *channel, GBytes *lfdb, gsize block, GCancellable *cancellable, GError **error)
{
  g_autoptr (GPtrArray) apdus = cl_gp_load_apdus (lfdb, block, error);
  g_autoptr (GPtrArray) responses = NULL;

  if (apdus == NULL)
    return FALSE;
  /* no block's answer decides the next block: they go together where the transport's round trips are dear */
  responses = cl_card_channel_transmit_batch (channel, apdus, cancellable, error);
  if (responses == NULL)
    return FALSE;
  for (guint i = 0; i < responses->len; i++)
    {
      const ClResponse *response = g_ptr_array_index (responses, i);

      if (response->sw != 0x9000)
        {
          g_autofree char *what = g_strdup_printf ("LOAD block %u of %u", i, apdus->len);

          cl_set_sw_error (error, response->sw, what);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
cl_gp_delete (ClCardChannel *channel, const guint8 *aid, gsize aid_len, gboolean related, GCancellable *cancellable,
              GError **error)
{
  g_autoptr (ClApdu) apdu = cl_gp_delete_apdu (aid, aid_len, related, error);
  g_autoptr (ClResponse) response = NULL;

  if (apdu == NULL)
    return FALSE;
  response = transmit_sw (channel, apdu, cancellable, error);
  if (response == NULL)
    return FALSE;
  if (response->sw == SW_REF_NOT_FOUND)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "DELETE: the card has no object with that AID (6A88)");
      return FALSE;
    }
  if (response->sw != SW_OK)
    {
      cl_set_sw_error (error, response->sw, "DELETE");
      return FALSE;
    }
  return TRUE;
}
