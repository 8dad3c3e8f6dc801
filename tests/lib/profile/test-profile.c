/* Unit tests of lib/profile: the shipped profiles load; every invalid field is named. */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "profile/cl-profile-reader.h"
#include "profile/cl-profile.h"

static char *
profile_path (const char *name)
{
  const char *src = g_getenv ("CARDLINE_SOURCE_DIR");

  g_assert_nonnull (src);
  return g_build_filename (src, "data", "profiles", name, NULL);
}

static char *
reference_text (void)
{
  g_autofree char *path = profile_path ("smartcard-hsm.profile");
  g_autoptr (GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* The reference as a demo profile that ships initialised cards with the fixed demo PINs, so the PIN fields can be
 * varied too. */
static char *
demo_text (void)
{
  g_autofree char *text = reference_text ();
  g_autoptr (GString) s = g_string_new (text);

  g_assert_cmpuint (g_string_replace (s, "[profile]\n", "[profile]\ndemo=true\n", 1), ==, 1);
  g_assert_cmpuint (g_string_replace (s, "ship=uninitialised\n",
                                      "ship=initialised\noptions=0001\npin-source=fixed\npin-length=6\npin=648219\n"
                                      "so-pin-source=fixed\nso-pin=3537363231383830\nretry-counter=3\n"
                                      "dkek-shares=1\npin-export-key=customer.pem\n",
                                      1),
                    ==, 1);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
test_reference (void)
{
  g_autofree char *path = profile_path ("smartcard-hsm.profile");
  g_autoptr (GError) error = NULL;
  g_autoptr (ClProfile) p = cl_profile_new_from_file (path, NULL, &error);
  g_autofree char *chr = NULL;
  static const guint8 vcard_atr[]
    = { 0x3B, 0xF8, 0x13, 0x00, 0x00, 0x81, 0x31, 0xFE, 0x45, 0x4A, 0x43, 0x4F, 0x50, 0x76, 0x32, 0x34, 0x31, 0xB7 };
  guint8 other[sizeof vcard_atr];

  g_assert_no_error (error);
  g_assert_cmpstr (cl_profile_get_name (p), ==, "smartcard-hsm");
  g_assert_cmpuint (strlen (cl_profile_get_hash (p)), ==, 64);
  g_assert_cmpuint (cl_profile_get_scp (p)->scp, ==, 3);
  g_assert_cmpuint (cl_profile_get_scp (p)->level, ==, 0x33);
  g_assert_cmpuint (cl_profile_get_scp (p)->i, ==, 0x70);
  g_assert_cmpstr (cl_profile_get_keys (p)->kst_label, ==, "KST");
  g_assert_cmpuint (cl_profile_get_keys (p)->kst_version, ==, 0x30);
  g_assert_cmpint (cl_profile_get_keys (p)->kst_type, ==, CL_KEY_TYPE_AES);
  g_assert_cmpuint (cl_profile_get_keys (p)->card_key_version, ==, 0x01);
  /* a published method (GlobalPlatformPro's KDF3), under the audited host-derivation opt-in SoftHSM needs for it */
  g_assert_cmpint (cl_profile_get_keys (p)->diversification, ==, CL_DIVERSIFY_KDF3);
  g_assert_true (cl_profile_get_keys (p)->host_derivation);
  g_assert_true (g_str_has_suffix (cl_profile_get_applet (p)->cap_file, "data/demo/smartcard-hsm-standin.cap"));
  g_assert_true (cl_profile_get_keys (p)->put_key_inner_length);
  g_assert_cmpuint (cl_profile_get_configure (p)->store_data->len, ==, 1);
  g_assert_cmpint (cl_profile_get_configure (p)->life_cycle, ==, 0x0F);
  g_assert_cmpuint (cl_profile_get_certify (p)->validity_days, ==, 3650);
  g_assert_false (cl_profile_is_demo (p));
  g_assert_cmpstr (cl_profile_get_path (p), ==, path);
  g_assert_true (cl_profile_get_applet (p)->delete_before_load);
  g_assert_cmpuint (g_bytes_get_size (cl_profile_get_applet (p)->install_params), ==, 0);
  /* the reference ships cards as SmartCard-HSMs usually are: the customer initialises them; no PIN is in the file */
  g_assert_cmpint (cl_profile_get_init (p)->ship, ==, CL_SHIP_UNINITIALISED);
  g_assert_cmpint (cl_profile_get_init (p)->dkek_shares, ==, -1);
  g_assert_null (cl_profile_get_fixed_pin (p));
  g_assert_null (cl_profile_get_fixed_so_pin (p));
  g_assert_cmpstr (cl_profile_get_certify (p)->dica_key_label, ==, "DICA");
  g_assert_nonnull (cl_profile_get_face_template (p));
  g_assert_cmpuint (cl_profile_get_card_timeout (p), ==, 60);

  g_assert_true (cl_profile_atr_matches (p, vcard_atr, sizeof vcard_atr));
  memcpy (other, vcard_atr, sizeof other);
  other[4] = 0x01;
  g_assert_false (cl_profile_atr_matches (p, other, sizeof other));
  g_assert_false (cl_profile_atr_matches (p, vcard_atr, sizeof vcard_atr - 1));

  /* the chip id as cl_cplc_chip_id() makes it: its last 8 digits are the IC serial number */
  chr = cl_chr_pattern_expand (cl_profile_get_certify (p)->holder_reference, NULL, 0, "47905040556611223344", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (chr, ==, "DE1122334400001");
}

static void
test_scp02 (void)
{
  g_autofree char *path = profile_path ("smartcard-hsm-scp02.profile");
  g_autoptr (GError) error = NULL;
  g_autoptr (ClProfile) p = cl_profile_new_from_file (path, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (cl_profile_get_scp (p)->scp, ==, 2);
  g_assert_cmpuint (cl_profile_get_scp (p)->level, ==, 0x03);
  g_assert_cmpint (cl_profile_get_keys (p)->kst_type, ==, CL_KEY_TYPE_DES3);
  g_assert_cmpint (cl_profile_get_keys (p)->diversification, ==, CL_DIVERSIFY_EMV);
  g_assert_cmpint (cl_profile_get_init (p)->dkek_shares, ==, -1);
  g_assert_null (cl_profile_get_face_template (p));
}

/* Replaces the line starting "key=" in [group] of the reference (or removes it when value is NULL; appends
 * to the group when absent). */
static char *
variant (const char *group, const char *key, const char *value)
{
  g_autofree char *text = demo_text ();
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr (GString) out = g_string_new (NULL);
  g_autofree char *header = g_strdup_printf ("[%s]", group);
  g_autofree char *prefix = g_strdup_printf ("%s=", key);
  gboolean in_group = FALSE, done = FALSE;

  for (guint i = 0; lines[i]; i++)
    {
      if (lines[i][0] == '[')
        {
          if (in_group && !done && value)
            g_string_append_printf (out, "%s%s\n", prefix, value), done = TRUE;
          in_group = strcmp (lines[i], header) == 0;
        }
      if (in_group && g_str_has_prefix (lines[i], prefix))
        {
          if (value)
            g_string_append_printf (out, "%s%s\n", prefix, value);
          done = TRUE;
          continue;
        }
      g_string_append_printf (out, "%s%s", lines[i], lines[i + 1] ? "\n" : "");
    }
  if (in_group && !done && value)
    g_string_append_printf (out, "\n%s%s\n", prefix, value);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

typedef struct
{
  const char *group;
  const char *key;
  const char *value;    /* NULL: remove the line */
  const char *named;    /* what the error must say besides file:group:key */
  const char *reported; /* the key the error names, if not key */
} Bad;

static const Bad bad_fields[] = {
  { "profile", "name", "Smart Card", "a-z" },
  { "profile", "name", NULL, "missing" },
  { "profile", "card-timeout", "0", "1..600" },
  { "profile", "card-timeout", "ten", "1..600" },
  { "card", "atr", "3BF8XX", "hex" },
  { "card", "atr", "3B", "2..33" },
  { "card", "atr", NULL, "missing" },
  { "card", "atr-mask", "FFFF", "18 bytes like atr" },
  { "card", "atr", "3BF81300008131FE454A434F5076323431FF", "outside atr-mask" },
  { "card", "isd-aid", "A000", "5..16" },
  { "secure-channel", "scp", "04", "02..03" },
  { "secure-channel", "scp", NULL, "missing" },
  { "secure-channel", "level", "13X", "hex byte" },
  { "secure-channel", "level", "02", "01, 03, 11, 13 or 33" },
  { "secure-channel", "i", "700", "hex byte" },
  { "keys", "kst-label", "KST/enc", "label" },
  { "keys", "kst-label", NULL, "missing" },
  { "keys", "kst-version", "80", "01..7F" },
  { "keys", "kst-version", "00", "01..7F" },
  { "keys", "kst-type", "des3", "aes for SCP03" },
  { "keys", "kst-type", "rsa", "aes|des3" },
  { "keys", "kmc-label", "K M C", "label" },
  { "keys", "kmc-version", "G1", "hex byte" },
  { "keys", "card-key-version", "30", "other than kst-version" },
  { "keys", "diversification", "sha1", "aes-ecb" },
  { "keys", "diversification", "emv", "does not apply" },
  { "keys", "host-derivation", "false", "expected true" },
  { "keys", "host-derivation", "yes", "true or false" },
  { "applet", "cap-file", NULL, "missing" },
  { "applet", "package-aid", "E82B", "5..16" },
  { "applet", "applet-aid", "", "missing" },
  { "applet", "instance-aid", "E82B0601040181C31F0201E82B0601040181C31F0201", "5..16" },
  { "applet", "privileges", "0000", "1 or 3 bytes" },
  { "applet", "install-params", "C90Z", "hex" },
  { "applet", "delete-before-load", "1", "true or false" },
  { "initialize", "options", "01", "2..2" },
  { "initialize", "pin-source", "mailer", "random|fixed" },
  { "initialize", "pin-length", "4", "6..16" },
  { "initialize", "pin", "12345", "pin-length" },
  { "initialize", "pin", NULL, "missing" },
  { "initialize", "so-pin", "35373632313838", "8..8" },
  { "initialize", "so-pin-source", "sometimes", "random|fixed" },
  { "initialize", "retry-counter", "11", "1..10" },
  { "initialize", "dkek-shares", "-1", "0..16" },
  { "initialize", "ship", "maybe", "uninitialised|initialised" },
  { "initialize", "ship", NULL, "missing" },
  { "initialize", "pin-export-key", NULL, "ship=initialised needs" },
  { "certificate", "holder-reference", "D1{seq:05}", "country code" },
  { "certificate", "holder-reference", "DECL{batch}", "no {seq" },
  { "certificate", "holder-reference", "DECL{seq:11}", "placeholder" },
  { "certificate", "holder-reference", "DEcl{seq:05}", "not A-Z" },
  { "certificate", "holder-reference", "DECLXXXXXXXX{seq:05}", "at most 16" },
  { "certificate", "dica-key-label", NULL, "missing" },
  { "certificate", "validity-days", "0", "1..36500" },
  { "keys", "put-key-inner-length", "maybe", "true or false" },
  { "configure", "store-data", "9F6E01AA;ZZ", "block 2" },
  { "configure", "store-data", "9F6E01AA;", "1..255 bytes" },
  { "configure", "life-cycle", "00", "01..FF" },
  { "configure", "state", "0F", "unknown key" },
  { "profile", "demo", "yes", "true or false" },
  { "certificate", "srca-cvc", NULL, "missing" },
  { "face", "template", NULL, "missing" },
  { "face", "colour", "red", "unknown key" },
};

static void
test_bad_field (gconstpointer data)
{
  const Bad *bad = data;
  g_autofree char *text = variant (bad->group, bad->key, bad->value);
  g_autofree char *where
    = g_strdup_printf ("bad.profile:%s:%s: ", bad->group, bad->reported ? bad->reported : bad->key);
  g_autoptr (GError) error = NULL;
  g_autoptr (ClProfile) p = cl_profile_new_from_data (text, strlen (text), "bad.profile", "/nonexistent", NULL, &error);

  g_assert_null (p);
  g_assert_error (error, CL_ERROR, CL_ERROR_PROFILE);
  if (!g_str_has_prefix (error->message, where) || !strstr (error->message, bad->named))
    g_error ("%s=%s: “%s” does not start with “%s” and name “%s”", bad->key, bad->value ? bad->value : "(removed)",
             error->message, where, bad->named);
}

static void
test_secrets_not_echoed (void)
{
  g_autofree char *pin = variant ("initialize", "pin", "12 345");
  g_autofree char *so_pin = variant ("initialize", "so-pin", "SECRETSECRETSECR");
  g_autofree char *random = variant ("initialize", "pin-source", "random");
  g_autoptr (GError) error = NULL;
  g_autoptr (ClProfile) p = NULL;

  p = cl_profile_new_from_data (pin, strlen (pin), "x", "/", NULL, &error);
  g_assert_error (error, CL_ERROR, CL_ERROR_PROFILE);
  g_assert_null (strstr (error->message, "345"));
  g_clear_error (&error);
  p = cl_profile_new_from_data (so_pin, strlen (so_pin), "x", "/", NULL, &error);
  g_assert_error (error, CL_ERROR, CL_ERROR_PROFILE);
  g_assert_null (strstr (error->message, "SECRET"));
  g_clear_error (&error);
  /* A random PIN policy with a PIN in the file is refused: the file would lie about the cards. */
  p = cl_profile_new_from_data (random, strlen (random), "x", "/", NULL, &error);
  g_assert_error (error, CL_ERROR, CL_ERROR_PROFILE);
  g_assert_nonnull (strstr (error->message, "x:initialize:pin: not allowed"));
  g_clear_error (&error);
  /* Fixed PINs only in a demo profile. */
  {
    g_autofree char *not_demo = variant ("profile", "demo", "false");

    p = cl_profile_new_from_data (not_demo, strlen (not_demo), "x", "/", NULL, &error);
    g_assert_error (error, CL_ERROR, CL_ERROR_PROFILE);
    g_assert_nonnull (strstr (error->message, "x:initialize:pin-source: expected random"));
    g_assert_null (strstr (error->message, "648219"));
  }
  /* A card the customer initialises has no PIN policy here. */
  {
    g_autofree char *text = variant ("initialize", "ship", "uninitialised");

    g_clear_error (&error);
    g_clear_object (&p);
    p = cl_profile_new_from_data (text, strlen (text), "x", "/", NULL, &error);
    g_assert_error (error, CL_ERROR, CL_ERROR_PROFILE);
    g_assert_nonnull (strstr (error->message, "x:initialize:options: not allowed with ship=uninitialised"));
  }
}

static void
test_unknown_group_and_syntax (void)
{
  g_autofree char *text = reference_text ();
  g_autofree char *extra = g_strconcat (text, "\n[printer]\nspeed=fast\n", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (ClProfile) p = NULL;

  p = cl_profile_new_from_data (extra, strlen (extra), "x.profile", "/", NULL, &error);
  g_assert_error (error, CL_ERROR, CL_ERROR_PROFILE);
  g_assert_true (g_str_has_prefix (error->message, "x.profile:printer: unknown group"));
  g_clear_error (&error);
  p = cl_profile_new_from_data ("not a key file", 14, "x.profile", "/", NULL, &error);
  g_assert_error (error, CL_ERROR, CL_ERROR_PROFILE);
  g_assert_true (g_str_has_prefix (error->message, "x.profile: not a key file"));
  g_clear_error (&error);
  p = cl_profile_new_from_file ("/nonexistent/x.profile", NULL, &error);
  g_assert_error (error, CL_ERROR, CL_ERROR_PROFILE);
  g_assert_nonnull (strstr (error->message, "/nonexistent/x.profile"));
}

/* A profile may carry the mapping of a customer's data file ([data] groups, lib/data/cl-data-mapping.h), checked
 * when the profile loads; a profile without one has none. */
static void
test_data_mapping (void)
{
  g_autofree char *text = reference_text ();
  g_autofree char *with
    = g_strconcat (text, "\n[data]\nreference=id\nface.label=name\n[data column id]\nunique=true\n", NULL);
  g_autofree char *bad = g_strconcat (text, "\n[data]\nreference=id\nface.lable=name\nname=name\n", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (ClProfile) p = cl_profile_new_from_data (text, strlen (text), "x.profile", "/", NULL, &error);
  ClDataMapping *mapping;

  g_assert_no_error (error);
  g_assert_null (cl_profile_get_data_mapping (p));
  g_clear_object (&p);
  p = cl_profile_new_from_data (with, strlen (with), "x.profile", "/", NULL, &error);
  g_assert_no_error (error);
  mapping = cl_profile_get_data_mapping (p);
  g_assert_nonnull (mapping);
  g_assert_cmpstr (cl_data_mapping_get_file (mapping), ==, "x.profile");
  g_assert_cmpstr (cl_data_mapping_get_column_of (mapping, "face.label"), ==, "name");
  g_assert_cmpstr (cl_data_mapping_get_text (mapping), ==,
                   "[data]\nreference=id\nface.label=name\n\n[data column id]\nunique=true\n");
  g_clear_object (&p);
  p = cl_profile_new_from_data (bad, strlen (bad), "x.profile", "/", NULL, &error);
  g_assert_null (p);
  g_assert_error (error, CL_ERROR, CL_ERROR_PROFILE);
  g_assert_cmpstr (error->message, ==,
                   "x.profile:data:name: unknown target field (expected reference, display, face.NAME, face.photo, "
                   "chr.holder, store-data.TAG or token-label)");
}

/* The profile's own mapping is checked against what the profile does with it when it loads: a face field its
 * template does not print, a face field without a face, a token label on cards shipped uninitialised; [data]
 * max-attempts is the profile's (absent: no limit). */
static void
test_data_mapping_checked (void)
{
  g_autofree char *text = reference_text ();
  g_autofree char *demo = demo_text ();
  g_autofree char *dir = g_build_filename (g_getenv ("CARDLINE_SOURCE_DIR"), "data", "profiles", NULL);
  g_autofree char *data = g_build_filename (g_getenv ("CARDLINE_SOURCE_DIR"), "data", NULL);
  g_autofree char *face = g_build_filename (data, "faces", "default.face", NULL);
  g_autofree char *title = g_strconcat (text, "\n[data]\nreference=id\nface.title=name\n", NULL);
  g_autofree char *name
    = g_strconcat (text, "\n[data]\nreference=id\nface.name=name\nface.photo=p\nmax-attempts=3\n", NULL);
  g_autofree char *label = g_strconcat (text, "\n[data]\nreference=id\ntoken-label=name\n", NULL);
  g_autofree char *demo_label = g_strconcat (demo, "\n[data]\nreference=id\ntoken-label=name\n", NULL);
  g_autofree char *zero = g_strconcat (text, "\n[data]\nmax-attempts=0\n", NULL);
  g_autofree char *expected = NULL;
  g_autoptr (GString) faceless = g_string_new (name);
  g_autoptr (GError) error = NULL;
  g_autoptr (ClProfile) p = NULL;

  p = cl_profile_new_from_data (title, strlen (title), "x.profile", dir, data, &error);
  g_assert_null (p);
  expected = g_strdup_printf (
    "x.profile:data:face.title: the face template %s has no field face.title (it prints: label, face.name, serial, "
    "batch)",
    face);
  g_assert_error (error, CL_ERROR, CL_ERROR_PROFILE);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);

  p = cl_profile_new_from_data (name, strlen (name), "x.profile", dir, data, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cl_profile_get_data_max_attempts (p), ==, 3);
  g_clear_object (&p);
  p = cl_profile_new_from_data (text, strlen (text), "x.profile", dir, data, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cl_profile_get_data_max_attempts (p), ==, 0);
  g_clear_object (&p);

  g_assert_cmpuint (g_string_replace (faceless, "[face]\ntemplate=faces/default.face\n", "", 1), ==, 1);
  p = cl_profile_new_from_data (faceless->str, faceless->len, "x.profile", dir, data, &error);
  g_assert_null (p);
  g_assert_error (error, CL_ERROR, CL_ERROR_PROFILE);
  g_assert_cmpstr (error->message, ==,
                   "x.profile:data:face.name: profile smartcard-hsm prints no card face (it has no [face] template)");
  g_clear_error (&error);

  p = cl_profile_new_from_data (label, strlen (label), "x.profile", dir, data, &error);
  g_assert_null (p);
  g_assert_error (error, CL_ERROR, CL_ERROR_PROFILE);
  g_assert_cmpstr (error->message, ==,
                   "x.profile:data:token-label: profile smartcard-hsm ships cards uninitialised, and the customer's "
                   "initialisation (sc-hsm-tool --initialize --label) writes the token label: only a profile with "
                   "ship=initialised takes one");
  g_clear_error (&error);
  p = cl_profile_new_from_data (demo_label, strlen (demo_label), "x.profile", dir, data, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cl_data_mapping_get_column_of (cl_profile_get_data_mapping (p), "token-label"), ==, "name");
  g_clear_object (&p);

  p = cl_profile_new_from_data (zero, strlen (zero), "x.profile", dir, data, &error);
  g_assert_null (p);
  g_assert_error (error, CL_ERROR, CL_ERROR_PROFILE);
  g_assert_nonnull (strstr (error->message, "max-attempts"));
}

/* What GKeyFile would take wrongly, refused with where it is: a NUL inside a value (kst-version=30<NUL>4 would read
 * as 30), a group given twice (its keys would merge); and files that are no profile: not regular (/dev/zero would
 * be read forever), or too large. */
static void
test_text_and_file (void)
{
  g_autofree char *text = reference_text ();
  g_autoptr (GString) nul = g_string_new (text);
  g_autofree char *twice = g_strconcat (text, "\n[keys]\nkst-version=31\n", NULL);
  g_autofree char *dir = g_dir_make_tmp ("cl-profile-XXXXXX", NULL);
  g_autofree char *big = g_build_filename (dir, "big.profile", NULL);
  g_autofree char *padding = g_strnfill (CL_PROFILE_MAX_BYTES, '#');
  g_autofree char *fifo = g_build_filename (dir, "fifo.profile", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (ClProfile) p = NULL;
  gint64 started;
  gssize at;

  g_assert_cmpuint (g_string_replace (nul, "kst-version=30\n", "kst-version=30#4\n", 1), ==, 1);
  at = strstr (nul->str, "30#4") - nul->str;
  nul->str[at + 2] = '\0';
  p = cl_profile_new_from_data (nul->str, nul->len, "x.profile", "/", NULL, &error);
  g_assert_null (p);
  g_assert_error (error, CL_ERROR, CL_ERROR_PROFILE);
  g_assert_cmpstr (error->message, ==, "x.profile:26:15: a NUL byte: a profile is text (the value would be cut there)");
  g_clear_error (&error);

  p = cl_profile_new_from_data (twice, strlen (twice), "x.profile", "/", NULL, &error);
  g_assert_null (p);
  g_assert_error (error, CL_ERROR, CL_ERROR_PROFILE);
  g_assert_nonnull (strstr (error->message, "group [keys] again (first at line 24)"));
  g_clear_error (&error);

  started = g_get_monotonic_time ();
  p = cl_profile_new_from_file ("/dev/zero", NULL, &error);
  g_assert_null (p);
  g_assert_error (error, CL_ERROR, CL_ERROR_PROFILE);
  g_assert_cmpstr (error->message, ==, "Cannot read profile /dev/zero: not a regular file");
  g_clear_error (&error);
  g_print ("# /dev/zero refused in %.1f ms\n", (g_get_monotonic_time () - started) / 1000.0);
  /* a FIFO nobody writes to: refused, not waited on */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  p = cl_profile_new_from_file (fifo, NULL, &error);
  g_assert_error (error, CL_ERROR, CL_ERROR_PROFILE);
  g_assert_nonnull (strstr (error->message, "not a regular file"));
  g_clear_error (&error);
  p = cl_profile_new_from_file (dir, NULL, &error);
  g_assert_error (error, CL_ERROR, CL_ERROR_PROFILE);
  g_clear_error (&error);

  {
    g_autofree char *contents = g_strconcat (text, padding, NULL);

    g_assert_true (g_file_set_contents (big, contents, -1, NULL));
  }
  p = cl_profile_new_from_file (big, NULL, &error);
  g_assert_error (error, CL_ERROR, CL_ERROR_PROFILE);
  g_assert_nonnull (strstr (error->message, "is larger than 262144 bytes"));
  g_unlink (big);
  g_unlink (fifo);
  g_rmdir (dir);
}

static void
test_paths_and_hash (void)
{
  g_autofree char *text = reference_text ();
  g_autoptr (GError) error = NULL;
  g_autoptr (ClProfile) a = cl_profile_new_from_data (text, strlen (text), "a", "/srv/profiles", "/srv/data", &error);
  g_autoptr (ClProfile) b = NULL;
  g_autofree char *changed = variant ("profile", "card-timeout", "61");

  g_assert_no_error (error);
  /* Not next to the profile, so from the data directory. */
  g_assert_cmpstr (cl_profile_get_applet (a)->cap_file, ==, "/srv/data/demo/smartcard-hsm-standin.cap");
  g_assert_false (cl_profile_check_files (a, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_PROFILE);
  g_assert_nonnull (strstr (error->message, "applet:cap-file"));
  g_clear_error (&error);
  b = cl_profile_new_from_data (changed, strlen (changed), "b", "/", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cl_profile_get_hash (a), !=, cl_profile_get_hash (b));
}

/* Certificates come from the station's PKI directory (where cardline-admin demo-setup writes them), other files
 * from the data directory. */
static void
test_pki_dir (void)
{
  g_autofree char *path = profile_path ("smartcard-hsm.profile");
  g_autoptr (GError) error = NULL;
  g_autofree char *pki = g_dir_make_tmp ("cardline-pki-XXXXXX", &error);
  g_autofree char *dica = g_build_filename (pki, "dica.cvc", NULL);
  g_autofree char *srca = g_build_filename (pki, "srca.cvc", NULL);
  g_autoptr (ClProfile) p = NULL;

  g_assert_no_error (error);
  p = cl_profile_new_for_station (path, NULL, pki, &error);
  g_assert_no_error (error);
  /* not there yet: named where demo-setup will write them, so check_files says what to run */
  g_assert_cmpstr (cl_profile_get_certify (p)->dica_cvc, ==, dica);
  g_assert_false (cl_profile_check_files (p, &error));
  g_assert_nonnull (strstr (error->message, "certificate:dica-cvc"));
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (dica, "x", 1, NULL));
  g_assert_true (g_file_set_contents (srca, "x", 1, NULL));
  g_clear_object (&p);
  p = cl_profile_new_for_station (path, NULL, pki, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cl_profile_get_certify (p)->srca_cvc, ==, srca);
  g_assert_true (cl_profile_check_files (p, &error));
  g_assert_no_error (error);
  g_unlink (dica);
  g_unlink (srca);
  g_rmdir (pki);
}

static void
test_chr_pattern (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ClChrPattern) p = cl_chr_pattern_parse ("DE{chip:6}{seq:05}", &error);
  g_autoptr (ClChrPattern) q = NULL;
  g_autofree char *a = NULL, *b = NULL;

  g_assert_no_error (error);
  a = cl_chr_pattern_expand (p, NULL, 7, "4790aabbcc", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (a, ==, "DEAABBCC00007");
  g_assert_null (cl_chr_pattern_expand (p, NULL, 100000, "4790AABBCC", &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "100000"));
  g_clear_error (&error);
  g_assert_null (cl_chr_pattern_expand (p, NULL, 1, "ABC", &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  q = cl_chr_pattern_parse ("DECL{batch}{seq:5}", &error);
  g_assert_no_error (error);
  g_assert_null (cl_chr_pattern_expand (q, "b-1", 1, NULL, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "b-1"));
  g_clear_error (&error);
  g_assert_null (cl_chr_pattern_expand (q, "LONGBATCHNAME", 1, NULL, &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  b = cl_chr_pattern_expand (q, "", 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (b, ==, "DECL00001");
  g_assert_null (cl_chr_pattern_parse ("DE{seq:05", &error));
  g_assert_error (error, CL_ERROR, CL_ERROR_PROFILE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/profile/reference", test_reference);
  g_test_add_func ("/profile/scp02", test_scp02);
  g_test_add_func ("/profile/secrets-not-echoed", test_secrets_not_echoed);
  g_test_add_func ("/profile/unknown-group-and-syntax", test_unknown_group_and_syntax);
  g_test_add_func ("/profile/paths-and-hash", test_paths_and_hash);
  g_test_add_func ("/profile/text-and-file", test_text_and_file);
  g_test_add_func ("/profile/pki-dir", test_pki_dir);
  g_test_add_func ("/profile/chr-pattern", test_chr_pattern);
  g_test_add_func ("/profile/data-mapping", test_data_mapping);
  g_test_add_func ("/profile/data-mapping-checked", test_data_mapping_checked);
  for (guint i = 0; i < G_N_ELEMENTS (bad_fields); i++)
    {
      g_autofree char *path = g_strdup_printf ("/profile/bad/%s/%s/%u", bad_fields[i].group, bad_fields[i].key, i);
      g_test_add_data_func (path, &bad_fields[i], test_bad_field);
    }
  return g_test_run ();
}
