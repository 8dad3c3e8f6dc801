#include <string.h>

#include "apdu/cl-card-channel.h"
#include "cl-script-transport.h"
#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-crypto.h"
#include "crypto/cl-plain-key-set.h"
#include "scp-test-util.h"
#include "scp/cl-scp03-card.h"
#include "scp/cl-scp03-session.h"
#include "scp/cl-scp03.h"

static guint checks_passed;
static guint sections_passed;

typedef struct
{
  char *plain;
  char *wrapped;
  char *response;       /* wrapped response data (no SW), or NULL */
  char *plain_response; /* its plain data */
} Command;

static void
command_free (gpointer p)
{
  Command *c = p;

  g_free (c->plain);
  g_free (c->wrapped);
  g_free (c->response);
  g_free (c->plain_response);
  g_free (c);
}

/* The commands of a section in the order they were sent: plain_N/wrapped_N, or pysim's get_eid then case1..4. */
static GPtrArray *
section_commands (ClTestVectors *v, const char *s, GHashTable *comments)
{
  GPtrArray *list = g_ptr_array_new_with_free_func (command_free);

  for (guint n = 1;; n++)
    {
      g_autofree char *pk = g_strdup_printf ("plain_%u", n);
      g_autofree char *wk = g_strdup_printf ("wrapped_%u", n);
      Command *c;

      if (!cl_test_vectors_has (v, s, wk))
        break;
      c = g_new0 (Command, 1);
      c->plain = g_strdup (cl_test_vectors_get (v, s, pk));
      c->wrapped = g_strdup (cl_test_vectors_get (v, s, wk));
      g_ptr_array_add (list, c);
    }
  if (cl_test_vectors_has (v, s, "get_eid_wrapped"))
    {
      Command *c = g_new0 (Command, 1);

      c->plain = g_strdup (g_hash_table_lookup (comments, "get_eid"));
      c->wrapped = g_strdup (cl_test_vectors_get (v, s, "get_eid_wrapped"));
      if (cl_test_vectors_has (v, s, "get_eid_response"))
        {
          c->response = g_strdup (cl_test_vectors_get (v, s, "get_eid_response"));
          c->plain_response = g_strdup (g_hash_table_lookup (comments, "get_eid_plain_response"));
        }
      g_ptr_array_add (list, c);
    }
  for (guint n = 1; n <= 4; n++)
    {
      g_autofree char *key = g_strdup_printf ("case%u", n);
      g_autofree char *wk = g_strdup_printf ("case%u_wrapped", n);
      Command *c;

      if (!cl_test_vectors_has (v, s, wk))
        continue;
      c = g_new0 (Command, 1);
      c->plain = g_strdup (g_hash_table_lookup (comments, key));
      c->wrapped = g_strdup (cl_test_vectors_get (v, s, wk));
      g_assert_nonnull (c->plain);
      g_ptr_array_add (list, c);
    }
  return list;
}

/* INITIALIZE UPDATE response data without the SW some sources quote. */
static GBytes *
iu_response_data (ClTestVectors *v, const char *s)
{
  g_autoptr (GBytes) raw = cl_test_vectors_get_hex (v, s, "initialize_update_response");
  gsize len = g_bytes_get_size (raw);

  if (len == 31 || len == 34)
    return scp_slice (raw, 0, len - 2);
  return g_bytes_ref (raw);
}

static void
check_session_keys (ClTestVectors *v, const char *s, ClKeySet *keys, GBytes *host_challenge, GBytes *iu)
{
  g_autoptr (GError) error = NULL;
  ClScp03Session session = { 0 };
  const char *names[] = { "s_enc", "s_mac", "s_rmac" };

  if (!cl_test_vectors_has (v, s, "s_enc"))
    return;
  g_assert_true (cl_scp03_session_derive (&session, keys, g_bytes_get_data (host_challenge, NULL),
                                          (const guint8 *)g_bytes_get_data (iu, NULL) + 13, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      const guint8 *key = i == 0 ? session.s_enc : i == 1 ? session.s_mac : session.s_rmac;
      g_autoptr (GBytes) got = g_bytes_new (key, session.key_len);

      cl_test_assert_bytes_hex (got, cl_test_vectors_get (v, s, names[i]), names[i]);
      checks_passed++;
    }
  cl_scp03_session_clear (&session);
}

static ClScp03Card *
card_setup (ClTestVectors *v, const char *s)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) iu = iu_response_data (v, s);
  const guint8 *iud = g_bytes_get_data (iu, NULL);
  g_autoptr (ClKeySet) keys = scp_key_set (v, s, CL_KEY_TYPE_AES, iud[10]);
  ClScp03Card *card = cl_scp03_card_new (keys, iud, iud[12], NULL, 0);
  g_autoptr (GBytes) ea_raw = cl_test_vectors_get_hex (v, s, "external_authenticate");
  g_autoptr (ClApdu) ea = cl_apdu_parse (g_bytes_get_data (ea_raw, NULL), g_bytes_get_size (ea_raw), &error);
  g_autoptr (GBytes) host_challenge = NULL;
  g_autoptr (ClApdu) iu_cmd = NULL;
  g_autoptr (GBytes) answer = NULL;
  guint8 kvn = 0;

  if (cl_test_vectors_has (v, s, "initialize_update"))
    {
      g_autoptr (GBytes) cmd = cl_test_vectors_get_hex (v, s, "initialize_update");
      host_challenge = scp_slice (cmd, 5, 8);
      kvn = ((const guint8 *)g_bytes_get_data (cmd, NULL))[2];
    }
  else
    host_challenge = cl_test_vectors_get_hex (v, s, "host_challenge");
  if (g_bytes_get_size (iu) == 32)
    cl_scp03_card_set_sequence_counter (card, (guint32)((iud[29] << 16) | (iud[30] << 8) | iud[31]));
  cl_scp03_card_set_next_card_challenge (card, iud + 13);
  iu_cmd = cl_apdu_new (0x80, 0x50, kvn, 0x00, g_bytes_get_data (host_challenge, NULL), 8, 256);
  answer = cl_scp03_card_initialize_update (card, iu_cmd, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (answer, iu));
  checks_passed++;
  g_assert_true (cl_scp03_card_external_authenticate (card, ea, &error));
  g_assert_no_error (error);
  checks_passed++;

  return card;
}

/* The card side unwraps the vector's command and wraps its answer; returns the raw response for the host. */
static GBytes *
card_command (ClScp03Card *card, Command *c)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) wrapped = scp_hex (c->wrapped);
  g_autoptr (ClApdu) apdu = cl_apdu_parse (g_bytes_get_data (wrapped, NULL), g_bytes_get_size (wrapped), &error);
  g_autoptr (ClApdu) plain = NULL;
  g_autoptr (GBytes) encoded = NULL;
  g_autoptr (GBytes) pr = scp_hex (c->plain_response ? c->plain_response : "");
  g_autoptr (ClResponse) presp = cl_response_new (g_bytes_get_data (pr, NULL), g_bytes_get_size (pr), 0x9000);
  g_autoptr (ClResponse) wresp = NULL;

  g_assert_no_error (error);
  plain = cl_scp03_card_unwrap_command (card, apdu, &error);
  g_assert_no_error (error);
  encoded = cl_apdu_encode (plain, &error);
  cl_test_assert_bytes_hex (encoded, c->plain, "card-side unwrapped command");
  checks_passed++;
  wresp = cl_scp03_card_wrap_response (card, presp, &error);
  g_assert_no_error (error);
  if (c->response)
    {
      cl_test_assert_bytes_hex (wresp->data, c->response, "card-side wrapped response");
      checks_passed++;
    }
  return cl_response_encode (wresp);
}

static void
run_host (ClTestVectors *v, const char *s, GPtrArray *commands)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) iu = iu_response_data (v, s);
  guint8 kvn = 0;
  g_autoptr (GBytes) host_challenge = NULL;
  g_autoptr (GBytes) ea = cl_test_vectors_get_hex (v, s, "external_authenticate");
  guint8 level = ((const guint8 *)g_bytes_get_data (ea, NULL))[2];
  guint8 card_kvn = ((const guint8 *)g_bytes_get_data (iu, NULL))[10];
  g_autoptr (ClKeySet) keys = scp_key_set (v, s, CL_KEY_TYPE_AES, card_kvn);
  g_autoptr (ClScriptTransport) transport = cl_script_transport_new ();
  g_autoptr (ClCardChannel) channel = cl_card_channel_new (CL_TRANSPORT (transport));
  g_autoptr (ClScp03) scp = NULL;
  g_autoptr (GBytes) iu_cmd = NULL;
  g_autofree char *iu_resp_hex = NULL;
  g_autoptr (ClScp03Card) card = card_setup (v, s);

  if (cl_test_vectors_has (v, s, "initialize_update"))
    {
      iu_cmd = cl_test_vectors_get_hex (v, s, "initialize_update");
      kvn = ((const guint8 *)g_bytes_get_data (iu_cmd, NULL))[2];
      host_challenge = scp_slice (iu_cmd, 5, 8);
    }
  else
    host_challenge = cl_test_vectors_get_hex (v, s, "host_challenge");
  check_session_keys (v, s, keys, host_challenge, iu);

  {
    g_autofree char *hc = cl_hex_encode_bytes (host_challenge);
    g_autofree char *cmd = g_strdup_printf ("8050%02X0008%s00", kvn, hc);
    g_autofree char *resp = cl_hex_encode_bytes (iu);
    iu_resp_hex = g_strconcat (resp, "9000", NULL);
    if (iu_cmd)
      {
        g_autofree char *vec = cl_hex_encode_bytes (iu_cmd);
        g_assert_cmpstr (cmd, ==, vec);
        checks_passed++;
      }
    cl_script_transport_expect (transport, cmd, iu_resp_hex);
  }
  cl_script_transport_expect (transport, cl_test_vectors_get (v, s, "external_authenticate"), "9000");
  scp = cl_scp03_open (channel, keys, kvn, level, g_bytes_get_data (host_challenge, NULL), NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (scp);
  checks_passed++; /* EXTERNAL AUTHENTICATE bytes */
  g_assert_cmpuint (cl_scp03_get_card_kvn (scp), ==, card_kvn);
  g_assert_true (cl_scp03_get_static_keys (scp) == keys);

  for (guint i = 0; i < commands->len; i++)
    {
      Command *c = g_ptr_array_index (commands, i);
      g_autoptr (GBytes) plain = scp_hex (c->plain);
      g_autoptr (ClApdu) apdu = cl_apdu_parse (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain), &error);
      g_autoptr (ClResponse) r = NULL;
      g_autoptr (GBytes) resp = card_command (card, c);
      g_autoptr (GBytes) cmd = scp_hex (c->wrapped);

      g_assert_no_error (error);
      cl_script_transport_expect_bytes (transport, cmd, resp);
      r = cl_card_channel_transmit (channel, apdu, NULL, &error);
      g_assert_no_error (error);
      checks_passed++;
      if (c->plain_response)
        {
          cl_test_assert_bytes_hex (r->data, c->plain_response, "unwrapped response");
          checks_passed++;
        }
    }
  cl_script_transport_assert_done (transport);
}

static void
test_vectors (void)
{
  g_autoptr (ClTestVectors) v = cl_test_vectors_load ("scp03.txt");
  g_autoptr (GHashTable) comments = scp_comment_values ("scp03.txt");
  const char *const *sections = cl_test_vectors_sections (v);

  for (guint i = 0; sections[i]; i++)
    {
      const char *s = sections[i];
      g_autoptr (GPtrArray) commands = NULL;

      if (!cl_test_vectors_has (v, s, "external_authenticate"))
        continue;
      commands = section_commands (v, s, comments);
      g_test_message ("section %s: %u commands", s, commands->len);
      run_host (v, s, commands);
      sections_passed++;
    }
}

static void
test_session_kcv (void)
{
  g_autoptr (ClTestVectors) v = cl_test_vectors_load ("scp03.txt");
  const char *s = "gppro_session_kcv";
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) key = cl_test_vectors_get_hex (v, s, "static");
  g_autoptr (GBytes) context = cl_test_vectors_get_hex (v, s, "context");
  const guint8 *k = g_bytes_get_data (key, NULL);
  g_autoptr (ClKeySet) keys = cl_plain_key_set_new (CL_KEY_TYPE_AES, 1, k, k, k, 16, &error);
  struct
  {
    const char *name;
    ClKeyRole role;
    guint8 constant;
  } derived[] = {
    { "kcv_s_enc", CL_KEY_ROLE_ENC, CL_SCP03_DERIVE_S_ENC },
    { "kcv_s_mac", CL_KEY_ROLE_MAC, CL_SCP03_DERIVE_S_MAC },
    { "kcv_s_rmac", CL_KEY_ROLE_MAC, CL_SCP03_DERIVE_S_RMAC },
  };
  guint8 kcv[3];

  for (guint i = 0; i < G_N_ELEMENTS (derived); i++)
    {
      guint8 session_key[16];
      g_autoptr (GBytes) got = NULL;

      g_assert_true (cl_scp03_kdf (keys, derived[i].role, derived[i].constant, 128, g_bytes_get_data (context, NULL),
                                   g_bytes_get_size (context), session_key, &error));
      g_assert_true (cl_kcv_aes (session_key, 16, kcv, &error));
      g_assert_no_error (error);
      got = g_bytes_new (kcv, 3);
      cl_test_assert_bytes_hex (got, cl_test_vectors_get (v, s, derived[i].name), derived[i].name);
      checks_passed++;
    }
  g_assert_true (cl_key_set_check_value (keys, CL_KEY_ROLE_DEK, kcv, &error));
  {
    g_autoptr (GBytes) got = g_bytes_new (kcv, 3);
    cl_test_assert_bytes_hex (got, cl_test_vectors_get (v, s, "kcv_static_dek"), "kcv_static_dek");
    checks_passed++;
  }
  sections_passed++;
}

/* kaoh_mutual_auth names its security domain: its card challenge must be the pseudo-random one. */
static void
test_pseudo_random_challenge (void)
{
  g_autoptr (ClTestVectors) v = cl_test_vectors_load ("scp03.txt");
  const char *s = "kaoh_mutual_auth";
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) iu = iu_response_data (v, s);
  g_autoptr (GBytes) aid = cl_test_vectors_get_hex (v, s, "sd_aid");
  g_autoptr (GBytes) hc = cl_test_vectors_get_hex (v, s, "host_challenge");
  const guint8 *iud = g_bytes_get_data (iu, NULL);
  g_autoptr (ClKeySet) keys = scp_key_set (v, s, CL_KEY_TYPE_AES, iud[10]);
  g_autoptr (ClScp03) scp = cl_scp03_new (keys, 0x03, g_bytes_get_data (hc, NULL), &error);
  guint8 challenge[8];
  guint8 tampered[32];

  g_assert_true (
    cl_scp03_card_challenge (keys, iud + 29, g_bytes_get_data (aid, NULL), g_bytes_get_size (aid), challenge, &error));
  g_assert_cmpmem (challenge, 8, iud + 13, 8);
  checks_passed++;
  cl_scp03_set_sd_aid (scp, g_bytes_get_data (aid, NULL), g_bytes_get_size (aid));
  g_assert_true (cl_scp03_process_initialize_update (scp, iud, 32, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cl_scp03_get_sequence_counter (scp), ==, (iud[29] << 16) | (iud[30] << 8) | iud[31]);

  /* Another sequence counter with the same challenge is refused. */
  memcpy (tampered, iud, 32);
  tampered[31] ^= 1;
  g_clear_object (&scp);
  scp = cl_scp03_new (keys, 0x03, g_bytes_get_data (hc, NULL), &error);
  cl_scp03_set_sd_aid (scp, g_bytes_get_data (aid, NULL), g_bytes_get_size (aid));
  g_assert_false (cl_scp03_process_initialize_update (scp, tampered, 32, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_SECURITY);
}

/* ---- host <-> card round trips ---- */

typedef struct
{
  ClScp03Card *card;
} Loop;

static GBytes *
loop_card (GBytes *command, gpointer user_data)
{
  Loop *loop = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (ClApdu) apdu = cl_apdu_parse (g_bytes_get_data (command, NULL), g_bytes_get_size (command), &error);
  g_autoptr (ClResponse) plain_response = NULL;
  g_autoptr (ClResponse) wrapped = NULL;

  g_assert_no_error (error);
  if (apdu->ins == 0x50)
    {
      g_autoptr (GBytes) data = cl_scp03_card_initialize_update (loop->card, apdu, &error);
      g_assert_no_error (error);
      plain_response = cl_response_new (g_bytes_get_data (data, NULL), g_bytes_get_size (data), 0x9000);
      return cl_response_encode (plain_response);
    }
  if (apdu->ins == 0x82 && !cl_scp03_card_is_open (loop->card))
    {
      g_assert_true (cl_scp03_card_external_authenticate (loop->card, apdu, &error));
      g_assert_no_error (error);
      return g_bytes_new ("\x90\x00", 2);
    }
  {
    g_autoptr (ClApdu) plain = cl_scp03_card_unwrap_command (loop->card, apdu, &error);
    g_autoptr (GByteArray) echo = g_byte_array_new ();
    gsize len = 0;
    const guint8 *d;

    g_assert_no_error (error);
    /* The card echoes the command data reversed, with P1 as an extra byte. */
    d = plain->data ? g_bytes_get_data (plain->data, &len) : NULL;
    for (gsize i = len; i > 0; i--)
      g_byte_array_append (echo, &d[i - 1], 1);
    g_byte_array_append (echo, &plain->p1, 1);
    plain_response = cl_response_new (echo->data, MIN (echo->len, 240), 0x9000);
  }
  wrapped = cl_scp03_card_wrap_response (loop->card, plain_response, &error);
  g_assert_no_error (error);
  return cl_response_encode (wrapped);
}

static void
test_round_trips (void)
{
  const guint8 levels[] = { 0x00, 0x01, 0x03, 0x11, 0x13, 0x33 };
  const guint8 is[] = { 0x00, 0x10, 0x70 };
  const gsize sizes[] = { 0, 1, 15, 16, 17, 128, 239 };
  guint8 keydata[34];
  guint8 kdd[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
  const guint8 aid[] = { 0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00 };
  guint rounds = 0;

  for (gsize key_len = 16; key_len <= 32; key_len += 8)
    for (guint li = 0; li < G_N_ELEMENTS (levels); li++)
      {
        g_autoptr (GError) error = NULL;
        guint8 i = is[(key_len / 8 + li) % G_N_ELEMENTS (is)];
        g_autoptr (ClKeySet) keys = NULL;
        Loop loop;
        g_autoptr (ClTransport) transport = scp_loopback_transport_new (loop_card, &loop);
        g_autoptr (ClCardChannel) channel = cl_card_channel_new (transport);
        g_autoptr (ClScp03) scp = NULL;

        g_assert_true (cl_random_bytes (keydata, sizeof keydata, &error));
        keys = cl_plain_key_set_new (CL_KEY_TYPE_AES, 0x30, keydata, keydata + 1, keydata + 2, key_len, &error);
        loop.card = cl_scp03_card_new (keys, kdd, i, aid, sizeof aid);
        cl_scp03_card_set_sequence_counter (loop.card, 0x00FFFE);
        scp = cl_scp03_open (channel, keys, 0x30, levels[li], NULL, NULL, &error);
        g_assert_no_error (error);
        if (i & 0x10)
          cl_scp03_set_sd_aid (scp, aid, sizeof aid);
        g_assert_cmpuint (cl_scp03_card_get_level (loop.card), ==, levels[li]);
        for (guint si = 0; si < G_N_ELEMENTS (sizes); si++)
          {
            guint8 data[239];
            g_autoptr (ClApdu) apdu = NULL;
            g_autoptr (GBytes) r = NULL;
            const guint8 *rd;

            g_assert_true (cl_random_bytes (data, sizes[si], &error));
            apdu = cl_apdu_new (0x80, 0xCA, (guint8)si, 0x00, data, sizes[si], si % 2 ? 256 : 0);
            r = cl_card_channel_transmit_ok (channel, apdu, "echo", NULL, &error);
            g_assert_no_error (error);
            g_assert_cmpuint (g_bytes_get_size (r), ==, MIN (sizes[si] + 1, 240));
            rd = g_bytes_get_data (r, NULL);
            if (sizes[si])
              g_assert_cmpuint (rd[0], ==, data[sizes[si] - 1]);
            rounds++;
          }
        /* The card's counter moved on, so a second session differs. */
        g_assert_cmpuint (cl_scp03_card_get_sequence_counter (loop.card), ==, (i & 0x10) ? 0x00FFFF : 0x00FFFE);
        g_clear_object (&loop.card);
      }
  g_test_message ("%u round trips", rounds);
}

/* The keys for the KDD the card answers with: the card's KDD reaches keys_for_kdd, and the session opens with what
 * it returns; a card with a KDD other than the keys' fails on its cryptogram. */
static ClKeySet *
keys_for_kdd (const guint8 *kdd, gpointer user_data, GError **error)
{
  gpointer *keys_by_kdd = user_data;

  g_assert_cmpmem (kdd, 10, keys_by_kdd[0], 10);
  return g_object_ref (keys_by_kdd[1]);
}

static void
test_open_diversified (void)
{
  guint8 keydata[16] = { 7 }, other_data[16] = { 8 };
  guint8 kdd[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
  g_autoptr (GError) error = NULL;
  g_autoptr (ClKeySet) keys = cl_plain_key_set_new (CL_KEY_TYPE_AES, 0x01, keydata, keydata, keydata, 16, &error);
  g_autoptr (ClKeySet) other
    = cl_plain_key_set_new (CL_KEY_TYPE_AES, 0x01, other_data, other_data, other_data, 16, &error);
  gpointer right[2] = { kdd, keys }, wrong[2] = { kdd, other };
  Loop loop;
  g_autoptr (ClTransport) transport = scp_loopback_transport_new (loop_card, &loop);
  g_autoptr (ClCardChannel) channel = cl_card_channel_new (transport);
  g_autoptr (ClScp03) scp = NULL, refused = NULL;

  loop.card = cl_scp03_card_new (keys, kdd, 0x70, NULL, 0);
  scp = cl_scp03_open_diversified (channel, keys_for_kdd, right, 0x01, 0x33, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (scp);
  g_assert_cmpmem (cl_scp03_get_kdd (scp), 10, kdd, 10);
  g_assert_cmpuint (cl_scp03_card_get_level (loop.card), ==, 0x33);
  refused = cl_scp03_open_diversified (channel, keys_for_kdd, wrong, 0x01, 0x33, NULL, &error);
  g_assert_error (error, CL_ERROR, CL_ERROR_SECURITY);
  g_assert_null (refused);
  g_clear_object (&loop.card);
}

/* ---- commands sent together (cl_card_channel_transmit_batch), answers checked when collected ---- */

/* A transport that can queue: each queued command reaches the card at once, its answer waits to be collected;
 * the answer numbered `tamper` has one bit of its R-MAC flipped on the way. */
#define TEST_TYPE_QUEUE_TRANSPORT (test_queue_transport_get_type ())
G_DECLARE_FINAL_TYPE (TestQueueTransport, test_queue_transport, TEST, QUEUE_TRANSPORT, GObject)
struct _TestQueueTransport
{
  GObject parent_instance;
  Loop *loop;
  GQueue answers;
  guint queued;
  guint max_waiting; /* most answers waiting at once: the commands really went together */
  gint tamper;
};
static void test_queue_transport_iface_init (ClTransportInterface *iface);
G_DEFINE_FINAL_TYPE_WITH_CODE (TestQueueTransport, test_queue_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CL_TYPE_TRANSPORT, test_queue_transport_iface_init))

static GBytes *
queue_transmit (ClTransport *transport, GBytes *command, GCancellable *cancellable, GError **error)
{
  TestQueueTransport *self = TEST_QUEUE_TRANSPORT (transport);

  g_assert_true (g_queue_is_empty (&self->answers));
  return loop_card (command, self->loop);
}

static gboolean
queue_queue (ClTransport *transport, GBytes *command, GError **error)
{
  TestQueueTransport *self = TEST_QUEUE_TRANSPORT (transport);
  GBytes *answer = loop_card (command, self->loop);

  if ((gint)self->queued++ == self->tamper)
    {
      g_autoptr (GByteArray) bad = g_bytes_unref_to_array (answer);

      bad->data[bad->len - 3] ^= 0x01; /* the R-MAC's last byte, before the SW */
      answer = g_byte_array_free_to_bytes (g_steal_pointer (&bad));
    }
  g_queue_push_tail (&self->answers, answer);
  self->max_waiting = MAX (self->max_waiting, g_queue_get_length (&self->answers));
  return TRUE;
}

static GBytes *
queue_collect (ClTransport *transport, GCancellable *cancellable, GError **error)
{
  return g_queue_pop_head (&TEST_QUEUE_TRANSPORT (transport)->answers);
}

static void
test_queue_transport_iface_init (ClTransportInterface *iface)
{
  iface->transmit = queue_transmit;
  iface->queue = queue_queue;
  iface->collect = queue_collect;
}

static void
test_queue_transport_finalize (GObject *object)
{
  g_queue_clear_full (&TEST_QUEUE_TRANSPORT (object)->answers, (GDestroyNotify)g_bytes_unref);
  G_OBJECT_CLASS (test_queue_transport_parent_class)->finalize (object);
}

static void
test_queue_transport_class_init (TestQueueTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_queue_transport_finalize;
}

static void
test_queue_transport_init (TestQueueTransport *self)
{
  g_queue_init (&self->answers);
  self->tamper = -1;
}

static void
test_batch (void)
{
  const guint8 levels[] = { 0x01, 0x13, 0x33 };
  guint8 keydata[16 * 3], kdd[10] = { 0 };

  for (guint li = 0; li < G_N_ELEMENTS (levels); li++)
    for (gint tamper = -1; tamper <= 1; tamper += 2)
      {
        if (tamper >= 0 && !(levels[li] & 0x10))
          continue; /* without R-MAC a changed answer cannot be told */
        g_autoptr (GError) error = NULL;
        g_autoptr (ClKeySet) keys = NULL;
        g_autoptr (TestQueueTransport) transport = g_object_new (TEST_TYPE_QUEUE_TRANSPORT, NULL);
        g_autoptr (ClCardChannel) channel = cl_card_channel_new (CL_TRANSPORT (transport));
        g_autoptr (ClScp03) scp = NULL;
        g_autoptr (GPtrArray) apdus = g_ptr_array_new_with_free_func ((GDestroyNotify)cl_apdu_free);
        g_autoptr (GPtrArray) responses = NULL;
        g_autoptr (ClApdu) after = cl_apdu_new (0x80, 0xCA, 0x09, 0x00, (const guint8 *)"x", 1, 0);
        g_autoptr (GBytes) r = NULL;
        Loop loop;

        g_assert_true (cl_random_bytes (keydata, sizeof keydata, &error));
        keys = cl_plain_key_set_new (CL_KEY_TYPE_AES, 0x30, keydata, keydata + 16, keydata + 32, 16, &error);
        loop.card = cl_scp03_card_new (keys, kdd, 0x00, NULL, 0);
        transport->loop = &loop;
        scp = cl_scp03_open (channel, keys, 0x30, levels[li], NULL, NULL, &error);
        g_assert_no_error (error);
        transport->tamper = tamper >= 0 ? (gint)transport->queued + tamper : -1;
        for (guint8 i = 0; i < 5; i++)
          {
            guint8 data[40];

            memset (data, i, sizeof data);
            g_ptr_array_add (apdus, cl_apdu_new (0x80, 0xE8, i, i, data, sizeof data, 0));
          }
        responses = cl_card_channel_transmit_batch (channel, apdus, NULL, &error);
        if (tamper >= 0)
          {
            /* the R-MAC of the second answer is checked when it arrives, not skipped for coming with others */
            g_assert_error (error, CL_ERROR, CL_ERROR_SECURITY);
            g_assert_null (responses);
            g_assert_true (g_queue_is_empty (&transport->answers));
            g_clear_object (&loop.card);
            continue;
          }
        g_assert_no_error (error);
        g_assert_cmpuint (transport->max_waiting, ==, 5);
        g_assert_cmpuint (responses->len, ==, 5);
        for (guint i = 0; i < responses->len; i++)
          {
            const ClResponse *response = g_ptr_array_index (responses, i);
            const guint8 *d = g_bytes_get_data (response->data, NULL);

            g_assert_cmphex (response->sw, ==, 0x9000);
            g_assert_cmpuint (g_bytes_get_size (response->data), ==, 41);
            g_assert_cmpuint (d[0], ==, i); /* the echo of its own command */
            g_assert_cmpuint (d[40], ==, i);
          }
        /* the channel stays in step with the card afterwards */
        r = cl_card_channel_transmit_ok (channel, after, "after the batch", NULL, &error);
        g_assert_no_error (error);
        g_clear_object (&loop.card);
      }
}

/* ---- hostile input ---- */

static ClScp03Card *
open_card (ClKeySet *keys, guint8 level, ClScp03 **host_out)
{
  g_autoptr (GError) error = NULL;
  guint8 kdd[10] = { 0 };
  ClScp03Card *card = cl_scp03_card_new (keys, kdd, 0x70, NULL, 0);
  g_autoptr (ClScp03) host = cl_scp03_new (keys, level, NULL, &error);
  g_autoptr (ClApdu) iu = cl_scp03_initialize_update_apdu (host, 0);
  g_autoptr (GBytes) answer = cl_scp03_card_initialize_update (card, iu, &error);
  g_autoptr (ClApdu) ea = NULL;

  g_assert_no_error (error);
  g_assert_true (
    cl_scp03_process_initialize_update (host, g_bytes_get_data (answer, NULL), g_bytes_get_size (answer), &error));
  ea = cl_scp03_external_authenticate_apdu (host, &error);
  g_assert_true (cl_scp03_card_external_authenticate (card, ea, &error));
  g_assert_no_error (error);
  *host_out = g_steal_pointer (&host);
  return card;
}

static void
test_hostile (void)
{
  g_autoptr (GError) error = NULL;
  guint8 k[16] = { 0x42 };
  g_autoptr (ClKeySet) keys = cl_plain_key_set_new (CL_KEY_TYPE_AES, 0x30, k, k, k, 16, &error);
  g_autoptr (ClKeySet) other = NULL;
  g_autoptr (ClScp03) host = NULL;
  g_autoptr (ClScp03Card) card = open_card (keys, 0x33, &host);
  g_autoptr (ClApdu) plain = cl_apdu_new (0x80, 0xCA, 0, 0, (const guint8 *)"abc", 3, 256);
  g_autoptr (ClApdu) wrapped = NULL;
  g_autoptr (ClApdu) bad = NULL;
  ClApdu *result;
  ClResponse *resp;
  guint8 junk[64];

  /* Host: malformed or forged INITIALIZE UPDATE responses. */
  {
    g_autoptr (ClScp03) h = cl_scp03_new (keys, 0x01, NULL, &error);
    memset (junk, 0, sizeof junk);
    g_assert_false (cl_scp03_process_initialize_update (h, junk, 5, &error));
    g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
    g_clear_error (&error);
    junk[11] = 0x03;
    g_assert_false (cl_scp03_process_initialize_update (h, junk, 29, &error));
    g_assert_error (error, CL_ERROR, CL_ERROR_SECURITY);
    g_clear_error (&error);
    junk[12] = 0x10;
    g_assert_false (cl_scp03_process_initialize_update (h, junk, 29, &error));
    g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
    g_clear_error (&error);
    junk[11] = 0x02;
    g_assert_false (cl_scp03_process_initialize_update (h, junk, 32, &error));
    g_assert_error (error, CL_ERROR, CL_ERROR_NOT_SUPPORTED);
    g_clear_error (&error);
    g_assert_null (cl_scp03_external_authenticate_apdu (h, &error));
    g_clear_error (&error);
    g_assert_null (cl_scp03_new (keys, 0x02, NULL, &error));
    g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }

  /* Host: responses without or with a wrong R-MAC. */
  wrapped = cl_secure_channel_wrap (CL_SECURE_CHANNEL (host), plain, &error);
  g_assert_no_error (error);
  {
    g_autoptr (GBytes) abc = g_bytes_new ("abc", 3);
    ClResponse r = { abc, 0x9000 };
    resp = cl_secure_channel_unwrap (CL_SECURE_CHANNEL (host), &r, &error);
  }
  g_assert_null (resp);
  g_assert_error (error, CL_ERROR, CL_ERROR_SECURITY);
  g_clear_error (&error);
  memset (junk, 0, sizeof junk);
  {
    g_autoptr (GBytes) d = g_bytes_new (junk, 24);
    ClResponse r = { d, 0x9000 };
    resp = cl_secure_channel_unwrap (CL_SECURE_CHANNEL (host), &r, &error);
    g_assert_null (resp);
    g_assert_error (error, CL_ERROR, CL_ERROR_SECURITY);
    g_clear_error (&error);
  }
  {
    g_autoptr (GBytes) d = g_bytes_new (NULL, 0);
    ClResponse r = { d, 0x6A88 };
    resp = cl_secure_channel_unwrap (CL_SECURE_CHANNEL (host), &r, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (resp->sw, ==, 0x6A88);
    cl_response_free (resp);
  }

  /* Card: the genuine command passes, a replay does not and closes the session. */
  result = cl_scp03_card_unwrap_command (card, wrapped, &error);
  g_assert_no_error (error);
  cl_apdu_free (result);
  result = cl_scp03_card_unwrap_command (card, wrapped, &error);
  g_assert_null (result);
  g_assert_error (error, CL_ERROR, CL_ERROR_SECURITY);
  g_assert_false (cl_scp03_card_is_open (card));
  g_clear_error (&error);

  /* Card: short, plain, odd-length and unauthenticated commands. */
  g_clear_object (&card);
  g_clear_object (&host);
  card = open_card (keys, 0x03, &host);
  bad = cl_apdu_new (0x84, 0xCA, 0, 0, (const guint8 *)"abc", 3, 0);
  g_assert_null (cl_scp03_card_unwrap_command (card, bad, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_SECURITY);
  g_clear_error (&error);
  g_assert_null (cl_scp03_card_unwrap_command (card, plain, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_SECURITY);
  g_clear_error (&error);
  g_clear_object (&card);
  g_clear_object (&host);
  card = open_card (keys, 0x03, &host);
  g_clear_pointer (&bad, cl_apdu_free);
  bad = cl_apdu_new (0x84, 0xCA, 0, 0, junk, 20, 0);
  g_assert_null (cl_scp03_card_unwrap_command (card, bad, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_SECURITY);
  g_clear_error (&error);

  g_assert_false (cl_scp03_card_external_authenticate (card, bad, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_SECURITY);
  g_clear_error (&error);

  /* Card: INITIALIZE UPDATE for a key version it lacks, or malformed. */
  {
    g_autoptr (ClApdu) iu = cl_apdu_new (0x80, 0x50, 0x31, 0, junk, 8, 256);
    g_autoptr (ClApdu) iu_short = cl_apdu_new (0x80, 0x50, 0x00, 0, junk, 7, 256);
    GBytes *b = cl_scp03_card_initialize_update (card, iu, &error);
    g_assert_null (b);
    g_assert_error (error, CL_ERROR, CL_ERROR_NOT_FOUND);
    g_clear_error (&error);
    b = cl_scp03_card_initialize_update (card, iu_short, &error);
    g_assert_null (b);
    g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
    g_clear_error (&error);
  }

  /* Wrong static keys: the host refuses the card cryptogram. */
  memset (k, 0x43, sizeof k);
  other = cl_plain_key_set_new (CL_KEY_TYPE_AES, 0x30, k, k, k, 16, &error);
  {
    guint8 kdd[10] = { 0 };
    g_autoptr (ClScp03Card) c = cl_scp03_card_new (other, kdd, 0x00, NULL, 0);
    g_autoptr (ClScp03) h = cl_scp03_new (keys, 0x01, NULL, &error);
    g_autoptr (ClApdu) iu = cl_scp03_initialize_update_apdu (h, 0);
    g_autoptr (GBytes) answer = cl_scp03_card_initialize_update (c, iu, &error);
    g_assert_false (
      cl_scp03_process_initialize_update (h, g_bytes_get_data (answer, NULL), g_bytes_get_size (answer), &error));
    g_assert_error (error, CL_ERROR, CL_ERROR_SECURITY);
  }
}

static void
test_max_plain (void)
{
  g_assert_cmpuint (cl_scp03_max_plain_data (0x33), ==, 239);
  g_assert_cmpuint (cl_scp03_max_plain_data (0x01), ==, 247);
  g_assert_cmpuint (cl_scp03_max_plain_data (0x00), ==, 255);
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/scp03/vectors", test_vectors);
  g_test_add_func ("/scp03/session-kcv", test_session_kcv);
  g_test_add_func ("/scp03/pseudo-random-challenge", test_pseudo_random_challenge);
  g_test_add_func ("/scp03/round-trips", test_round_trips);
  g_test_add_func ("/scp03/open-diversified", test_open_diversified);
  g_test_add_func ("/scp03/hostile", test_hostile);
  g_test_add_func ("/scp03/batch", test_batch);
  g_test_add_func ("/scp03/max-plain", test_max_plain);
  rc = g_test_run ();
  g_print ("# SCP03 vector sections passed: %u, checks passed: %u\n", sections_passed, checks_passed);
  return rc;
}
