/* Unit tests of the SmartCard-HSM applet emulation, driven by the host builders of lib/schsm and checked with
 * lib/cvc, in-process. */
#include <openssl/evp.h>
#include <string.h>

#include "apdu/cl-card-channel.h"
#include "cl-vcard-manufacture.h"
#include "cl-vcard-session.h"
#include "cl-vcard-transport.h"
#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-crypto.h"
#include "crypto/cl-openssl-autoptr.h"
#include "cl-test-vectors.h"
#include "cvc/cl-cvc-body.h"
#include "cvc/cl-cvc-public-key.h"
#include "cvc/cl-cvc-request.h"
#include "cvc/cl-cvc.h"
#include "schsm/cl-schsm-apdu.h"
#include "schsm/cl-schsm-response.h"
#include "schsm/cl-schsm-token-info.h"

/* OpenSSL types in tests only; lib/ keeps them out of its headers' autoptr set */

static const guint8 pin[] = "648219";
static const guint8 so_pin[] = { 0x35, 0x37, 0x36, 0x32, 0x31, 0x38, 0x38, 0x30 };

typedef struct
{
  ClVcardImage *image;
  ClVcardSession *session;
  ClCardChannel *channel;
} Fixture;

static ClResponse *
xfer (Fixture *f, ClApdu *apdu)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClApdu) owned = apdu;
  ClResponse *r = cl_card_channel_transmit (f->channel, owned, NULL, &error);

  g_assert_no_error (error);
  return r;
}

static guint16
xfer_sw (Fixture *f, ClApdu *apdu)
{
  g_autoptr (ClResponse) r = xfer (f, apdu);

  return r->sw;
}

static void
fixture_insert (Fixture *f)
{
  g_autoptr (ClVcardTransport) transport = NULL;

  g_clear_object (&f->channel);
  g_clear_object (&f->session);
  f->session = cl_vcard_session_new (f->image);
  transport = cl_vcard_transport_new (f->session);
  f->channel = cl_card_channel_new (CL_TRANSPORT (transport));
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) key = cl_hex_decode ("404142434445464748494A4B4C4D4E4F", NULL);
  ClVcardManufactureSpec spec = { CL_KEY_TYPE_AES, 0x30, key, key, key, 3, 0x70 };
  static const guint8 priv[3] = { 0 };
  g_autoptr (GBytes) package = g_bytes_new (cl_schsm_aid, sizeof cl_schsm_aid);

  f->image = cl_vcard_manufacture (&spec, 0x01020000, 3, NULL);
  cl_vcard_image_add_load_file (f->image, cl_schsm_aid, sizeof cl_schsm_aid);
  cl_vcard_image_add_applet (f->image, cl_schsm_aid, sizeof cl_schsm_aid, package, package, 0x07, priv);
  fixture_insert (f);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->channel);
  g_clear_object (&f->session);
  g_clear_object (&f->image);
}

static void
select_applet (Fixture *f)
{
  g_autoptr (ClResponse) r = xfer (f, cl_schsm_apdu_select ());
  g_autoptr (GError) error = NULL;
  guint8 major, minor;

  g_assert_cmphex (r->sw, ==, 0x9000);
  g_assert_true (
    cl_schsm_parse_select (g_bytes_get_data (r->data, NULL), g_bytes_get_size (r->data), &major, &minor, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (major, ==, 3);
}

static void
initialize (Fixture *f)
{
  ClSchsmInitParams params = { 0x0001, pin, 6, so_pin, 8, 3, 1 };
  g_autoptr (GError) error = NULL;
  ClApdu *apdu = cl_schsm_apdu_initialize (&params, &error);

  g_assert_no_error (error);
  g_assert_cmphex (xfer_sw (f, apdu), ==, 0x9000);
}

static GBytes *
read_file (Fixture *f, guint16 fid)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();

  for (;;)
    {
      g_autoptr (ClResponse) r = xfer (f, cl_schsm_apdu_read_binary (fid, (guint16)out->len, 128));
      gsize n;

      if (r->sw != 0x9000)
        return out->len ? g_bytes_new (out->data, out->len) : NULL;
      n = g_bytes_get_size (r->data);
      g_byte_array_append (out, g_bytes_get_data (r->data, NULL), (guint)n);
      if (n < 128)
        break;
    }
  return g_bytes_new (out->data, out->len);
}

static GBytes *gakp_data (const char *group, ClCvcAlgorithm algorithm);

/* production: the device key, made once, without a PIN, before any initialisation */
static ClCvcRequest *
generate_device_key (Fixture *f)
{
  g_autoptr (GBytes) d = gakp_data ("prime256v1", CL_CVC_ALGORITHM_ECDSA_SHA256);
  g_autoptr (ClResponse) r = xfer (f, cl_schsm_apdu_generate_key (0, 0, d));
  g_autoptr (GError) error = NULL;
  ClCvcRequest *req;

  g_assert_cmphex (r->sw, ==, 0x9000);
  req = cl_cvc_request_new_from_bytes (r->data, &error);
  g_assert_no_error (error);
  return req;
}

static ClCvcRequest *
device_request (Fixture *f)
{
  g_autoptr (GBytes) ce00 = read_file (f, 0xCE00);
  g_autoptr (GError) error = NULL;
  ClCvcRequest *req;

  g_assert_nonnull (ce00);
  req = cl_cvc_request_new_from_bytes (ce00, &error);
  g_assert_no_error (error);
  return req;
}

static void
test_initialize (Fixture *f, gconstpointer data)
{
  g_autoptr (ClCvcRequest) req = NULL;
  g_autoptr (GError) error = NULL;
  ClCvc *inner;

  select_applet (f);
  g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_verify (0x81, NULL, 0)), ==, 0x6A88);
  {
    g_autoptr (ClCvcRequest) made = generate_device_key (f);
    g_autoptr (GBytes) d = gakp_data ("prime256v1", CL_CVC_ALGORITHM_ECDSA_SHA256);
    /* once in the card's life */
    g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_generate_key (0, 0, d)), ==, 0x6985);
    initialize (f);
    g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_verify (0x81, NULL, 0)), ==, 0x63C3);
    req = device_request (f);
    g_assert_true (g_bytes_equal (cl_cvc_request_get_encoded (made), cl_cvc_request_get_encoded (req)));
  }
  g_assert_true (cl_cvc_request_is_authenticated (req));
  g_assert_true (cl_cvc_request_verify_inner (req, CL_CVC_CURVE_P256, &error));
  g_assert_no_error (error);
  inner = cl_cvc_request_get_inner (req);
  g_assert_cmpstr (cl_cvc_get_chr (inner), ==, "UTTM00001");
  {
    g_autoptr (EVP_PKEY) key = cl_cvc_get_public_key (inner, CL_CVC_CURVE_P256, &error);
    g_assert_no_error (error);
    g_assert_true (cl_cvc_request_verify_outer (req, key, CL_CVC_ALGORITHM_ECDSA_SHA256, &error));
    g_assert_no_error (error);
  }

  /* re-initialisation needs the SO-PIN */
  {
    static const guint8 wrong_so[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    ClSchsmInitParams params = { 0x0001, pin, 6, wrong_so, 8, 3, -1 };
    g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_initialize (&params, NULL)), ==, 0x63CE);
  }
}

static void
test_pins (Fixture *f, gconstpointer data)
{
  static const guint8 wrong[] = "000000";
  static const guint8 new_pin[] = "123456";

  select_applet (f);
  initialize (f);
  g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_verify (0x81, wrong, 6)), ==, 0x63C2);
  g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_verify (0x81, pin, 6)), ==, 0x9000);
  g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_verify (0x81, NULL, 0)), ==, 0x9000);
  for (guint i = 0; i < 2; i++)
    xfer_sw (f, cl_schsm_apdu_verify (0x81, wrong, 6));
  g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_verify (0x81, wrong, 6)), ==, 0x6983);
  g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_verify (0x81, pin, 6)), ==, 0x6983);
  /* blocked: the SO unblocks and sets a new PIN */
  g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_reset_retry_counter (so_pin, 8, new_pin, 6)), ==, 0x9000);
  g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_verify (0x81, new_pin, 6)), ==, 0x9000);
  g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_change_reference_data (0x81, new_pin, 6, pin, 6)), ==, 0x9000);

  /* the counters are persistent: a re-inserted card remembers */
  fixture_insert (f);
  select_applet (f);
  g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_verify (0x81, wrong, 6)), ==, 0x63C2);
  fixture_insert (f);
  select_applet (f);
  g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_verify (0x81, NULL, 0)), ==, 0x63C2);
  g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_verify (0x81, pin, 6)), ==, 0x9000);
}

static GBytes *
gakp_data (const char *group, ClCvcAlgorithm algorithm)
{
  g_autoptr (ClCvcBody) body = cl_cvc_body_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (EVP_PKEY) template_key = EVP_PKEY_Q_keygen (NULL, NULL, "EC", group);
  GBytes *contents;

  body->car = g_strdup ("UTCA00001");
  body->chr = g_strdup ("UTTM00001");
  g_assert_true (cl_cvc_body_set_public_key (body, template_key, algorithm, TRUE, &error));
  contents = cl_cvc_body_encode_contents (body, &error);
  g_assert_no_error (error);
  return contents;
}

static void
test_keygen_sign (Fixture *f, gconstpointer data)
{
  static const char *const groups[] = { "prime256v1", "brainpoolP256r1", "secp384r1" };
  g_autoptr (ClCvcRequest) dev = NULL;
  g_autoptr (EVP_PKEY) device_key = NULL;
  g_autoptr (GError) error = NULL;

  select_applet (f);
  dev = generate_device_key (f);
  initialize (f);
  device_key = cl_cvc_get_public_key (cl_cvc_request_get_inner (dev), CL_CVC_CURVE_P256, &error);
  g_assert_no_error (error);

  {
    g_autoptr (GBytes) d = gakp_data ("prime256v1", CL_CVC_ALGORITHM_ECDSA_SHA256);
    g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_generate_key (1, 0, d)), ==, 0x6982);
  }
  g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_verify (0x81, pin, 6)), ==, 0x9000);
  for (guint i = 0; i < G_N_ELEMENTS (groups); i++)
    {
      g_autoptr (GBytes) d = gakp_data (groups[i], CL_CVC_ALGORITHM_ECDSA_SHA256);
      g_autoptr (ClResponse) r = xfer (f, cl_schsm_apdu_generate_key ((guint8)(i + 1), 0, d));
      g_autoptr (ClCvcRequest) req = NULL;
      g_autoptr (EVP_PKEY) pub = NULL;
      g_autoptr (ClResponse) sig = NULL;
      g_autoptr (EVP_PKEY_CTX) ctx = NULL;
      static const guint8 msg[] = "production";
      guint8 hash[32];

      g_assert_cmphex (r->sw, ==, 0x9000);
      req = cl_cvc_request_new_from_bytes (r->data, &error);
      g_assert_no_error (error);
      g_assert_true (cl_cvc_request_verify_inner (req, CL_CVC_CURVE_NONE, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (cl_cvc_request_get_outer_car (req), ==, cl_cvc_get_chr (cl_cvc_request_get_inner (dev)));
      g_assert_true (cl_cvc_request_verify_outer (req, device_key, CL_CVC_ALGORITHM_ECDSA_SHA256, &error));
      g_assert_no_error (error);

      /* SIGN with SHA-256 on the card; the DER signature verifies with the request's key */
      pub = cl_cvc_get_public_key (cl_cvc_request_get_inner (req), CL_CVC_CURVE_NONE, &error);
      g_assert_no_error (error);
      sig = xfer (f, cl_apdu_new (0x80, 0x68, (guint8)(i + 1), 0x73, msg, sizeof msg, 256));
      g_assert_cmphex (sig->sw, ==, 0x9000);
      cl_sha256 (msg, sizeof msg, hash);
      ctx = EVP_PKEY_CTX_new (pub, NULL);
      g_assert_cmpint (EVP_PKEY_verify_init (ctx), ==, 1);
      g_assert_cmpint (
        EVP_PKEY_verify (ctx, g_bytes_get_data (sig->data, NULL), g_bytes_get_size (sig->data), hash, sizeof hash), ==,
        1);
    }

  /* LIST FILES shows the keys and the device request; DELETE FILE removes a key */
  {
    g_autoptr (ClResponse) r = xfer (f, cl_schsm_apdu_list_files ());
    g_autofree char *hex = cl_hex_encode_bytes (r->data);
    g_assert_nonnull (strstr (hex, "CC00"));
    g_assert_nonnull (strstr (hex, "CC03"));
    g_assert_nonnull (strstr (hex, "CE00"));
  }
  g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_delete_file (0xCC02)), ==, 0x9000);
  g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_delete_file (0xCC02)), ==, 0x6A82);
  g_assert_cmphex (xfer_sw (f, cl_apdu_new (0x00, 0x84, 0x00, 0x00, NULL, 0, 8)), ==, 0x9000);

  g_assert_true (cl_vcard_image_set_defect (f->image, "keygen_fail", "true", NULL));
  {
    g_autoptr (GBytes) d = gakp_data ("prime256v1", CL_CVC_ALGORITHM_ECDSA_SHA256);
    g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_generate_key (4, 0, d)), ==, 0x6F00);
  }
}

static void
test_devaut_and_dkek (Fixture *f, gconstpointer data)
{
  static const guint8 cert[] = { 0x7F, 0x21, 0x03, 0x01, 0x02, 0x03 };
  guint8 share[32], hash[32];
  g_autoptr (ClResponse) r = NULL;
  g_autoptr (GBytes) back = NULL;
  g_autoptr (GError) error = NULL;
  ClSchsmDkekStatus status;

  select_applet (f);
  g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_update_binary (0x2F02, 0, cert, sizeof cert)), ==, 0x6985);
  g_object_unref (generate_device_key (f));
  initialize (f);
  /* the station writes C_DevAut without the user PIN and reads it back in the same session */
  g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_update_binary (0x2F02, 0, cert, 3)), ==, 0x9000);
  g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_update_binary (0x2F02, 3, cert + 3, 3)), ==, 0x9000);
  back = read_file (f, 0x2F02);
  g_assert_cmpmem (g_bytes_get_data (back, NULL), g_bytes_get_size (back), cert, sizeof cert);
  /* other files need the PIN */
  g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_update_binary (0xC401, 0, cert, 3)), ==, 0x6982);
  /* a write cut short stays open across sessions, so the station can complete it on re-insertion */
  fixture_insert (f);
  select_applet (f);
  g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_update_binary (0x2F02, 0, cert, 3)), ==, 0x9000);
  /* a whole chain (device CVC || DICA CVC) locks it once the session ends */
  {
    g_autoptr (ClTestVectors) v = cl_test_vectors_load ("cvc.txt");
    g_autoptr (GBytes) device = cl_test_vectors_get_hex (v, "pico_device", "cert");
    g_autoptr (GBytes) dica = cl_test_vectors_get_hex (v, "pico_dica", "cert");
    g_autoptr (GByteArray) chain = g_byte_array_new ();
    gsize done = 0;

    g_byte_array_append (chain, g_bytes_get_data (device, NULL), (guint)g_bytes_get_size (device));
    g_byte_array_append (chain, g_bytes_get_data (dica, NULL), (guint)g_bytes_get_size (dica));
    while (done < chain->len)
      {
        gsize n = MIN (chain->len - done, 200);

        g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_update_binary (0x2F02, (guint16)done, chain->data + done, n)), ==,
                         0x9000);
        done += n;
      }
  }
  fixture_insert (f);
  select_applet (f);
  g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_update_binary (0x2F02, 0, cert, 3)), ==, 0x6985);

  for (guint i = 0; i < 32; i++)
    share[i] = (guint8)(i * 7 + 1);
  r = xfer (f, cl_schsm_apdu_import_dkek_share (share));
  g_assert_cmphex (r->sw, ==, 0x9000);
  g_assert_true (
    cl_schsm_parse_dkek_status (g_bytes_get_data (r->data, NULL), g_bytes_get_size (r->data), &status, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (status.total, ==, 1);
  g_assert_cmpuint (status.outstanding, ==, 0);
  cl_sha256 (share, sizeof share, hash);
  g_assert_cmpmem (status.kcv, 8, hash, 8);
  g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_import_dkek_share (share)), ==, 0x6985);
}

/* The customer's INITIALIZE DEVICE keeps the device key and its certificate: the token keeps its identity. */
static void
test_identity_survives (Fixture *f, gconstpointer data)
{
  static const guint8 cert[] = { 0x7F, 0x21, 0x03, 0x01, 0x02, 0x03 };
  static const guint8 customer_so[8] = { '1', '2', '3', '4', '5', '6', '7', '8' };
  static const guint8 customer_pin[] = "424242";
  static const char ef_dir_hex[] = "611C4F0BE82B0601040181C31F0201500D536D61727443617264"
                                   "2D48534D";
  g_autoptr (ClCvcRequest) dev = NULL;
  g_autoptr (GBytes) before = NULL, after = NULL, dir = NULL, info = NULL;
  g_autofree char *dir_hex = NULL;

  select_applet (f);
  /* EF.DIR and the static token info are there on a blank applet, as on pico-hsm */
  dir = read_file (f, 0x2F00);
  g_assert_nonnull (dir);
  dir_hex = cl_hex_encode_bytes (dir);
  g_assert_cmpstr (dir_hex, ==, ef_dir_hex);
  info = read_file (f, 0x2F03);
  g_assert_nonnull (info);
  g_assert_cmphex (((const guint8 *)g_bytes_get_data (info, NULL))[0], ==, 0x30);
  /* no customer INITIALIZE makes a device key */
  {
    ClSchsmInitParams params = { 0x0001, customer_pin, 6, customer_so, 8, 3, 0 };
    g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_initialize (&params, NULL)), ==, 0x9000);
    g_assert_null (read_file (f, 0xCE00));
  }
  dev = generate_device_key (f);
  g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_update_binary (0x2F02, 0, cert, sizeof cert)), ==, 0x9000);
  before = read_file (f, 0x2F02);
  fixture_insert (f);
  select_applet (f);
  /* the customer re-initialises with the SO-PIN of the earlier initialisation */
  {
    ClSchsmInitParams params = { 0x0001, pin, 6, customer_so, 8, 3, -1 };
    g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_initialize (&params, NULL)), ==, 0x9000);
  }
  after = read_file (f, 0x2F02);
  g_assert_true (g_bytes_equal (before, after));
  {
    g_autoptr (ClCvcRequest) again = device_request (f);
    g_assert_true (g_bytes_equal (cl_cvc_request_get_encoded (dev), cl_cvc_request_get_encoded (again)));
  }
  /* the device key still signs key requests, and can be neither regenerated nor deleted */
  g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_verify (0x81, pin, 6)), ==, 0x9000);
  {
    g_autoptr (GBytes) d = gakp_data ("prime256v1", CL_CVC_ALGORITHM_ECDSA_SHA256);
    g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_generate_key (0, 0, d)), ==, 0x6985);
    g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_generate_key (1, 0, d)), ==, 0x9000);
  }
  g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_delete_file (0xCC00)), ==, 0x6985);
  g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_delete_file (0x2F02)), ==, 0x6985);
  g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_update_binary (0x2F00, 0, cert, 3)), ==, 0x6985);
}

static char *
token_label (Fixture *f)
{
  g_autoptr (GBytes) info = read_file (f, CL_SCHSM_FID_TOKEN_INFO);
  g_autoptr (GError) error = NULL;
  char *label = cl_schsm_token_info_label (info, &error);

  g_assert_no_error (error);
  return label;
}

/* EF.TokenInfo (2F03) as on the real applet: the card's own until the host writes one, which takes the user PIN
 * verified (as sc-hsm-tool --initialize --label does it); it survives a new session; INITIALIZE DEVICE deletes it
 * with the customer's files, and the card's own is back. EF.DIR stays the card's. */
static void
test_token_info (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) info = cl_schsm_token_info_encode ("Line 7 token", NULL);
  const guint8 *d = g_bytes_get_data (info, NULL);
  gsize len = g_bytes_get_size (info);
  g_autofree char *before = NULL, *written = NULL, *kept = NULL, *after = NULL;

  select_applet (f);
  initialize (f);
  before = token_label (f);
  g_assert_cmpstr (before, ==, "SmartCard-HSM");
  g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_update_binary (CL_SCHSM_FID_TOKEN_INFO, 0, d, len)), ==, 0x6982);
  g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_verify (0x81, pin, 6)), ==, 0x9000);
  g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_update_binary (CL_SCHSM_FID_TOKEN_INFO, 0, d, len)), ==, 0x9000);
  g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_update_binary (0x2F00, 0, d, len)), ==, 0x6985);
  written = token_label (f);
  g_assert_cmpstr (written, ==, "Line 7 token");
  fixture_insert (f);
  select_applet (f);
  kept = token_label (f);
  g_assert_cmpstr (kept, ==, "Line 7 token");
  {
    ClSchsmInitParams params = { 0x0001, pin, 6, so_pin, 8, 3, -1 };

    g_assert_cmphex (xfer_sw (f, cl_schsm_apdu_initialize (&params, NULL)), ==, 0x9000);
  }
  after = token_label (f);
  g_assert_cmpstr (after, ==, "SmartCard-HSM");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/vcard/schsm/initialize", Fixture, NULL, fixture_set_up, test_initialize, fixture_tear_down);
  g_test_add ("/vcard/schsm/token-info", Fixture, NULL, fixture_set_up, test_token_info, fixture_tear_down);
  g_test_add ("/vcard/schsm/pins", Fixture, NULL, fixture_set_up, test_pins, fixture_tear_down);
  g_test_add ("/vcard/schsm/keygen-sign", Fixture, NULL, fixture_set_up, test_keygen_sign, fixture_tear_down);
  g_test_add ("/vcard/schsm/devaut-dkek", Fixture, NULL, fixture_set_up, test_devaut_and_dkek, fixture_tear_down);
  g_test_add ("/vcard/schsm/identity-survives", Fixture, NULL, fixture_set_up, test_identity_survives,
              fixture_tear_down);
  return g_test_run ();
}
