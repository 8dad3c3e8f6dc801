/* Unit tests of lib/gp's pure builders and parsers: INSTALL/LOAD against load.txt, PUT KEY against an
 * expectation computed here with OpenSSL, GET STATUS, CPLC and the smaller data objects. */
#include <string.h>

#include <openssl/evp.h>

#include "cap/cl-cap-file.h"
#include "cl-test-vectors.h"
#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-plain-key-set.h"
#include "gp/cl-cplc.h"
#include "gp/cl-gp-aid.h"
#include "gp/cl-gp-data.h"
#include "gp/cl-gp-install.h"
#include "gp/cl-gp-manage.h"
#include "gp/cl-gp-put-key.h"
#include "gp/cl-gp-select.h"
#include "gp/cl-gp-status.h"
#include "tlv/cl-tlv.h"

static GBytes *
hex (const char *text)
{
  g_autoptr (GError) error = NULL;
  GBytes *bytes = cl_hex_decode (text, &error);

  g_assert_no_error (error);
  return bytes;
}

static void
assert_apdu (const ClApdu *apdu, const char *expected_hex)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) encoded = cl_apdu_encode (apdu, &error);

  g_assert_no_error (error);
  cl_test_assert_bytes_hex (encoded, expected_hex, "APDU");
}

static ClCapFile *
helloworld (void)
{
  g_autofree char *path = cl_test_shared_path ("data/caps/helloworld.cap");
  g_autoptr (GError) error = NULL;
  ClCapFile *cap = cl_cap_file_new_from_path (path, &error);

  g_assert_no_error (error);
  return cap;
}

static ClGpAid
aid_of (GBytes *bytes)
{
  ClGpAid aid;

  aid.aid = g_bytes_get_data (bytes, &aid.len);
  return aid;
}

/* ---- INSTALL / LOAD against load.txt ---- */

static void
test_install_for_load (void)
{
  g_autoptr (ClTestVectors) v = cl_test_vectors_load ("load.txt");
  g_autoptr (ClCapFile) cap = helloworld ();
  g_autoptr (GBytes) sd = hex ("A000000003000000");
  /* The memory limits the recorded session asked for: 352 bytes of code, 2000 of data. */
  g_autoptr (GBytes) params = cl_gp_build_load_parameters (352, 0, 2000);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) data
    = cl_gp_install_for_load_data (aid_of (cl_cap_file_get_package_aid (cap)), aid_of (sd), NULL, params, NULL, &error);
  g_autoptr (ClApdu) apdu = NULL;
  g_autofree char *expected_hex = NULL;

  g_assert_no_error (error);
  cl_test_assert_bytes_hex (data, cl_test_vectors_get (v, "helloworld_with_descriptor", "install_for_load_data"),
                            "INSTALL [for load] data");
  apdu
    = cl_gp_install_for_load_apdu (aid_of (cl_cap_file_get_package_aid (cap)), aid_of (sd), NULL, params, NULL, &error);
  expected_hex = g_strdup_printf ("80E60200%02X%s00", (guint)g_bytes_get_size (data),
                                  cl_test_vectors_get (v, "helloworld_with_descriptor", "install_for_load_data"));
  assert_apdu (apdu, expected_hex);

  {
    /* With a hash: the SHA-1 of the load file goes in as one length-prefixed field. */
    g_autoptr (GBytes) hash = cl_cap_file_compute_load_file_hash (cap, TRUE, CL_CAP_HASH_SHA1, &error);
    g_autoptr (GBytes) with_hash
      = cl_gp_install_for_load_data (aid_of (cl_cap_file_get_package_aid (cap)), aid_of (sd), hash, NULL, NULL, &error);
    const guint8 *d = g_bytes_get_data (with_hash, NULL);

    g_assert_no_error (error);
    g_assert_cmpuint (d[1 + 7 + 1 + 8], ==, 20);
    g_assert_cmpuint (g_bytes_get_size (with_hash), ==, 1 + 7 + 1 + 8 + 1 + 20 + 1 + 1);
  }
  {
    ClGpAid bad = { (const guint8 *)"\x01\x02", 2 };
    g_autoptr (GBytes) none = cl_gp_install_for_load_data (bad, aid_of (sd), NULL, NULL, NULL, &error);

    g_assert_null (none);
    g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  }
}

static void
test_install_for_install (void)
{
  g_autoptr (ClTestVectors) v = cl_test_vectors_load ("load.txt");
  g_autoptr (ClCapFile) cap = helloworld ();
  GBytes *applet = g_ptr_array_index (cl_cap_file_get_applet_aids (cap), 0);
  const guint8 applet_params[] = { 0x00 };
  const guint8 privileges[] = { 0x02 };
  g_autoptr (GBytes) params = cl_gp_build_install_parameters (applet_params, sizeof applet_params, 0, 2000);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) data
    = cl_gp_install_for_install_data (aid_of (cl_cap_file_get_package_aid (cap)), aid_of (applet), aid_of (applet),
                                      privileges, sizeof privileges, params, NULL, &error);
  g_autoptr (ClApdu) apdu
    = cl_gp_install_for_install_apdu (aid_of (cl_cap_file_get_package_aid (cap)), aid_of (applet), aid_of (applet),
                                      privileges, sizeof privileges, params, NULL, &error);
  g_autoptr (GBytes) empty_params = cl_gp_build_install_parameters (NULL, 0, 0, 0);

  g_assert_no_error (error);
  cl_test_assert_bytes_hex (data, cl_test_vectors_get (v, "helloworld_with_descriptor", "install_for_install_data"),
                            "INSTALL [for install] data");
  g_assert_cmpuint (apdu->p1, ==, 0x0C);
  g_assert_cmpuint (apdu->p2, ==, 0x00);
  cl_test_assert_bytes_hex (empty_params, "C900", "empty install parameters");
}

static void
test_load_blocks (void)
{
  g_autoptr (ClTestVectors) v = cl_test_vectors_load ("load.txt");
  g_autoptr (ClCapFile) cap = helloworld ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) lfdb = cl_cap_file_build_load_file_data_block (cap, TRUE, &error);
  g_autoptr (GPtrArray) apdus = cl_gp_load_apdus (lfdb, 239, &error);
  const char *names[] = { "load_block_0", "load_block_1" };

  g_assert_no_error (error);
  g_assert_cmpuint (apdus->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      const ClApdu *apdu = g_ptr_array_index (apdus, i);

      g_assert_cmpuint (apdu->cla, ==, 0x80);
      g_assert_cmpuint (apdu->ins, ==, 0xE8);
      g_assert_cmpuint (apdu->p1, ==, i == 1 ? 0x80 : 0x00);
      g_assert_cmpuint (apdu->p2, ==, i);
      cl_test_assert_bytes_hex (apdu->data, cl_test_vectors_get (v, "helloworld_with_descriptor", names[i]), names[i]);
    }
  g_clear_pointer (&apdus, g_ptr_array_unref);
  {
    g_autofree guint8 *big = g_malloc0 (256 * 10 + 1);
    g_autoptr (GBytes) huge = g_bytes_new_take (g_steal_pointer (&big), 256 * 10 + 1);

    apdus = cl_gp_load_apdus (huge, 10, &error);
    g_assert_null (apdus);
    g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  }
}

/* ---- PUT KEY ---- */

static GBytes *
openssl_encrypt (const char *cipher_name, GBytes *key, GBytes *plain)
{
  EVP_CIPHER *cipher = EVP_CIPHER_fetch (NULL, cipher_name, NULL);
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new ();
  guint8 iv[16] = { 0 };
  guint8 out[64];
  int n = 0, m = 0;

  g_assert_nonnull (cipher);
  g_assert_cmpint (EVP_EncryptInit_ex2 (ctx, cipher, g_bytes_get_data (key, NULL), iv, NULL), ==, 1);
  EVP_CIPHER_CTX_set_padding (ctx, 0);
  g_assert_cmpint (EVP_EncryptUpdate (ctx, out, &n, g_bytes_get_data (plain, NULL), (int)g_bytes_get_size (plain)), ==,
                   1);
  g_assert_cmpint (EVP_EncryptFinal_ex (ctx, out + n, &m), ==, 1);
  EVP_CIPHER_CTX_free (ctx);
  EVP_CIPHER_free (cipher);
  return g_bytes_new (out, n + m);
}

static char *
expected_aes_kcv (GBytes *key)
{
  g_autoptr (GBytes) ones = hex ("01010101010101010101010101010101");
  g_autoptr (GBytes) enc = openssl_encrypt ("AES-128-ECB", key, ones);

  return cl_hex_encode (g_bytes_get_data (enc, NULL), 3);
}

static void
test_put_key_aes (void)
{
  g_autoptr (ClTestVectors) kcv = cl_test_vectors_load ("kcv.txt");
  const char *sections[3] = { "aes_0001", "aes_1011", "aes_2021" };
  g_autoptr (GBytes) enc = cl_test_vectors_get_hex (kcv, "aes_0001", "key");
  g_autoptr (GBytes) mac = cl_test_vectors_get_hex (kcv, "aes_1011", "key");
  g_autoptr (GBytes) dek = cl_test_vectors_get_hex (kcv, "aes_2021", "key");
  g_autoptr (GBytes) cur = cl_test_vectors_get_hex (kcv, "aes_4041", "key");
  GBytes *new_keys[3] = { enc, mac, dek };
  g_autoptr (GError) error = NULL;
  g_autoptr (ClKeySet) current
    = cl_plain_key_set_new (CL_KEY_TYPE_AES, 0x30, g_bytes_get_data (cur, NULL), g_bytes_get_data (cur, NULL),
                            g_bytes_get_data (cur, NULL), 16, &error);
  g_autoptr (ClKeySet) next
    = cl_plain_key_set_new (CL_KEY_TYPE_AES, 0x31, g_bytes_get_data (enc, NULL), g_bytes_get_data (mac, NULL),
                            g_bytes_get_data (dek, NULL), 16, &error);
  g_autoptr (GString) want = g_string_new ("31");
  g_autoptr (GString) want_short = g_string_new ("31");
  g_autoptr (GString) response = g_string_new ("31");
  ClGpKeyWrap wrap = { .mode = CL_GP_KEY_WRAP_STATIC_DEK, .current = current, .inner_length = TRUE };
  ClGpKeyCheck check;
  g_autoptr (ClApdu) apdu = NULL;
  g_autoptr (ClApdu) apdu_short = NULL;
  g_autoptr (ClApdu) apdu_add = NULL;
  g_autoptr (GBytes) resp = NULL;

  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (GBytes) wrapped = openssl_encrypt ("AES-128-CBC", cur, new_keys[i]);
      g_autofree char *w = cl_hex_encode_bytes (wrapped);
      g_autofree char *k = expected_aes_kcv (new_keys[i]);

      /* The independent KCV agrees with the published one. */
      g_assert_cmpstr (k, ==, cl_test_vectors_get (kcv, sections[i], "kcv"));
      g_string_append_printf (want, "881110%s03%s", w, k);
      g_string_append_printf (want_short, "8810%s03%s", w, k);
      g_string_append (response, k);
    }

  apdu = cl_gp_put_key_apdu (next, 0x30, &wrap, &check, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (apdu->cla, ==, 0x80);
  g_assert_cmpuint (apdu->ins, ==, 0xD8);
  g_assert_cmpuint (apdu->p1, ==, 0x30);
  g_assert_cmpuint (apdu->p2, ==, 0x81);
  g_assert_true (apdu->flags & CL_APDU_FLAG_SENSITIVE);
  cl_test_assert_bytes_hex (apdu->data, want->str, "PUT KEY data (inner length)");

  wrap.inner_length = FALSE;
  apdu_short = cl_gp_put_key_apdu (next, 0x30, &wrap, NULL, &error);
  g_assert_no_error (error);
  cl_test_assert_bytes_hex (apdu_short->data, want_short->str, "PUT KEY data (no inner length)");

  apdu_add = cl_gp_put_key_apdu (next, 0x00, &wrap, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (apdu_add->p1, ==, 0x00);

  resp = hex (response->str);
  g_assert_true (cl_gp_put_key_check_response (g_bytes_get_data (resp, NULL), g_bytes_get_size (resp), &check, &error));
  g_assert_no_error (error);
  {
    g_autofree guint8 *bad = g_memdup2 (g_bytes_get_data (resp, NULL), 10);

    bad[5] ^= 0x01;
    g_assert_false (cl_gp_put_key_check_response (bad, 10, &check, &error));
    g_assert_error (error, CL_ERROR, CL_ERROR_SECURITY);
    g_assert_nonnull (strstr (error->message, "MAC key (key 2)"));
    g_clear_error (&error);
    bad[5] ^= 0x01;
    bad[0] = 0x32;
    g_assert_false (cl_gp_put_key_check_response (bad, 10, &check, &error));
    g_assert_error (error, CL_ERROR, CL_ERROR_SECURITY);
    g_clear_error (&error);
    g_assert_false (cl_gp_put_key_check_response (bad, 4, &check, &error));
    g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
    g_clear_error (&error);
  }
  {
    ClGpKeyWrap session = { .mode = CL_GP_KEY_WRAP_SESSION_DEK,
                            .session_dek = (const guint8 *)"0123456789abcdef",
                            .session_dek_len = 16 };
    g_autoptr (ClApdu) none = cl_gp_put_key_apdu (next, 0x30, &session, NULL, &error);

    g_assert_null (none);
    g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  }
}

static void
test_put_key_des3 (void)
{
  g_autoptr (ClTestVectors) kcv = cl_test_vectors_load ("kcv.txt");
  g_autoptr (GBytes) key = cl_test_vectors_get_hex (kcv, "des3_4041", "key");
  g_autoptr (GBytes) session_dek = hex ("00112233445566778899AABBCCDDEEFF");
  g_autoptr (GError) error = NULL;
  g_autoptr (ClKeySet) next
    = cl_plain_key_set_new (CL_KEY_TYPE_DES3, 0x21, g_bytes_get_data (key, NULL), g_bytes_get_data (key, NULL),
                            g_bytes_get_data (key, NULL), 16, &error);
  ClGpKeyWrap wrap = { .mode = CL_GP_KEY_WRAP_SESSION_DEK,
                       .session_dek = g_bytes_get_data (session_dek, NULL),
                       .session_dek_len = 16 };
  g_autoptr (GBytes) wrapped = openssl_encrypt ("DES-EDE-ECB", session_dek, key);
  g_autofree char *w = cl_hex_encode_bytes (wrapped);
  const char *k = cl_test_vectors_get (kcv, "des3_4041", "kcv");
  g_autofree char *want = g_strdup_printf ("21"
                                           "8010%s03%s"
                                           "8010%s03%s"
                                           "8010%s03%s",
                                           w, k, w, k, w, k);
  g_autoptr (ClApdu) apdu = cl_gp_put_key_apdu (next, 0x20, &wrap, NULL, &error);

  g_assert_no_error (error);
  cl_test_assert_bytes_hex (apdu->data, want, "SCP02 PUT KEY data");
  g_assert_true (apdu->flags & CL_APDU_FLAG_SENSITIVE);
}

/* ---- GET STATUS ---- */

static void
append_entry (GByteArray *out, const char *aid_hex, guint8 life_cycle, const char *privs_hex, const char *extra_hex)
{
  g_autoptr (GBytes) aid = hex (aid_hex);
  gsize mark = cl_tlv_begin (out, 0xE3);

  cl_tlv_append (out, 0x4F, g_bytes_get_data (aid, NULL), g_bytes_get_size (aid));
  cl_tlv_append (out, 0x9F70, &life_cycle, 1);
  if (privs_hex != NULL)
    {
      g_autoptr (GBytes) privs = hex (privs_hex);

      cl_tlv_append (out, 0xC5, g_bytes_get_data (privs, NULL), g_bytes_get_size (privs));
    }
  if (extra_hex != NULL)
    {
      g_autoptr (GBytes) extra = hex (extra_hex);

      g_byte_array_append (out, g_bytes_get_data (extra, NULL), g_bytes_get_size (extra));
    }
  cl_tlv_end (out, mark);
}

static void
test_get_status_apdu (void)
{
  g_autoptr (ClApdu) first = cl_gp_get_status_apdu (CL_GP_STATUS_APPLICATIONS, FALSE);
  g_autoptr (ClApdu) next = cl_gp_get_status_apdu (CL_GP_STATUS_LOAD_FILES_MODULES, TRUE);

  assert_apdu (first, "80F24002024F0000");
  assert_apdu (next, "80F21003024F0000");
}

static void
test_get_status_parse (void)
{
  g_autoptr (GByteArray) page = g_byte_array_new ();
  g_autoptr (GPtrArray) entries = cl_gp_registry_entries_new ();
  g_autoptr (GError) error = NULL;
  ClGpRegistryEntry *e;

  append_entry (page, "A000000151000000", 0x0F, "9EFE80", "CE020101");
  append_entry (page, "D0D1D2D3D4D50101", 0x07, "00", "CC08A000000151000000");
  append_entry (page, "D0D1D2D3D4D501", 0x01, NULL, "8408D0D1D2D3D4D5010184080102030405060708");
  g_assert_true (cl_gp_status_parse (CL_GP_STATUS_LOAD_FILES_MODULES, page->data, page->len, entries, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 3);
  e = g_ptr_array_index (entries, 0);
  cl_test_assert_bytes_hex (e->aid, "A000000151000000", "ISD AID");
  g_assert_cmpuint (e->life_cycle, ==, 0x0F);
  g_assert_cmpuint (e->privileges_len, ==, 3);
  g_assert_cmpuint (e->privileges[0], ==, 0x9E);
  cl_test_assert_bytes_hex (e->version, "0101", "version");
  e = g_ptr_array_index (entries, 1);
  cl_test_assert_bytes_hex (e->associated_sd, "A000000151000000", "associated SD");
  e = g_ptr_array_index (entries, 2);
  g_assert_cmpuint (e->modules->len, ==, 2);
  cl_test_assert_bytes_hex (g_ptr_array_index (e->modules, 1), "0102030405060708", "module 2");

  /* Empty page: no entries, no error. */
  g_assert_true (cl_gp_status_parse (CL_GP_STATUS_APPLICATIONS, NULL, 0, entries, &error));
  g_assert_cmpuint (entries->len, ==, 3);
}

static void
test_get_status_hostile (void)
{
  const struct
  {
    const char *hex;
    const char *fragment;
  } cases[] = {
    { "E3049F700107", "no AID" },
    { "E3054F07A000000151", "entry 0 at offset 0" },
    { "E30A4F04A00000009F700107", "AID (tag 4F) of 4 bytes" },
    { "E30B4F05A0000001519F7001076F00", "tag 6F at offset 13" },
    { "E3074F05A000000151", "no life cycle" },
    { "E3114F05A0000001519F700107C50401020304", "privileges (C5) of 4 bytes" },
    { "E37F", "runs past the end" },
    { "E30E4F05A0000001514F05A000000152", "two AIDs" },
    { "E30B4F05A0000001519F700107 E3054F07A000000151", "entry 1 at offset 13" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GBytes) data = hex (cases[i].hex);
      g_autoptr (GPtrArray) entries = cl_gp_registry_entries_new ();
      g_autoptr (GError) error = NULL;

      g_assert_false (cl_gp_status_parse (CL_GP_STATUS_APPLICATIONS, g_bytes_get_data (data, NULL),
                                          g_bytes_get_size (data), entries, &error));
      g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
      g_assert_cmpuint (entries->len, ==, 0);
      if (strstr (error->message, cases[i].fragment) == NULL)
        g_error ("case %s: '%s' lacks '%s'", cases[i].hex, error->message, cases[i].fragment);
    }
}

/* ---- CPLC and other data objects ---- */

static void
test_cplc (void)
{
  guint8 raw[3 + CL_CPLC_LEN] = { 0x9F, 0x7F, CL_CPLC_LEN };
  ClCplc cplc;
  g_autoptr (GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *text = NULL;

  for (guint i = 0; i < CL_CPLC_LEN; i++)
    raw[3 + i] = (guint8)i;
  g_assert_true (cl_cplc_parse (raw, sizeof raw, &cplc, &error));
  g_assert_no_error (error);
  g_assert_cmphex (cplc.ic_fabricator, ==, 0x0001);
  g_assert_cmphex (cplc.ic_type, ==, 0x0203);
  g_assert_cmphex (cplc.os_id, ==, 0x0405);
  g_assert_cmphex (cplc.os_release_date, ==, 0x0607);
  g_assert_cmphex (cplc.os_release_level, ==, 0x0809);
  g_assert_cmphex (cplc.ic_fabrication_date, ==, 0x0A0B);
  g_assert_cmphex (cplc.ic_serial_number, ==, 0x0C0D0E0F);
  g_assert_cmphex (cplc.ic_batch_id, ==, 0x1011);
  g_assert_cmphex (cplc.ic_module_fabricator, ==, 0x1213);
  g_assert_cmphex (cplc.ic_module_packaging_date, ==, 0x1415);
  g_assert_cmphex (cplc.icc_manufacturer, ==, 0x1617);
  g_assert_cmphex (cplc.ic_embedding_date, ==, 0x1819);
  g_assert_cmphex (cplc.ic_pre_personalizer, ==, 0x1A1B);
  g_assert_cmphex (cplc.ic_pre_perso_equipment_date, ==, 0x1C1D);
  g_assert_cmphex (cplc.ic_pre_perso_equipment_id, ==, 0x1E1F2021);
  g_assert_cmphex (cplc.ic_personalizer, ==, 0x2223);
  g_assert_cmphex (cplc.ic_personalization_date, ==, 0x2425);
  g_assert_cmphex (cplc.ic_perso_equipment_id, ==, 0x26272829);
  id = cl_cplc_chip_id (&cplc);
  g_assert_cmpstr (id, ==, "000102031011" "0C0D0E0F");
  text = cl_cplc_to_string (&cplc);
  g_assert_nonnull (strstr (text, "IC serial number: 0C0D0E0F"));

  /* Bare 42 bytes are accepted too. */
  g_assert_true (cl_cplc_parse (raw + 3, CL_CPLC_LEN, &cplc, &error));
  /* Wrong lengths are not. */
  g_assert_false (cl_cplc_parse (raw + 3, CL_CPLC_LEN - 1, &cplc, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
  g_clear_error (&error);
  raw[2] = CL_CPLC_LEN - 1;
  g_assert_false (cl_cplc_parse (raw, sizeof raw - 1, &cplc, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "41 bytes"));
  g_clear_error (&error);
  raw[2] = 0x7F;
  g_assert_false (cl_cplc_parse (raw, sizeof raw, &cplc, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
}

static void
test_kdd_and_key_info (void)
{
  g_autoptr (GBytes) kdd_resp = hex ("CF0A00010203040506070809");
  g_autoptr (GBytes) info = hex ("E012C00401308810C00402308810C00403308810");
  g_autoptr (GBytes) bad_info = hex ("E003C00101");
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) keys = NULL;
  g_autoptr (GArray) none = NULL;
  g_autoptr (ClApdu) get = cl_gp_get_data_apdu (CL_GP_TAG_CPLC);
  guint8 kdd[CL_GP_KDD_LEN];

  assert_apdu (get, "80CA9F7F00");
  g_assert_true (cl_gp_kdd_parse (g_bytes_get_data (kdd_resp, NULL), g_bytes_get_size (kdd_resp), kdd, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (kdd[9], ==, 9);
  g_assert_false (cl_gp_kdd_parse (g_bytes_get_data (kdd_resp, NULL), 5, kdd, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
  g_clear_error (&error);

  keys = cl_gp_key_info_parse (g_bytes_get_data (info, NULL), g_bytes_get_size (info), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 3);
  g_assert_cmpuint (g_array_index (keys, ClGpKeyInfo, 2).id, ==, 3);
  g_assert_cmpuint (g_array_index (keys, ClGpKeyInfo, 2).version, ==, 0x30);
  g_assert_cmpuint (g_array_index (keys, ClGpKeyInfo, 2).type, ==, 0x88);
  g_assert_cmpuint (g_array_index (keys, ClGpKeyInfo, 2).length, ==, 16);
  none = cl_gp_key_info_parse (g_bytes_get_data (bad_info, NULL), g_bytes_get_size (bad_info), &error);
  g_assert_null (none);
  g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
}

static void
test_select_and_fci (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClApdu) apdu = cl_gp_select_apdu (cl_gp_isd_aids[0] + 1, cl_gp_isd_aids[0][0], &error);
  g_autoptr (GBytes) fci_bytes = hex ("6F108408A000000151000000A5049F6501FF");
  g_autoptr (GBytes) bad = hex ("6A00");
  ClGpFci fci;

  assert_apdu (apdu, "00A4040008A00000015100000000");
  g_assert_true (cl_gp_fci_parse (g_bytes_get_data (fci_bytes, NULL), g_bytes_get_size (fci_bytes), &fci, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fci.aid_len, ==, 8);
  g_assert_cmpuint (fci.max_command_data, ==, 0xFF);
  g_assert_true (cl_gp_fci_parse (NULL, 0, &fci, &error));
  g_assert_false (cl_gp_fci_parse (g_bytes_get_data (bad, NULL), g_bytes_get_size (bad), &fci, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_MALFORMED);
}

static void
test_manage (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) aid = hex ("D0D1D2D3D4D501");
  g_autoptr (ClApdu) del = cl_gp_delete_apdu (g_bytes_get_data (aid, NULL), 7, FALSE, &error);
  g_autoptr (ClApdu) del_related = cl_gp_delete_apdu (g_bytes_get_data (aid, NULL), 7, TRUE, &error);
  g_autoptr (ClApdu) set_status = cl_gp_set_status_apdu (CL_GP_SET_STATUS_ISD, 0x0F, NULL, 0, &error);
  g_autoptr (GPtrArray) store = NULL;
  guint8 payload[300];

  g_assert_no_error (error);
  assert_apdu (del, "80E40000094F07D0D1D2D3D4D50100");
  assert_apdu (del_related, "80E40080094F07D0D1D2D3D4D50100");
  assert_apdu (set_status, "80F0800F");

  for (guint i = 0; i < sizeof payload; i++)
    payload[i] = (guint8)i;
  store = cl_gp_store_data_apdus (payload, sizeof payload, 200, CL_GP_STORE_DATA_DGI, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (store->len, ==, 2);
  g_assert_cmphex (((ClApdu *)g_ptr_array_index (store, 0))->p1, ==, 0x08);
  g_assert_cmphex (((ClApdu *)g_ptr_array_index (store, 0))->p2, ==, 0);
  g_assert_cmphex (((ClApdu *)g_ptr_array_index (store, 1))->p1, ==, 0x88);
  g_assert_cmphex (((ClApdu *)g_ptr_array_index (store, 1))->p2, ==, 1);
  g_assert_cmpuint (g_bytes_get_size (((ClApdu *)g_ptr_array_index (store, 1))->data), ==, 100);
  g_assert_true (((ClApdu *)g_ptr_array_index (store, 1))->flags & CL_APDU_FLAG_SENSITIVE);

  g_assert_null (cl_gp_delete_apdu (g_bytes_get_data (aid, NULL), 3, FALSE, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gp/install-for-load", test_install_for_load);
  g_test_add_func ("/gp/install-for-install", test_install_for_install);
  g_test_add_func ("/gp/load-blocks", test_load_blocks);
  g_test_add_func ("/gp/put-key/aes", test_put_key_aes);
  g_test_add_func ("/gp/put-key/des3", test_put_key_des3);
  g_test_add_func ("/gp/get-status/apdu", test_get_status_apdu);
  g_test_add_func ("/gp/get-status/parse", test_get_status_parse);
  g_test_add_func ("/gp/get-status/hostile", test_get_status_hostile);
  g_test_add_func ("/gp/cplc", test_cplc);
  g_test_add_func ("/gp/kdd-key-info", test_kdd_and_key_info);
  g_test_add_func ("/gp/select", test_select_and_fci);
  g_test_add_func ("/gp/manage", test_manage);
  return g_test_run ();
}
