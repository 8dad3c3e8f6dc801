/* The rig's SoftHSM2 token through plain PKCS#11: the module, token label and PIN file rig env exports. */
#include <dlfcn.h>
#include <sys/stat.h>

#include <gio/gio.h>
#include <p11-kit/pkcs11.h>

typedef struct
{
  void *module;
  CK_FUNCTION_LIST_PTR p11;
} Fixture;

#define assert_rv(call)                                                                                                \
  G_STMT_START                                                                                                         \
  {                                                                                                                    \
    CK_RV rv_ = (call);                                                                                                \
    if (rv_ != CKR_OK)                                                                                                 \
      g_error ("%s failed: CKR 0x%08lX", #call, (unsigned long)rv_);                                                   \
  }                                                                                                                    \
  G_STMT_END

static char *
read_pin (const char *variable)
{
  const char *path = g_getenv (variable);
  g_autoptr (GError) error = NULL;
  char *pin = NULL;
  struct stat st;

  g_assert_nonnull (path);
  g_assert_cmpint (stat (path, &st), ==, 0);
  /* PIN files must be private to their owner, as the design requires of the station's own PIN file. */
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (path, &pin, NULL, &error));
  g_assert_no_error (error);
  g_strchomp (pin);
  g_assert_cmpuint (strlen (pin), >=, 8);
  return pin;
}

static CK_SLOT_ID
find_token (Fixture *fx, const char *label)
{
  CK_ULONG count = 0;
  g_autofree CK_SLOT_ID *slots = NULL;
  char padded[32];
  gsize label_len = strlen (label);

  g_assert_cmpuint (label_len, <=, sizeof padded);
  memset (padded, ' ', sizeof padded);
  memcpy (padded, label, label_len);

  assert_rv (fx->p11->C_GetSlotList (CK_TRUE, NULL, &count));
  g_assert_cmpuint (count, >, 0);
  slots = g_new0 (CK_SLOT_ID, count);
  assert_rv (fx->p11->C_GetSlotList (CK_TRUE, slots, &count));
  for (CK_ULONG i = 0; i < count; i++)
    {
      CK_TOKEN_INFO info;
      assert_rv (fx->p11->C_GetTokenInfo (slots[i], &info));
      if (memcmp (info.label, padded, sizeof info.label) == 0)
        {
          g_assert_true (info.flags & CKF_TOKEN_INITIALIZED);
          g_assert_true (info.flags & CKF_USER_PIN_INITIALIZED);
          return slots[i];
        }
    }
  g_error ("no token labelled '%s' among %lu slots", label, (unsigned long)count);
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  const char *path = g_getenv ("CARDLINE_P11_MODULE");
  CK_C_GetFunctionList get_function_list;

  g_assert_nonnull (path);
  g_assert_nonnull (g_getenv ("SOFTHSM2_CONF"));
  fx->module = dlopen (path, RTLD_NOW | RTLD_LOCAL);
  if (fx->module == NULL)
    g_error ("cannot load %s: %s", path, dlerror ());
  get_function_list = (CK_C_GetFunctionList)dlsym (fx->module, "C_GetFunctionList");
  g_assert_nonnull (get_function_list);
  assert_rv (get_function_list (&fx->p11));
  assert_rv (fx->p11->C_Initialize (NULL));
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  assert_rv (fx->p11->C_Finalize (NULL));
  dlclose (fx->module);
}

static void
test_login_and_keygen (Fixture *fx, gconstpointer data)
{
  g_autofree char *pin = read_pin ("CARDLINE_P11_PIN_FILE");
  g_autofree char *so_pin = read_pin ("CARDLINE_P11_SO_PIN_FILE");
  const char *label = g_getenv ("CARDLINE_P11_TOKEN");
  CK_SLOT_ID slot;
  CK_SESSION_HANDLE session;
  CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
  CK_MECHANISM keygen = { CKM_AES_KEY_GEN, NULL, 0 };
  CK_MECHANISM ecb = { CKM_AES_ECB, NULL, 0 };
  CK_ULONG value_len = 32;
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  CK_ATTRIBUTE template[] = {
    { CKA_VALUE_LEN, &value_len, sizeof value_len },
    { CKA_TOKEN, &no, sizeof no },
    { CKA_SENSITIVE, &yes, sizeof yes },
    { CKA_EXTRACTABLE, &no, sizeof no },
    { CKA_ENCRYPT, &yes, sizeof yes },
  };
  CK_BYTE block[16] = { 0 }, out[16];
  CK_ULONG out_len = sizeof out;
  CK_BYTE value[32];
  CK_ATTRIBUTE get_value = { CKA_VALUE, value, sizeof value };

  g_assert_cmpstr (label, ==, "cardline-rig");
  /* The two PINs are distinct random values. */
  g_assert_cmpstr (pin, !=, so_pin);
  slot = find_token (fx, label);
  assert_rv (fx->p11->C_OpenSession (slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &session));

  g_assert_cmphex (fx->p11->C_Login (session, CKU_USER, (CK_UTF8CHAR_PTR) "not-the-pin", 11), ==, CKR_PIN_INCORRECT);
  assert_rv (fx->p11->C_Login (session, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen (pin)));

  assert_rv (fx->p11->C_GenerateKey (session, &keygen, template, G_N_ELEMENTS (template), &key));
  g_assert_cmpuint (key, !=, CK_INVALID_HANDLE);
  /* The key is usable and its value stays inside the token. */
  assert_rv (fx->p11->C_EncryptInit (session, &ecb, key));
  assert_rv (fx->p11->C_Encrypt (session, block, sizeof block, out, &out_len));
  g_assert_cmpuint (out_len, ==, 16);
  g_assert_cmphex (fx->p11->C_GetAttributeValue (session, key, &get_value, 1), ==, CKR_ATTRIBUTE_SENSITIVE);

  assert_rv (fx->p11->C_Logout (session));
  assert_rv (fx->p11->C_CloseSession (session));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/pkcs11-rig/login-and-keygen", Fixture, NULL, fixture_setup, test_login_and_keygen, fixture_teardown);
  return g_test_run ();
}
