/* cl-profile.c: loading and validating a production profile (the format is in cl-profile.h). */
#include "profile/cl-profile.h"

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "profile/cl-profile-private.h"
#include "profile/cl-profile-reader.h"

#include <string.h>

G_DEFINE_FINAL_TYPE (ClProfile, cl_profile, G_TYPE_OBJECT)

static void
cl_profile_finalize (GObject *object)
{
  ClProfile *self = CL_PROFILE (object);

  g_free (self->name);
  g_free (self->description);
  g_free (self->hash);
  g_free (self->path);
  g_clear_pointer (&self->configure.store_data, g_ptr_array_unref);
  g_clear_pointer (&self->card.atr, g_bytes_unref);
  g_clear_pointer (&self->card.atr_mask, g_bytes_unref);
  g_clear_pointer (&self->card.isd_aid, g_bytes_unref);
  g_free (self->keys.kst_label);
  g_free (self->keys.kmc_label);
  cl_profile_custody_clear (&self->custody);
  g_free (self->applet.cap_file);
  g_clear_pointer (&self->applet.package_aid, g_bytes_unref);
  g_clear_pointer (&self->applet.applet_aid, g_bytes_unref);
  g_clear_pointer (&self->applet.instance_aid, g_bytes_unref);
  g_clear_pointer (&self->applet.privileges, g_bytes_unref);
  g_clear_pointer (&self->applet.install_params, g_bytes_unref);
  g_clear_pointer (&self->certify.holder_reference, cl_chr_pattern_unref);
  g_free (self->certify.dica_key_label);
  g_free (self->certify.dica_cvc);
  g_free (self->certify.srca_cvc);
  g_free (self->face_template);
  g_clear_object (&self->data_mapping);
  g_clear_pointer (&self->fixed_pin, g_bytes_unref);
  g_clear_pointer (&self->fixed_so_pin, g_bytes_unref);
  G_OBJECT_CLASS (cl_profile_parent_class)->finalize (object);
}

static void
cl_profile_class_init (ClProfileClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_profile_finalize;
}

static void
cl_profile_init (ClProfile *self)
{
  self->configure.store_data = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  self->configure.life_cycle = -1;
}

static const char *const group_profile[] = { "profile", "name", "description", "card-timeout", "demo", NULL };
static const char *const group_card[] = { "card", "atr", "atr-mask", "isd-aid", "max-command-length", NULL };
static const char *const group_scp[] = { "secure-channel", "scp", "level", "i", NULL };
static const char *const group_keys[] = { "keys",
                                          "kst-label",
                                          "kst-version",
                                          "kst-type",
                                          "kmc-label",
                                          "kmc-version",
                                          "card-key-version",
                                          "diversification",
                                          "host-derivation",
                                          "put-key-inner-length",
                                          "kmc-accepted-versions",
                                          NULL };
static const char *const group_configure[] = { "configure", "store-data", "life-cycle", NULL };
static const char *const group_applet[]
  = { "applet",     "cap-file",       "package-aid",        "applet-aid", "instance-aid",
      "privileges", "install-params", "delete-before-load", NULL };
static const char *const group_certificate[]
  = { "certificate", "holder-reference", "dica-key-label", "dica-cvc", "srca-cvc", "validity-days", NULL };
static const char *const group_face[] = { "face", "template", NULL };
static const char *const group_data[] = { "data", "on-reject", "max-attempts", NULL };
static const char *const *const known_groups[]
  = { group_profile,     group_card, group_scp,  group_keys, group_configure, group_applet, cl_profile_group_init,
      group_certificate, group_face, group_data, NULL };

/* Relative paths: the first of next to the profile, in also_dir (when given), in the data directory where the file
 * is; when it is nowhere yet, also_dir (that is where it will be written), else the data directory. */
static char *
read_path_in (ClProfileLoader *l, const char *group, const char *key, gboolean required, const char *also_dir,
              GError **error)
{
  g_autofree char *value = cl_profile_reader_string (&l->r, group, key, required, error);
  g_autofree char *near = NULL, *there = NULL, *in_data = NULL;

  if (value == NULL)
    return NULL;
  if (g_path_is_absolute (value))
    return g_steal_pointer (&value);
  near = g_build_filename (l->base_dir, value, NULL);
  if (l->data_dir == NULL && also_dir == NULL)
    return g_steal_pointer (&near);
  if (g_file_test (near, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&near);
  there = also_dir != NULL ? g_build_filename (also_dir, value, NULL) : NULL;
  if (there != NULL && g_file_test (there, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&there);
  in_data = l->data_dir != NULL ? g_build_filename (l->data_dir, value, NULL) : NULL;
  if (in_data != NULL && (there == NULL || g_file_test (in_data, G_FILE_TEST_EXISTS)))
    return g_steal_pointer (&in_data);
  return g_steal_pointer (&there);
}

char *
cl_profile_loader_path (ClProfileLoader *l, const char *group, const char *key, gboolean required, GError **error)
{
  return read_path_in (l, group, key, required, NULL, error);
}

static gboolean
is_label (const char *label)
{
  for (const char *c = label; *c; c++)
    if (!g_ascii_isgraph (*c) || *c == '/')
      return FALSE;
  return TRUE;
}

static char *
read_label (ClProfileLoader *l, const char *group, const char *key, GError **error)
{
  g_autofree char *value = cl_profile_reader_string (&l->r, group, key, TRUE, error);

  if (value == NULL)
    return NULL;
  if (strlen (value) > 64 || !is_label (value))
    {
      cl_profile_reader_error (&l->r, error, group, key,
                               "expected a token object label (1..64 printable characters, no blanks or '/'), got “%s”",
                               value);
      return NULL;
    }
  return g_steal_pointer (&value);
}

static gboolean
load_profile_group (ClProfile *self, ClProfileLoader *l, GError **error)
{
  if (!(self->name = cl_profile_reader_string (&l->r, "profile", "name", TRUE, error)))
    return FALSE;
  for (const char *c = self->name; *c; c++)
    if (!(g_ascii_islower (*c) || g_ascii_isdigit (*c) || *c == '-') || strlen (self->name) > 64)
      {
        cl_profile_reader_error (&l->r, error, "profile", "name", "expected 1..64 of a-z 0-9 -, got “%s”", self->name);
        return FALSE;
      }
  self->description = cl_profile_reader_string (&l->r, "profile", "description", FALSE, NULL);
  return cl_profile_reader_uint (&l->r, "profile", "card-timeout", 1, 600, 30, &self->card_timeout, error)
         && cl_profile_reader_bool (&l->r, "profile", "demo", FALSE, &self->demo, error);
}

static gboolean
load_card (ClProfile *self, ClProfileLoader *l, GError **error)
{
  const guint8 *atr, *mask;
  gsize len;

  if (!(self->card.atr = cl_profile_reader_hex (&l->r, "card", "atr", 2, 33, TRUE, NULL, FALSE, error))
      || !(self->card.atr_mask = cl_profile_reader_hex (&l->r, "card", "atr-mask", 2, 33, TRUE, NULL, FALSE, error))
      || !(self->card.isd_aid = cl_profile_reader_hex (&l->r, "card", "isd-aid", 5, 16, TRUE, NULL, FALSE, error))
      || !cl_profile_reader_uint (&l->r, "card", "max-command-length", CL_PROFILE_SHORT_COMMAND,
                                  CL_PROFILE_EXTENDED_COMMAND, CL_PROFILE_SHORT_COMMAND, &self->card.max_command_length,
                                  error))
    return FALSE;
  atr = g_bytes_get_data (self->card.atr, &len);
  mask = g_bytes_get_data (self->card.atr_mask, NULL);
  if (g_bytes_get_size (self->card.atr_mask) != len)
    {
      cl_profile_reader_error (&l->r, error, "card", "atr-mask",
                               "expected %" G_GSIZE_FORMAT " bytes like atr, got %" G_GSIZE_FORMAT, len,
                               g_bytes_get_size (self->card.atr_mask));
      return FALSE;
    }
  for (gsize i = 0; i < len; i++)
    if (atr[i] & ~mask[i])
      {
        cl_profile_reader_error (&l->r, error, "card", "atr",
                                 "byte %" G_GSIZE_FORMAT " (%02X) has bits outside atr-mask (%02X), which can never "
                                 "match",
                                 i + 1, atr[i], mask[i]);
        return FALSE;
      }
  return TRUE;
}

static gboolean
load_scp (ClProfile *self, ClProfileLoader *l, GError **error)
{
  static const guint8 scp03_levels[] = { 0x01, 0x03, 0x11, 0x13, 0x33 };
  static const guint8 scp02_levels[] = { 0x01, 0x03 };
  const guint8 *levels;
  guint n;
  gboolean ok = FALSE;

  if (!cl_profile_reader_hex_byte (&l->r, "secure-channel", "scp", 2, 3, -1, &self->scp.scp, error))
    return FALSE;
  levels = self->scp.scp == 3 ? scp03_levels : scp02_levels;
  n = self->scp.scp == 3 ? G_N_ELEMENTS (scp03_levels) : G_N_ELEMENTS (scp02_levels);
  if (!cl_profile_reader_hex_byte (&l->r, "secure-channel", "level", 0, 0xFF, self->scp.scp == 3 ? 0x33 : 0x03,
                                   &self->scp.level, error))
    return FALSE;
  for (guint i = 0; i < n; i++)
    ok |= levels[i] == self->scp.level;
  if (!ok)
    {
      cl_profile_reader_error (&l->r, error, "secure-channel", "level", "expected %s for SCP0%u, got %02X",
                               self->scp.scp == 3 ? "01, 03, 11, 13 or 33" : "01 or 03", self->scp.scp,
                               self->scp.level);
      return FALSE;
    }
  return cl_profile_reader_hex_byte (&l->r, "secure-channel", "i", 0, 0xFF, self->scp.scp == 3 ? 0x70 : 0x55,
                                     &self->scp.i, error);
}

static gboolean
load_keys (ClProfile *self, ClProfileLoader *l, GError **error)
{
  static const char *const key_types[] = { "aes", "des3", NULL };
  ClProfileKeys *k = &self->keys;
  ClKeyType wanted = self->scp.scp == 3 ? CL_KEY_TYPE_AES : CL_KEY_TYPE_DES3;
  g_autofree char *method = NULL;
  guint type;

  if (!(k->kst_label = read_label (l, "keys", "kst-label", error))
      || !cl_profile_reader_hex_byte (&l->r, "keys", "kst-version", 1, 0x7F, -1, &k->kst_version, error)
      || !cl_profile_reader_choice (&l->r, "keys", "kst-type", key_types, -1, &type, error))
    return FALSE;
  k->kst_type = type == 0 ? CL_KEY_TYPE_AES : CL_KEY_TYPE_DES3;
  if (k->kst_type != wanted)
    {
      cl_profile_reader_error (&l->r, error, "keys", "kst-type", "expected %s for SCP0%u, got %s",
                               key_types[wanted == CL_KEY_TYPE_AES ? 0 : 1], self->scp.scp, key_types[type]);
      return FALSE;
    }
  if (!(k->kmc_label = read_label (l, "keys", "kmc-label", error))
      || !cl_profile_reader_hex_byte (&l->r, "keys", "kmc-version", 1, 0x7F, -1, &k->kmc_version, error)
      || !cl_profile_reader_hex_byte (&l->r, "keys", "card-key-version", 1, 0x7F, -1, &k->card_key_version, error)
      || !cl_profile_reader_bool (&l->r, "keys", "host-derivation", FALSE, &k->host_derivation, error)
      || !cl_profile_reader_bool (&l->r, "keys", "put-key-inner-length", TRUE, &k->put_key_inner_length, error))
    return FALSE;
  /* The re-opened channel must prove the new keys, not the KST still sitting under the same version. */
  if (k->card_key_version == k->kst_version)
    {
      cl_profile_reader_error (&l->r, error, "keys", "card-key-version",
                               "expected a key version other than kst-version %02X", k->kst_version);
      return FALSE;
    }
  if (!(method = cl_profile_reader_string (&l->r, "keys", "diversification", TRUE, error)))
    return FALSE;
  if (!cl_diversification_from_string (method, &k->diversification, NULL))
    {
      cl_profile_reader_error (&l->r, error, "keys", "diversification",
                               "expected none, emv, visa2, kdf3 or aes-ecb, got “%s”", method);
      return FALSE;
    }
  if ((k->diversification == CL_DIVERSIFY_EMV || k->diversification == CL_DIVERSIFY_VISA2)
        != (k->kst_type == CL_KEY_TYPE_DES3)
      && k->diversification != CL_DIVERSIFY_NONE)
    {
      cl_profile_reader_error (&l->r, error, "keys", "diversification", "%s does not apply to %s keys", method,
                               key_types[type]);
      return FALSE;
    }
  /* PKCS#11 has no CMAC key derivation: KDF3 card keys exist in host memory, which must be chosen knowingly. */
  if (k->diversification == CL_DIVERSIFY_KDF3 && !k->host_derivation)
    {
      cl_profile_reader_error (&l->r, error, "keys", "host-derivation",
                               "expected true: kdf3 diversification runs on the host (or choose aes-ecb)");
      return FALSE;
    }
  return TRUE;
}

static gboolean
load_configure (ClProfile *self, ClProfileLoader *l, GError **error)
{
  ClProfileConfigure *c = &self->configure;
  g_auto (GStrv) blocks = NULL;
  guint8 life_cycle;

  if (g_key_file_has_key (l->r.kf, "configure", "store-data", NULL))
    {
      g_autofree char *text = cl_profile_reader_string (&l->r, "configure", "store-data", TRUE, error);

      if (text == NULL)
        return FALSE;
      blocks = g_strsplit (text, ";", -1);
      for (guint i = 0; blocks[i] != NULL; i++)
        {
          g_autoptr (GError) local = NULL;
          g_autoptr (GBytes) block = cl_hex_decode (g_strstrip (blocks[i]), &local);

          if (block == NULL || g_bytes_get_size (block) == 0 || g_bytes_get_size (block) > 255)
            {
              cl_profile_reader_error (&l->r, error, "configure", "store-data",
                                       "expected hex blocks of 1..255 bytes separated by ';', block %u is “%s”%s%s",
                                       i + 1, blocks[i], local ? ": " : "", local ? local->message : "");
              return FALSE;
            }
          g_ptr_array_add (c->store_data, g_steal_pointer (&block));
        }
    }
  if (g_key_file_has_key (l->r.kf, "configure", "life-cycle", NULL))
    {
      if (!cl_profile_reader_hex_byte (&l->r, "configure", "life-cycle", 1, 0xFF, -1, &life_cycle, error))
        return FALSE;
      c->life_cycle = life_cycle;
    }
  return TRUE;
}

static gboolean
load_applet (ClProfile *self, ClProfileLoader *l, GError **error)
{
  ClProfileApplet *a = &self->applet;

  return (a->cap_file = cl_profile_loader_path (l, "applet", "cap-file", TRUE, error))
         && (a->package_aid = cl_profile_reader_hex (&l->r, "applet", "package-aid", 5, 16, TRUE, NULL, FALSE, error))
         && (a->applet_aid = cl_profile_reader_hex (&l->r, "applet", "applet-aid", 5, 16, TRUE, NULL, FALSE, error))
         && (a->instance_aid = cl_profile_reader_hex (&l->r, "applet", "instance-aid", 5, 16, TRUE, NULL, FALSE, error))
         && (a->privileges = cl_profile_reader_hex (&l->r, "applet", "privileges", 1, 3, FALSE, "00", FALSE, error))
         && (g_bytes_get_size (a->privileges) != 2
             || (cl_profile_reader_error (&l->r, error, "applet", "privileges", "expected 1 or 3 bytes, got 2"), FALSE))
         && (a->install_params
             = cl_profile_reader_hex (&l->r, "applet", "install-params", 0, 127, FALSE, "", FALSE, error))
         && cl_profile_reader_bool (&l->r, "applet", "delete-before-load", FALSE, &a->delete_before_load, error);
}

static gboolean
load_certificate (ClProfile *self, ClProfileLoader *l, GError **error)
{
  ClProfileCertify *c = &self->certify;
  g_autofree char *pattern = cl_profile_reader_string (&l->r, "certificate", "holder-reference", TRUE, error);
  g_autoptr (GError) local = NULL;

  if (pattern == NULL)
    return FALSE;
  if (!(c->holder_reference = cl_chr_pattern_parse (pattern, &local)))
    {
      cl_profile_reader_error (&l->r, error, "certificate", "holder-reference", "%s", local->message);
      return FALSE;
    }
  return (c->dica_key_label = read_label (l, "certificate", "dica-key-label", error))
         && (c->dica_cvc = read_path_in (l, "certificate", "dica-cvc", TRUE, l->pki_dir, error))
         && (c->srca_cvc = read_path_in (l, "certificate", "srca-cvc", TRUE, l->pki_dir, error))
         && cl_profile_reader_uint (&l->r, "certificate", "validity-days", 1, 36500, 3650, &c->validity_days, error);
}

static ClProfile *
profile_new (const char *data, gsize len, const char *name, const char *base_dir, const char *data_dir,
             const char *pki_dir, GError **error)
{
  g_autoptr (ClProfile) self = g_object_new (CL_TYPE_PROFILE, NULL);
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  g_autofree char *cwd = base_dir ? NULL : g_get_current_dir ();
  ClProfileLoader l = { { kf, name ? name : "profile" }, base_dir ? base_dir : cwd, data_dir, pki_dir };
  GChecksum *sum;

  if (!cl_profile_reader_check_text (l.r.file, data, len, error))
    return NULL;
  if (!g_key_file_load_from_data (kf, data, len, G_KEY_FILE_NONE, &local))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_PROFILE, "%s: not a key file: %s", l.r.file, local->message);
      return NULL;
    }
  if (!cl_profile_load_data_mapping (self, &l, error) || !cl_profile_reader_check_known (&l.r, known_groups, error)
      || !load_profile_group (self, &l, error) || !load_card (self, &l, error) || !load_scp (self, &l, error)
      || !load_keys (self, &l, error) || !load_configure (self, &l, error) || !load_applet (self, &l, error)
      || !cl_profile_load_init (self, &l, error)
      || !cl_profile_custody_load (&self->custody, &l.r, l.base_dir, &self->keys, &self->init, error)
      || !load_certificate (self, &l, error) || !cl_profile_load_face (self, &l, error)
      || !cl_profile_load_data (self, &l, error)
      || (self->data_mapping != NULL && !cl_profile_check_data_mapping (self, self->data_mapping, FALSE, error)))
    return NULL;
  sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sum, (const guchar *)data, (gssize)len);
  self->hash = g_ascii_strup (g_checksum_get_string (sum), -1);
  g_checksum_free (sum);
  return g_steal_pointer (&self);
}

ClProfile *
cl_profile_new_from_data (const char *data, gsize len, const char *name, const char *base_dir, const char *data_dir,
                          GError **error)
{
  return profile_new (data, len, name, base_dir, data_dir, NULL, error);
}

ClProfile *
cl_profile_new_from_file (const char *path, const char *data_dir, GError **error)
{
  return cl_profile_new_for_station (path, data_dir, NULL, error);
}

ClProfile *
cl_profile_new_for_station (const char *path, const char *data_dir, const char *pki_dir, GError **error)
{
  ClProfile *self;
  g_autofree char *data = NULL;
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *parent = g_path_get_dirname (dir);
  g_autofree char *base = g_path_get_basename (path);
  gsize len;

  if (!cl_profile_reader_read_file (path, &data, &len, error))
    return NULL;
  self = profile_new (data, len, base, dir, data_dir ? data_dir : parent, pki_dir, error);
  if (self != NULL)
    self->path = g_strdup (path);
  return self;
}

const char *
cl_profile_get_name (ClProfile *self)
{
  return self->name;
}

const char *
cl_profile_get_description (ClProfile *self)
{
  return self->description;
}

const char *
cl_profile_get_hash (ClProfile *self)
{
  return self->hash;
}

guint
cl_profile_get_card_timeout (ClProfile *self)
{
  return self->card_timeout;
}

gboolean
cl_profile_is_demo (ClProfile *self)
{
  return self->demo;
}

const char *
cl_profile_get_path (ClProfile *self)
{
  return self->path;
}

const ClProfileConfigure *
cl_profile_get_configure (ClProfile *self)
{
  return &self->configure;
}

const ClProfileCard *
cl_profile_get_card (ClProfile *self)
{
  return &self->card;
}

const ClProfileScp *
cl_profile_get_scp (ClProfile *self)
{
  return &self->scp;
}

const ClProfileKeys *
cl_profile_get_keys (ClProfile *self)
{
  return &self->keys;
}

const ClProfileApplet *
cl_profile_get_applet (ClProfile *self)
{
  return &self->applet;
}

const ClProfileInit *
cl_profile_get_init (ClProfile *self)
{
  return &self->init;
}

const ClProfileCustody *
cl_profile_get_custody (ClProfile *self)
{
  return &self->custody;
}

const ClProfileCertify *
cl_profile_get_certify (ClProfile *self)
{
  return &self->certify;
}

gboolean
cl_profile_get_data_fails_on_reject (ClProfile *self)
{
  return self->data_fails_on_reject;
}

guint
cl_profile_get_data_max_attempts (ClProfile *self)
{
  g_return_val_if_fail (CL_IS_PROFILE (self), 0);
  return self->data_max_attempts;
}

const char *
cl_profile_get_face_template (ClProfile *self)
{
  return self->face_template;
}

ClDataMapping *
cl_profile_get_data_mapping (ClProfile *self)
{
  return self->data_mapping;
}

GBytes *
cl_profile_get_fixed_pin (ClProfile *self)
{
  return self->fixed_pin;
}

GBytes *
cl_profile_get_fixed_so_pin (ClProfile *self)
{
  return self->fixed_so_pin;
}

gboolean
cl_profile_atr_matches (ClProfile *self, const guint8 *atr, gsize len)
{
  gsize want;
  const guint8 *value = g_bytes_get_data (self->card.atr, &want);
  const guint8 *mask = g_bytes_get_data (self->card.atr_mask, NULL);

  if (atr == NULL || len != want)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if ((atr[i] & mask[i]) != value[i])
      return FALSE;
  return TRUE;
}

gboolean
cl_profile_check_files (ClProfile *self, GError **error)
{
  const struct
  {
    const char *what;
    const char *path;
  } files[] = {
    { "applet:cap-file", self->applet.cap_file },
    { "certificate:dica-cvc", self->certify.dica_cvc },
    { "certificate:srca-cvc", self->certify.srca_cvc },
    { "face:template", self->face_template },
  };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    if (files[i].path && !g_file_test (files[i].path, G_FILE_TEST_IS_REGULAR))
      {
        g_set_error (error, CL_ERROR, CL_ERROR_PROFILE, "Profile %s: %s names %s, which does not exist", self->name,
                     files[i].what, files[i].path);
        return FALSE;
      }
  return TRUE;
}
