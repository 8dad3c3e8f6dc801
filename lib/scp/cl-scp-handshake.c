#include "scp/cl-scp-handshake.h"

#include "core/cl-error.h"
#include "crypto/cl-crypto.h"
#include "scp/cl-scp-level.h"

ClApdu *
cl_scp_initialize_update_apdu (guint8 kvn, const guint8 host_challenge[8])
{
  return cl_apdu_new (0x80, 0x50, kvn, 0x00, host_challenge, 8, 256);
}

GBytes *
cl_scp_initialize_update (ClCardChannel *channel, guint8 kvn, const guint8 host_challenge[8], GCancellable *cancellable,
                          GError **error)
{
  g_autoptr (ClApdu) init = NULL;

  g_return_val_if_fail (CL_IS_CARD_CHANNEL (channel), NULL);
  /* INITIALIZE UPDATE goes in plain even when an older session is still installed on the channel. */
  cl_card_channel_set_secure_channel (channel, NULL);
  init = cl_scp_initialize_update_apdu (kvn, host_challenge);
  return cl_card_channel_transmit_ok (channel, init, "INITIALIZE UPDATE", cancellable, error);
}

gboolean
cl_scp_handshake_finish (ClCardChannel *channel, ClSecureChannel *scp, GBytes *response,
                         ClScpProcessInitializeUpdate process, ClScpExternalAuthenticate authenticate,
                         GCancellable *cancellable, GError **error)
{
  g_autoptr (ClApdu) auth = NULL;
  g_autoptr (GBytes) ignored = NULL;

  if (!process (scp, g_bytes_get_data (response, NULL), g_bytes_get_size (response), error))
    return FALSE;
  auth = authenticate (scp, error);
  if (auth == NULL)
    return FALSE;
  ignored = cl_card_channel_transmit_ok (channel, auth, "EXTERNAL AUTHENTICATE", cancellable, error);
  if (ignored == NULL)
    return FALSE;
  cl_card_channel_set_secure_channel (channel, scp);
  return TRUE;
}

gboolean
cl_scp_handshake (ClCardChannel *channel, ClSecureChannel *scp, guint8 kvn, const guint8 host_challenge[8],
                  ClScpProcessInitializeUpdate process, ClScpExternalAuthenticate authenticate,
                  GCancellable *cancellable, GError **error)
{
  g_autoptr (GBytes) response = cl_scp_initialize_update (channel, kvn, host_challenge, cancellable, error);

  return response != NULL
         && cl_scp_handshake_finish (channel, scp, response, process, authenticate, cancellable, error);
}

ClSecureChannel *
cl_scp_open_diversified (ClCardChannel *channel, guint8 kvn, guint8 level, ClScpKeysForKdd keys_for_kdd,
                         gpointer user_data, ClScpNewChannel new_channel, ClScpProcessInitializeUpdate process,
                         ClScpExternalAuthenticate authenticate, GCancellable *cancellable, GError **error)
{
  g_autoptr (GBytes) response = NULL;
  g_autoptr (ClKeySet) keys = NULL;
  g_autoptr (ClSecureChannel) scp = NULL;
  guint8 host_challenge[8];

  g_return_val_if_fail (CL_IS_CARD_CHANNEL (channel), NULL);
  if (!cl_random_bytes (host_challenge, sizeof host_challenge, error))
    return NULL;
  response = cl_scp_initialize_update (channel, kvn, host_challenge, cancellable, error);
  if (response == NULL)
    return NULL;
  /* both protocols' answers begin with the 10-byte KDD */
  if (g_bytes_get_size (response) < 10)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "INITIALIZE UPDATE response has %" G_GSIZE_FORMAT " bytes, too short for a KDD",
                   g_bytes_get_size (response));
      return NULL;
    }
  keys = keys_for_kdd (g_bytes_get_data (response, NULL), user_data, error);
  if (keys == NULL || (scp = new_channel (keys, level, host_challenge, error)) == NULL
      || !cl_scp_handshake_finish (channel, scp, response, process, authenticate, cancellable, error))
    return NULL;
  return g_steal_pointer (&scp);
}

const guint8 *
cl_scp_card_check_initialize_update (const ClApdu *command, guint8 key_version, GError **error)
{
  gsize len = 0;
  const guint8 *host_challenge = command->data ? g_bytes_get_data (command->data, &len) : NULL;

  if ((command->cla & ~0x03) != 0x80 || command->ins != 0x50 || len != 8)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "INITIALIZE UPDATE must be 80 50 with an 8-byte host challenge (got %02X %02X with %" G_GSIZE_FORMAT
                   " bytes)",
                   command->cla, command->ins, len);
      return NULL;
    }
  if (command->p1 != 0 && command->p1 != key_version)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "No key set with version %02X (card has %02X)", command->p1,
                   key_version);
      return NULL;
    }
  return host_challenge;
}

gboolean
cl_scp_card_check_external_authenticate (const ClApdu *command, gboolean allow_response_protection, GError **error)
{
  if (command->ins != 0x82 || cl_apdu_get_lc (command) != 16
      || !cl_scp_level_is_valid (command->p1, allow_response_protection))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "EXTERNAL AUTHENTICATE must be 84 82 with a valid security level and 16 bytes (got %02X %02X P1 "
                   "%02X, %" G_GSIZE_FORMAT " bytes)",
                   command->cla, command->ins, command->p1, cl_apdu_get_lc (command));
      return FALSE;
    }
  return TRUE;
}
