#include "cl-card-pins.h"

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "core/cl-secure-buffer.h"
#include "p11/cl-p11-error.h"

#include <string.h>

#define SO_PIN_LEN 8

static gboolean
random_bytes (ClP11Session *session, guint8 *out, gsize len, GError **error)
{
  CK_RV rv = session->f->C_GenerateRandom (session->handle, out, (CK_ULONG)len);

  if (rv != CKR_OK)
    return cl_p11_set_error (error, rv, "C_GenerateRandom for a card PIN");
  return TRUE;
}

/* Uniform decimal digits: bytes of 250 and above are drawn again, so no digit is more likely than another. */
static GBytes *
random_digits (ClP11Session *session, guint n, GError **error)
{
  guint8 *digits;
  g_autoptr (GBytes) bytes = cl_secure_bytes_new (n, &digits);
  guint8 pool[32];
  guint have = 0;

  while (have < n)
    {
      if (!random_bytes (session, pool, sizeof pool, error))
        {
          cl_wipe (pool, sizeof pool);
          return NULL;
        }
      for (guint i = 0; i < sizeof pool && have < n; i++)
        if (pool[i] < 250)
          digits[have++] = (guint8)('0' + pool[i] % 10);
    }
  cl_wipe (pool, sizeof pool);
  return g_steal_pointer (&bytes);
}

ClCardPins *
cl_card_pins_new (ClProfile *profile, ClP11Token *token, GError **error)
{
  const ClProfileInit *init = cl_profile_get_init (profile);
  g_autoptr (ClCardPins) pins = g_new0 (ClCardPins, 1);
  g_autoptr (ClP11Session) session = NULL;

  if (init->pin_source == CL_SECRET_RANDOM || init->so_pin_source == CL_SECRET_RANDOM)
    {
      session = cl_p11_token_acquire_session (token, error);
      if (session == NULL)
        return NULL;
    }
  if (init->pin_source == CL_SECRET_FIXED)
    pins->pin = g_bytes_ref (cl_profile_get_fixed_pin (profile));
  else if (!(pins->pin = random_digits (session, init->pin_length, error)))
    return NULL;
  if (init->so_pin_source == CL_SECRET_FIXED)
    pins->so_pin = g_bytes_ref (cl_profile_get_fixed_so_pin (profile));
  else
    {
      guint8 *so_pin;

      pins->so_pin = cl_secure_bytes_new (SO_PIN_LEN, &so_pin);
      if (!random_bytes (session, so_pin, SO_PIN_LEN, error))
        return NULL;
    }
  return g_steal_pointer (&pins);
}

void
cl_card_pins_free (ClCardPins *pins)
{
  if (pins == NULL)
    return;
  g_clear_pointer (&pins->pin, g_bytes_unref);
  g_clear_pointer (&pins->so_pin, g_bytes_unref);
  g_free (pins);
}
