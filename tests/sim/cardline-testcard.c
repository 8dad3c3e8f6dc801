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

#include <glib-unix.h>
#include <string.h>

typedef struct
{
  GBytes *atr;
  GBytes *aid;
  GMainLoop *loop;
  GCancellable *cancellable;
  ClVpcdLink *link;
  GError *error;
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

static gboolean
quit_loop (gpointer user_data)
{
  TestCard *card = user_data;
  g_main_loop_quit (card->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
on_stop (gpointer user_data)
{
  TestCard *card = user_data;
  /* Unblocks the serving thread; main() then closes the link, which vpcd sees as the card leaving. */
  g_cancellable_cancel (card->cancellable);
  return G_SOURCE_CONTINUE;
}

static gpointer
serve_thread (gpointer user_data)
{
  TestCard *card = user_data;
  if (!cl_vpcd_link_serve (card->link, &testcard_ops, card, card->cancellable, &card->error)
      && g_error_matches (card->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_clear_error (&card->error);
  g_idle_add (quit_loop, card);
  return NULL;
}

int
main (int argc, char **argv)
{
  g_autofree char *host = g_strdup ("127.0.0.1");
  g_autofree char *atr_hex = g_strdup (CL_TESTCARD_DEFAULT_ATR);
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
  g_autoptr (GMainLoop) loop = NULL;
  g_autoptr (GCancellable) cancellable = NULL;
  g_autoptr (GBytes) atr = NULL;
  g_autoptr (GBytes) aid = NULL;
  g_autoptr (ClVpcdLink) link = NULL;
  GThread *thread;
  TestCard card = { 0 };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("cardline-testcard: %s\n", error->message);
      return 2;
    }
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

  cancellable = g_cancellable_new ();
  link = cl_vpcd_link_connect (host, (guint16)port, 5000, cancellable, &error);
  if (link == NULL)
    {
      g_printerr ("cardline-testcard: %s\n", error->message);
      return 1;
    }

  loop = g_main_loop_new (NULL, FALSE);
  card.atr = atr;
  card.aid = aid;
  card.loop = loop;
  card.cancellable = cancellable;
  card.link = link;
  g_unix_signal_add (SIGTERM, on_stop, &card);
  g_unix_signal_add (SIGINT, on_stop, &card);
  if (seconds > 0)
    g_timeout_add_seconds ((guint)seconds, on_stop, &card);

  thread = g_thread_new ("vpcd-link", serve_thread, &card);
  g_main_loop_run (loop);
  g_thread_join (thread);
  cl_vpcd_link_close (link);

  if (card.error != NULL)
    {
      g_printerr ("cardline-testcard: %s\n", card.error->message);
      g_clear_error (&card.error);
      return 1;
    }
  return 0;
}
