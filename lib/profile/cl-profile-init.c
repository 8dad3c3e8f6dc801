/* cl-profile-init.c: a profile's [initialize] group: how the card leaves the line, and its PIN and SO-PIN. */
#include "profile/cl-profile-private.h"

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "core/cl-secure-buffer.h"

#include <string.h>

const char *const cl_profile_group_init[]
  = { "initialize",     "ship",   "options",       "pin-source",  "pin-length",       "pin",
      "so-pin-source",  "so-pin", "retry-counter", "dkek-shares", "dkek-share-files", "dkek-password-files",
      "pin-export-key", NULL };
static const char *const secret_sources[] = { "random", "fixed", NULL };
static const char *const ship_states[] = { "uninitialised", "initialised", NULL };

static gboolean
load_pin (ClProfile *self, ClProfileLoader *l, GError **error)
{
  g_autofree char *pin = NULL;
  gsize len;

  if (g_key_file_has_key (l->r.kf, "initialize", "pin", NULL) != (self->init.pin_source == CL_SECRET_FIXED))
    {
      cl_profile_reader_error (&l->r, error, "initialize", "pin",
                               self->init.pin_source == CL_SECRET_FIXED ? "missing (pin-source is fixed)"
                                                                        : "not allowed with pin-source random");
      return FALSE;
    }
  if (self->init.pin_source == CL_SECRET_RANDOM)
    return TRUE;
  if (!self->demo)
    {
      cl_profile_reader_error (&l->r, error, "initialize", "pin-source",
                               "expected random: a fixed PIN is allowed only in a demo profile ([profile] demo=true)");
      return FALSE;
    }
  if (!(pin = cl_profile_reader_string (&l->r, "initialize", "pin", TRUE, error)))
    return FALSE;
  len = strlen (pin);
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isgraph (pin[i]))
      len = 0;
  if (len != self->init.pin_length)
    {
      cl_wipe (pin, strlen (pin));
      cl_profile_reader_error (&l->r, error, "initialize", "pin",
                               "expected %u printable ASCII characters (pin-length; value not shown)",
                               self->init.pin_length);
      return FALSE;
    }
  self->fixed_pin = cl_secure_bytes_new_copy (pin, len);
  cl_wipe (pin, len);
  return TRUE;
}

static gboolean
load_so_pin (ClProfile *self, ClProfileLoader *l, GError **error)
{
  g_autoptr (GBytes) so_pin = NULL;

  if (g_key_file_has_key (l->r.kf, "initialize", "so-pin", NULL) != (self->init.so_pin_source == CL_SECRET_FIXED))
    {
      cl_profile_reader_error (&l->r, error, "initialize", "so-pin",
                               self->init.so_pin_source == CL_SECRET_FIXED ? "missing (so-pin-source is fixed)"
                                                                           : "not allowed with so-pin-source random");
      return FALSE;
    }
  if (self->init.so_pin_source == CL_SECRET_RANDOM)
    return TRUE;
  if (!self->demo)
    {
      cl_profile_reader_error (
        &l->r, error, "initialize", "so-pin-source",
        "expected random: a fixed SO-PIN is allowed only in a demo profile ([profile] demo=true)");
      return FALSE;
    }
  if (!(so_pin = cl_profile_reader_hex (&l->r, "initialize", "so-pin", 8, 8, TRUE, NULL, TRUE, error)))
    return FALSE;
  self->fixed_so_pin = cl_secure_bytes_new_copy (g_bytes_get_data (so_pin, NULL), 8);
  /* cl_hex_decode's buffer is not ours to keep; wiping the copy we hand out is what we control. */
  return TRUE;
}

gboolean
cl_profile_load_init (ClProfile *self, ClProfileLoader *l, GError **error)
{
  ClProfileInit *in = &self->init;
  g_autoptr (GBytes) options = NULL;
  guint pin_source, so_source, retries, shares, ship;
  const guint8 *o;

  in->dkek_shares = -1;
  if (!cl_profile_reader_choice (&l->r, "initialize", "ship", ship_states, -1, &ship, error))
    return FALSE;
  in->ship = (ClShipState)ship;
  if (in->ship == CL_SHIP_UNINITIALISED)
    {
      /* nothing of an initialisation may be configured for a card the customer initialises */
      for (guint i = 2; cl_profile_group_init[i] != NULL; i++)
        if (g_key_file_has_key (l->r.kf, "initialize", cl_profile_group_init[i], NULL))
          {
            cl_profile_reader_error (&l->r, error, "initialize", cl_profile_group_init[i],
                                     "not allowed with ship=uninitialised (the customer initialises the card)");
            return FALSE;
          }
      return TRUE;
    }
  if (!(options = cl_profile_reader_hex (&l->r, "initialize", "options", 2, 2, FALSE, "0001", FALSE, error)))
    return FALSE;
  o = g_bytes_get_data (options, NULL);
  in->options = (guint16)(o[0] << 8 | o[1]);
  if (!cl_profile_reader_choice (&l->r, "initialize", "pin-source", secret_sources, -1, &pin_source, error)
      || !cl_profile_reader_uint (&l->r, "initialize", "pin-length", 6, 16, -1, &in->pin_length, error)
      || !cl_profile_reader_choice (&l->r, "initialize", "so-pin-source", secret_sources, -1, &so_source, error)
      || !cl_profile_reader_uint (&l->r, "initialize", "retry-counter", 1, 10, 3, &retries, error))
    return FALSE;
  in->pin_source = (ClSecretSource)pin_source;
  in->so_pin_source = (ClSecretSource)so_source;
  in->retry_counter = (guint8)retries;
  in->dkek_shares = -1;
  if (g_key_file_has_key (l->r.kf, "initialize", "dkek-shares", NULL))
    {
      if (!cl_profile_reader_uint (&l->r, "initialize", "dkek-shares", 0, 16, -1, &shares, error))
        return FALSE;
      in->dkek_shares = (gint)shares;
    }
  return load_pin (self, l, error) && load_so_pin (self, l, error);
}
