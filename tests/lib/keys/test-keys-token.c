/* Key ceremonies, inventory, transport between two tokens and EMV helpers on the rig's SoftHSM2. */
#include <glib/gstdio.h>
#include <string.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-crypto.h"
#include "keys/cl-emv.h"
#include "keys/cl-key-ceremony.h"
#include "keys/cl-key-inventory.h"
#include "keys/cl-key-transport.h"
#include "p11-test-token.h"
#include "p11/cl-p11-error.h"
#include "p11/cl-p11-key-store.h"

/* Demo components (a test elsewhere greps audit output for them). */
static const char *const components[]
  = { "404142434445464748494A4B4C4D4E4F", "000102030405060708090A0B0C0D0E0F", "101112131415161718191A1B1C1D1E1F" };

typedef struct
{
  guint next;
  guint confirms;
  guint refuse_first;
  GPtrArray *shown;
} Script;

static char *
prompt (const ClKeyComponentInfo *info, gpointer user_data, GError **error)
{
  Script *s = user_data;
  return g_strdup (components[s->next++ % G_N_ELEMENTS (components)]);
}

static gboolean
confirm (const ClKeyComponentInfo *info, const char *kcv_hex, gpointer user_data)
{
  Script *s = user_data;
  s->confirms++;
  if (s->refuse_first > 0)
    {
      s->refuse_first--;
      s->next--; /* the custodian types the same component again */
      return FALSE;
    }
  return TRUE;
}

static gboolean
show (const ClKeyComponentInfo *info, const char *hex, const char *kcv_hex, gpointer user_data, GError **error)
{
  Script *s = user_data;
  g_ptr_array_add (s->shown, g_strdup (hex));
  return TRUE;
}

static char *
audit_path (void)
{
  return g_build_filename (p11_test_env ("CARDLINE_RIG_DIR"), "key-audit.db", NULL);
}

static ClKeyAudit *
open_audit (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = audit_path ();
  ClKeyAudit *audit = cl_key_audit_new (path, &error);
  g_assert_no_error (error);
  return audit;
}

static void
expected_kcv (guint n, ClKeyType type, gsize len, ClKcvMethod method, char out[7])
{
  guint8 sum[32] = { 0 }, kcv[3];
  g_autofree char *hex = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GBytes) c = cl_hex_decode (components[i % G_N_ELEMENTS (components)], NULL);
      for (gsize j = 0; j < len; j++)
        sum[j] ^= ((const guint8 *)g_bytes_get_data (c, NULL))[j % 16];
    }
  g_assert_true (cl_kcv_compute (method, type, sum, len, kcv, NULL));
  hex = cl_hex_encode (kcv, 3);
  memcpy (out, hex, 7);
}

static void
test_import_set (void)
{
  g_autoptr (ClP11Token) token = p11_test_token_open (TRUE);
  g_autoptr (ClKeyAudit) audit = open_audit ();
  g_autoptr (GError) error = NULL;
  g_autofree char *name = p11_test_unique_name ("KMC");
  Script script = { 0, 0, 1, NULL };
  ClKeyCeremonyIo io = { NULL, prompt, confirm, &script };
  ClKeySpec spec = { name, 1, CL_KEY_KIND_SET, CL_KEY_TYPE_AES, 16, CL_KCV_METHOD_GP, FALSE };
  g_autoptr (ClKeyRecord) record = NULL;
  g_autoptr (ClP11KeySet) set = NULL;
  guint8 kcv[3];
  char want[7];

  record = cl_key_ceremony_import (token, &spec, 2, (const char *const[]){ "alice", "bob", NULL }, &io, audit, "tester",
                                   &error);
  g_assert_no_error (error);
  g_assert_cmpint (record->origin, ==, CL_KEY_ORIGIN_COMBINED_IN_HOST); /* SoftHSM2: no CKM_XOR_BASE_AND_DATA */
  g_assert_cmpuint (script.confirms, ==, 7);                            /* 6 components + 1 refused */
  /* the prompt cycles through components: enc = c0^c1 (after the re-entry), mac = c2^c0, dek = c1^c2 */
  expected_kcv (2, CL_KEY_TYPE_AES, 16, CL_KCV_METHOD_GP, want);
  g_assert_cmpstr (record->kcv[0], ==, want);

  /* The key set works for the line, and its KCV from lib/p11 agrees. */
  set = cl_key_inventory_open_key_set (token, name, 1, CL_P11_KEY_SET_OPTIONS_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (cl_key_set_check_value (CL_KEY_SET (set), CL_KEY_ROLE_ENC, kcv, &error));
  {
    g_autofree char *hex = cl_hex_encode (kcv, 3);
    g_assert_cmpstr (hex, ==, want);
  }
  g_clear_object (&set);

  /* same version again is refused */
  script.next = 0;
  g_assert_null (cl_key_ceremony_import (token, &spec, 2, NULL, &io, audit, "tester", &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* listed, then retired: never opened again */
  {
    g_autoptr (GPtrArray) list = cl_key_inventory_list (token, &error);
    gboolean seen = FALSE;
    g_assert_no_error (error);
    for (guint i = 0; i < list->len; i++)
      {
        ClKeyRecord *r = g_ptr_array_index (list, i);
        if (g_str_equal (r->name, name))
          seen = r->last_used > 0 && !r->retired;
      }
    g_assert_true (seen);
  }
  g_assert_true (cl_key_inventory_retire (token, name, 1, FALSE, audit, "tester", &error));
  g_assert_no_error (error);
  g_assert_null (cl_key_inventory_open_key_set (token, name, 1, CL_P11_KEY_SET_OPTIONS_NONE, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_SECURITY);
  g_clear_error (&error);
  g_assert_null (cl_p11_token_find_key_set (token, name, 1, CL_P11_KEY_SET_OPTIONS_NONE, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_NOT_FOUND);
}

static void
test_generate_cmac (void)
{
  g_autoptr (ClP11Token) token = p11_test_token_open (TRUE);
  g_autoptr (ClKeyAudit) audit = open_audit ();
  g_autoptr (GError) error = NULL;
  g_autofree char *name = p11_test_unique_name ("KST");
  Script script = { 0, 0, 0, g_ptr_array_new_with_free_func (g_free) };
  ClKeyCeremonyIo io = { show, NULL, NULL, &script };
  ClKeySpec spec = { name, 2, CL_KEY_KIND_SINGLE, CL_KEY_TYPE_AES, 32, CL_KCV_METHOD_AES_CMAC, FALSE };
  g_autoptr (ClKeyRecord) record = cl_key_ceremony_generate (token, &spec, 3, NULL, &io, audit, "tester", &error);
  guint8 sum[32] = { 0 }, kcv[3];
  g_autofree char *hex = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (script.shown->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (GBytes) c = cl_hex_decode (g_ptr_array_index (script.shown, i), NULL);
      for (guint j = 0; j < 32; j++)
        sum[j] ^= ((const guint8 *)g_bytes_get_data (c, NULL))[j];
    }
  g_assert_true (cl_kcv_aes_cmac (sum, 32, kcv, &error));
  hex = cl_hex_encode (kcv, 3);
  g_assert_cmpstr (record->kcv[0], ==, hex);
  g_ptr_array_unref (script.shown);

  {
    g_autofree char *path = audit_path ();
    guint n = 0;
    g_assert_true (cl_key_audit_verify (path, &n, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (n, >, 0);
  }
}

/* A second token in the same SoftHSM2 configuration, initialised before the module is first loaded (SoftHSM2
 * reads its token directory once, in C_Initialize). */
static void
init_second_token (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *pin_file = g_build_filename (p11_test_env ("CARDLINE_RIG_DIR"), "hsm", "user-pin-b", NULL);
  g_autofree char *pin = g_strdup_printf ("%08u", g_random_int_range (0, 99999999));
  g_autofree char *so = g_strdup_printf ("%08u", g_random_int_range (0, 99999999));
  int status = 0;
  const char *argv[]
    = { "softhsm2-util", "--init-token", "--free", "--label", "cardline-rig-b", "--so-pin", so, "--pin", pin, NULL };

  g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (g_file_set_contents_full (pin_file, pin, -1, G_FILE_SET_CONTENTS_NONE, 0600, &error));
}

static ClP11Token *
open_second_token (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *pin_file = g_build_filename (p11_test_env ("CARDLINE_RIG_DIR"), "hsm", "user-pin-b", NULL);
  g_autoptr (ClP11Token) token = cl_p11_token_open (p11_test_env ("CARDLINE_P11_MODULE"), "cardline-rig-b", &error);

  g_assert_no_error (error);
  cl_p11_token_login_with_pin_file (token, pin_file, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&token);
}

/* the same transport key TK/1 on both tokens, from the same components */
static void
transport_key_on_both (ClP11Token *a, ClP11Token *b, const char *tk, ClKeyAudit *audit)
{
  Script script = { 0 };
  ClKeyCeremonyIo io = { NULL, prompt, NULL, &script };
  ClKeySpec spec = { tk, 1, CL_KEY_KIND_TRANSPORT, CL_KEY_TYPE_AES, 16, CL_KCV_METHOD_GP, FALSE };
  g_autoptr (GError) error = NULL;
  g_autoptr (ClKeyRecord) tk_a = cl_key_ceremony_import (a, &spec, 2, NULL, &io, audit, "tester", &error);
  g_autoptr (ClKeyRecord) tk_b = NULL;

  g_assert_no_error (error);
  script.next = 0;
  tk_b = cl_key_ceremony_import (b, &spec, 2, NULL, &io, audit, "tester", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tk_a->kcv[0], ==, tk_b->kcv[0]);
}

static void
test_transport (void)
{
  g_autoptr (ClP11Token) a = p11_test_token_open (TRUE);
  g_autoptr (ClP11Token) b = open_second_token ();
  g_autoptr (ClKeyAudit) audit = open_audit ();
  g_autoptr (GError) error = NULL;
  g_autofree char *kmc = p11_test_unique_name ("KMC");
  g_autofree char *tk = p11_test_unique_name ("TK");
  g_autofree char *file = g_build_filename (p11_test_env ("CARDLINE_RIG_DIR"), "kmc.wrapped", NULL);
  Script script = { 0 };
  ClKeyCeremonyIo io = { NULL, prompt, NULL, &script };
  ClKeySpec kmc_spec = { kmc, 3, CL_KEY_KIND_SET, CL_KEY_TYPE_DES3, 16, CL_KCV_METHOD_GP, TRUE };
  ClKeySpec fixed_spec = kmc_spec;
  g_autoptr (ClKeyRecord) master = NULL, exported = NULL, imported = NULL;
  g_autofree char *fixed_name = p11_test_unique_name ("KMCFIXED");

  transport_key_on_both (a, b, tk, audit);

  master = cl_key_ceremony_import (a, &kmc_spec, 3, NULL, &io, audit, "tester", &error);
  g_assert_no_error (error);
  exported = cl_key_transport_export (a, kmc, 3, tk, 1, file, audit, "tester", &error);
  g_assert_no_error (error);
  imported = cl_key_transport_import (b, file, audit, "tester", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpstr (imported->kcv[i], ==, master->kcv[i]);
  g_assert_cmpint (imported->origin, ==, CL_KEY_ORIGIN_UNWRAPPED);
  g_assert_false (imported->exportable);

  /* importing twice is refused */
  g_assert_null (cl_key_transport_import (b, file, audit, "tester", &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* a non-exportable master cannot leave its token */
  fixed_spec.name = fixed_name;
  fixed_spec.exportable = FALSE;
  g_clear_pointer (&master, cl_key_record_free);
  master = cl_key_ceremony_import (a, &fixed_spec, 2, NULL, &io, audit, "tester", &error);
  g_assert_no_error (error);
  g_assert_null (cl_key_transport_export (a, fixed_name, 3, tk, 1, file, audit, "tester", &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_SECURITY);
  g_clear_error (&error);
}

/* An AES key set unwrapped at a station: SoftHSM2 records no CKA_VALUE_LEN for it (and refuses one in the unwrap
 * template), so the set the line opens takes the length of its Cardline record; without it SCP03 opens nothing. */
static void
test_transport_aes_length (void)
{
  g_autoptr (ClP11Token) a = p11_test_token_open (TRUE);
  g_autoptr (ClP11Token) b = open_second_token ();
  g_autoptr (ClKeyAudit) audit = open_audit ();
  g_autoptr (GError) error = NULL;
  g_autofree char *kst = p11_test_unique_name ("KST");
  g_autofree char *tk = p11_test_unique_name ("TK");
  g_autofree char *file = g_build_filename (p11_test_env ("CARDLINE_RIG_DIR"), "kst.wrapped", NULL);
  Script script = { 0 };
  ClKeyCeremonyIo io = { NULL, prompt, NULL, &script };
  ClKeySpec kst_spec = { kst, 0x30, CL_KEY_KIND_SET, CL_KEY_TYPE_AES, 16, CL_KCV_METHOD_GP, TRUE };
  g_autoptr (ClKeyRecord) master = NULL, exported = NULL, imported = NULL;
  g_autoptr (ClP11KeySet) source = NULL, station = NULL;

  transport_key_on_both (a, b, tk, audit);
  master = cl_key_ceremony_import (a, &kst_spec, 2, NULL, &io, audit, "tester", &error);
  g_assert_no_error (error);
  exported = cl_key_transport_export (a, kst, 0x30, tk, 1, file, audit, "tester", &error);
  g_assert_no_error (error);
  imported = cl_key_transport_import (b, file, audit, "tester", &error);
  g_assert_no_error (error);

  source = cl_key_inventory_find_key_set (a, kst, 0x30, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cl_p11_key_set_get_key_length (source), ==, 16);
  station = cl_key_inventory_find_key_set (b, kst, 0x30, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cl_p11_key_set_get_key_length (station), ==, 16);
}

/* EMV option A inside the token from an IMK created by a ceremony, compared with the pyemv vector. */
static void
test_emv_in_token (void)
{
  g_autoptr (ClP11Token) token = p11_test_token_open (TRUE);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) expected = cl_hex_decode ("67F8292358083E5EA7AB7FDA58D53B6B", NULL);
  g_autoptr (ClP11Session) session = NULL;
  CK_OBJECT_HANDLE imk, mk;
  guint8 want[3], got[8], block_enc[8], block[8];
  CK_MECHANISM mech = { CKM_DES3_ECB, NULL, 0 };
  CK_ULONG len = 8;
  guint8 zero[8] = { 0 };

  /* A test-only session IMK with the vector value (a ceremony would make it a token object). */
  session = cl_p11_token_acquire_session (token, &error);
  g_assert_no_error (error);
  {
    g_autoptr (GBytes) v = cl_hex_decode ("0123456789ABCDEFFEDCBA9876543210", NULL);
    CK_OBJECT_CLASS klass = CKO_SECRET_KEY;
    CK_KEY_TYPE type = CKK_DES2;
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    CK_ATTRIBUTE tmpl[] = {
      { CKA_CLASS, &klass, sizeof klass }, { CKA_KEY_TYPE, &type, sizeof type },
      { CKA_TOKEN, &no, sizeof no },       { CKA_DERIVE, &yes, sizeof yes },
      { CKA_ENCRYPT, &yes, sizeof yes },   { CKA_VALUE, (void *)g_bytes_get_data (v, NULL), 16 },
    };
    g_assert_cmpint (session->f->C_CreateObject (session->handle, tmpl, G_N_ELEMENTS (tmpl), &imk), ==, CKR_OK);
  }
  g_assert_true (cl_emv_option_a_derive (token, imk, "99012345678901234", "45", &mk, &error));
  g_assert_no_error (error);
  g_assert_true (cl_kcv_des3 (g_bytes_get_data (expected, NULL), 16, want, &error));
  g_assert_cmpint (session->f->C_EncryptInit (session->handle, &mech, mk), ==, CKR_OK);
  g_assert_cmpint (session->f->C_Encrypt (session->handle, zero, 8, got, &len), ==, CKR_OK);
  g_assert_true (memcmp (got, want, 3) == 0);

  /* PIN block under the derived key: decrypting on the host with the expected key gives the clear block */
  g_assert_true (cl_pin_block_iso0_encrypt (token, mk, "1234", "43219876543210987", block_enc, &error));
  g_assert_no_error (error);
  g_assert_true (cl_cipher_decrypt (CL_CIPHER_DES3, CL_CIPHER_MODE_ECB, g_bytes_get_data (expected, NULL), 16, NULL,
                                    block_enc, 8, block, &error));
  {
    g_autofree char *hex = cl_hex_encode (block, 8);
    g_assert_cmpstr (hex, ==, "0412AC89ABCDEF67");
  }
  session->f->C_DestroyObject (session->handle, mk);
  session->f->C_DestroyObject (session->handle, imk);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  init_second_token ();
  g_test_add_func ("/keys/token/import-set", test_import_set);
  g_test_add_func ("/keys/token/generate-cmac", test_generate_cmac);
  g_test_add_func ("/keys/token/transport", test_transport);
  g_test_add_func ("/keys/token/transport-aes-length", test_transport_aes_length);
  g_test_add_func ("/keys/token/emv", test_emv_in_token);
  return g_test_run ();
}
