/* cardline-testcard: a minimal card on a vpcd slot, for the PC/SC integration tests and the demo.
 *
 *   cardline-testcard --port P [--host H] [--atr HEX] [--seconds N]
 *
 * Answers its ATR, SELECT by AID (9000 for CL_TESTCARD_AID, 6A82 otherwise), GET CHALLENGE (Le random bytes)
 * and 6D00 to everything else. Inserted while connected: it exits (the card is pulled) when vpcd closes the
 * connection, after --seconds, or on SIGTERM/SIGINT. */
#include "cl-testcard.h"
#include "cl-vpcd-link.h"
#include "core/cl-hex.h"

#include <string.h>

typedef struct
{
  GBytes *atr;
  GBytes *aid;
  guint64 apdus;
} TestCard;

static GBytes *
status_word (guint16 sw)
{
  const guint8 data[] = { sw >> 8, sw & 0xff };
  return g_bytes_new (data, sizeof data);
}

static GBytes *
testcard_get_atr (gpointer user_data)
{
  TestCard *card = user_data;
  return g_bytes_ref (card->atr);
}

static GBytes *
testcard_transmit (GBytes *command, gpointer user_data, GError **error)
{
  TestCard *card = user_data;
  gsize len;
  const guint8 *apdu = g_bytes_get_data (command, &len);

  card->apdus++;
  if (len < 4)
    return status_word (0x6700);

  /* SELECT by DF name: 00 A4 04 xx Lc AID [Le] */
  if (apdu[1] == 0xA4 && apdu[2] == 0x04)
    {
      gsize lc;
      if (len < 5 || (lc = apdu[4]) == 0 || len < 5 + lc)
        return status_word (0x6700);
      if (lc == g_bytes_get_size (card->aid) && memcmp (apdu + 5, g_bytes_get_data (card->aid, NULL), lc) == 0)
        return status_word (0x9000);
      return status_word (0x6A82);
    }

  /* GET CHALLENGE: 00 84 00 00 Le */
  if (apdu[0] == 0x00 && apdu[1] == 0x84)
    {
      gsize le;
      g_autofree guint8 *response = NULL;
      if (len != 5)
        return status_word (0x6700);
      le = apdu[4] == 0 ? 256 : apdu[4];
      response = g_malloc (le + 2);
      for (gsize i = 0; i < le; i++)
        response[i] = (guint8)g_random_int_range (0, 256);
      response[le] = 0x90;
      response[le + 1] = 0x00;
      return g_bytes_new_take (g_steal_pointer (&response), le + 2);
    }

  return status_word (0x6D00);
}

static const ClVpcdCardOps testcard_ops = {
  .get_atr = testcard_get_atr,
  .transmit = testcard_transmit,
};

int
main (int argc, char **argv)
{
  g_autofree char *host = NULL;
  g_autofree char *atr_hex = NULL;
  int port = 0;
  int seconds = 0;
  GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, "vpcd slot port", "P" },
    { "host", 'H', 0, G_OPTION_ARG_STRING, &host, "vpcd host (default 127.0.0.1)", "H" },
    { "atr", 'a', 0, G_OPTION_ARG_STRING, &atr_hex, "ATR to answer, hex", "HEX" },
    { "seconds", 's', 0, G_OPTION_ARG_INT, &seconds, "pull the card after N seconds", "N" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- a minimal card on a vpcd reader");
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) atr = NULL;
  g_autoptr (GBytes) aid = NULL;
  g_autoptr (ClVpcdLink) link = NULL;
  TestCard card = { 0 };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("cardline-testcard: %s\n", error->message);
      return 2;
    }
  /* Defaults only now: GOption overwrites a preset string without freeing it when the option is given. */
  if (host == NULL)
    host = g_strdup ("127.0.0.1");
  if (atr_hex == NULL)
    atr_hex = g_strdup (CL_TESTCARD_DEFAULT_ATR);
  if (port <= 0 || port > 65535)
    {
      g_printerr ("cardline-testcard: --port must be 1..65535\n");
      return 2;
    }
  atr = cl_hex_decode (atr_hex, &error);
  if (atr == NULL || g_bytes_get_size (atr) < 2 || g_bytes_get_size (atr) > 33)
    {
      g_printerr ("cardline-testcard: --atr must be 2 to 33 bytes of hex%s%s\n", error ? ": " : "",
                  error ? error->message : "");
      return 2;
    }
  aid = cl_hex_decode (CL_TESTCARD_AID, NULL);

  link = cl_vpcd_link_connect (host, (guint16)port, 5000, NULL, &error);
  if (link == NULL)
    {
      g_printerr ("cardline-testcard: %s\n", error->message);
      return 1;
    }

  card.atr = atr;
  card.aid = aid;
  if (!cl_vpcd_link_run (link, &testcard_ops, &card, (guint)MAX (seconds, 0), &error))
    {
      g_printerr ("cardline-testcard: %s\n", error->message);
      return 1;
    }
  return 0;
}
