#include "cl-vcard-image.h"

#include <string.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"

struct _ClVcardImage
{
  GObject parent_instance;

  char *path;
  GBytes *atr;
  GBytes *cplc;
  GBytes *kdd;
  GBytes *isd_aid;
  guint8 life_cycle;
  guint max_command_length;
  GPtrArray *store_data; /* char* hex */
  GPtrArray *keys;       /* ClVcardKeys* */
  GPtrArray *load_files; /* ClVcardLoadFile* */
  GPtrArray *applets;    /* ClVcardApplet* */
  GHashTable *schsm;     /* char* -> char* */
  ClVcardDefects defects;
};

G_DEFINE_FINAL_TYPE (ClVcardImage, cl_vcard_image, G_TYPE_OBJECT)

static const guint8 default_atr[]
  = { 0x3B, 0xF8, 0x13, 0x00, 0x00, 0x81, 0x31, 0xFE, 0x45, 0x4A, 0x43, 0x4F, 0x50, 0x76, 0x32, 0x34, 0x31, 0xB7 };
static const guint8 default_isd_aid[] = { 0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00 };

static const struct
{
  guint8 state;
  const char *name;
} life_cycles[] = {
  { CL_VCARD_LC_OP_READY, "OP_READY" },     { CL_VCARD_LC_INITIALIZED, "INITIALIZED" },
  { CL_VCARD_LC_SECURED, "SECURED" },       { CL_VCARD_LC_CARD_LOCKED, "CARD_LOCKED" },
  { CL_VCARD_LC_TERMINATED, "TERMINATED" },
};

const char *
cl_vcard_life_cycle_to_string (guint8 state)
{
  for (guint i = 0; i < G_N_ELEMENTS (life_cycles); i++)
    if (life_cycles[i].state == state)
      return life_cycles[i].name;
  return "UNKNOWN";
}

gboolean
cl_vcard_life_cycle_from_string (const char *text, guint8 *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (life_cycles); i++)
    if (g_ascii_strcasecmp (life_cycles[i].name, text) == 0)
      {
        *out = life_cycles[i].state;
        return TRUE;
      }
  return FALSE;
}

ClVcardKeys *
cl_vcard_keys_new (guint8 version, ClKeyType type, GBytes *enc, GBytes *mac, GBytes *dek, guint8 scp, guint8 i)
{
  ClVcardKeys *keys = g_new0 (ClVcardKeys, 1);

  keys->version = version;
  keys->type = type;
  keys->enc = g_bytes_ref (enc);
  keys->mac = g_bytes_ref (mac);
  keys->dek = g_bytes_ref (dek);
  keys->scp = scp;
  keys->i = i;
  return keys;
}

void
cl_vcard_keys_free (ClVcardKeys *keys)
{
  if (keys == NULL)
    return;
  g_clear_pointer (&keys->enc, g_bytes_unref);
  g_clear_pointer (&keys->mac, g_bytes_unref);
  g_clear_pointer (&keys->dek, g_bytes_unref);
  g_free (keys);
}

static void
load_file_free (ClVcardLoadFile *file)
{
  g_bytes_unref (file->aid);
  g_ptr_array_unref (file->modules);
  g_free (file);
}

static void
applet_free (ClVcardApplet *applet)
{
  g_bytes_unref (applet->aid);
  g_clear_pointer (&applet->load_file, g_bytes_unref);
  g_clear_pointer (&applet->module, g_bytes_unref);
  g_free (applet);
}

static void
cl_vcard_image_finalize (GObject *object)
{
  ClVcardImage *self = CL_VCARD_IMAGE (object);

  g_free (self->path);
  g_clear_pointer (&self->atr, g_bytes_unref);
  g_clear_pointer (&self->cplc, g_bytes_unref);
  g_clear_pointer (&self->kdd, g_bytes_unref);
  g_clear_pointer (&self->isd_aid, g_bytes_unref);
  g_ptr_array_unref (self->store_data);
  g_ptr_array_unref (self->keys);
  g_ptr_array_unref (self->load_files);
  g_ptr_array_unref (self->applets);
  g_hash_table_unref (self->schsm);
  G_OBJECT_CLASS (cl_vcard_image_parent_class)->finalize (object);
}

static void
cl_vcard_image_class_init (ClVcardImageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_vcard_image_finalize;
}

static void
cl_vcard_image_init (ClVcardImage *self)
{
  self->atr = g_bytes_new_static (default_atr, sizeof default_atr);
  self->isd_aid = g_bytes_new_static (default_isd_aid, sizeof default_isd_aid);
  self->cplc = g_bytes_new_take (g_malloc0 (42), 42);
  self->kdd = g_bytes_new_take (g_malloc0 (10), 10);
  self->life_cycle = CL_VCARD_LC_OP_READY;
  self->max_command_length = CL_VCARD_MAX_COMMAND;
  self->store_data = g_ptr_array_new_with_free_func (g_free);
  self->keys = g_ptr_array_new_with_free_func ((GDestroyNotify)cl_vcard_keys_free);
  self->load_files = g_ptr_array_new_with_free_func ((GDestroyNotify)load_file_free);
  self->applets = g_ptr_array_new_with_free_func ((GDestroyNotify)applet_free);
  self->schsm = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->defects.sw_ins = -1;
  self->defects.sw_load_block = -1;
}

ClVcardImage *
cl_vcard_image_new (void)
{
  return g_object_new (CL_TYPE_VCARD_IMAGE, NULL);
}

/* ---- reading ---- */

static GBytes *
get_hex (GKeyFile *kf, const char *group, const char *key, gssize want_len, gboolean optional, GError **error)
{
  g_autofree char *text = g_key_file_get_string (kf, group, key, NULL);
  g_autoptr (GError) local = NULL;
  GBytes *bytes;

  if (text == NULL)
    {
      if (!optional)
        g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Card image: [%s] has no '%s'", group, key);
      return NULL;
    }
  bytes = cl_hex_decode (text, &local);
  if (bytes == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Card image: [%s] %s: %s", group, key, local->message);
      return NULL;
    }
  if (want_len >= 0 && g_bytes_get_size (bytes) != (gsize)want_len)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Card image: [%s] %s is %zu bytes, expected %zd", group, key,
                   g_bytes_get_size (bytes), want_len);
      g_bytes_unref (bytes);
      return NULL;
    }
  return bytes;
}

static gboolean
get_byte (GKeyFile *kf, const char *group, const char *key, guint8 *out, GError **error)
{
  g_autoptr (GBytes) b = get_hex (kf, group, key, 1, FALSE, error);

  if (b == NULL)
    return FALSE;
  *out = *(const guint8 *)g_bytes_get_data (b, NULL);
  return TRUE;
}

static GPtrArray *
get_aid_list (const char *text, GError **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  g_auto (GStrv) parts = g_strsplit (text ? text : "", ";", -1);

  for (guint i = 0; parts[i]; i++)
    {
      GBytes *aid;

      if (*g_strstrip (parts[i]) == '\0')
        continue;
      aid = cl_hex_decode (parts[i], error);
      if (aid == NULL)
        return NULL;
      if (g_bytes_get_size (aid) < 5 || g_bytes_get_size (aid) > 16)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Card image: AID %s is not 5..16 bytes", parts[i]);
          g_bytes_unref (aid);
          return NULL;
        }
      g_ptr_array_add (list, aid);
    }
  return g_steal_pointer (&list);
}

static gboolean
load_keysets (ClVcardImage *self, GKeyFile *kf, GError **error)
{
  g_auto (GStrv) groups = g_key_file_get_groups (kf, NULL);

  for (guint g = 0; groups[g]; g++)
    {
      const char *group = groups[g];
      g_autoptr (GBytes) enc = NULL;
      g_autoptr (GBytes) mac = NULL;
      g_autoptr (GBytes) dek = NULL;
      g_autofree char *type = NULL;
      guint64 version;
      guint8 scp = 3, i = 0x70;
      ClVcardKeys *keys;
      ClKeyType key_type;
      gsize len;

      if (!g_str_has_prefix (group, "keyset."))
        continue;
      if (!g_ascii_string_to_unsigned (group + 7, 16, 0, 0x7F, &version, NULL))
        return g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Card image: [%s]: the key version must be hex 00..7F",
                            group),
               FALSE;
      type = g_key_file_get_string (kf, group, "type", NULL);
      if (g_strcmp0 (type, "aes") == 0)
        key_type = CL_KEY_TYPE_AES;
      else if (g_strcmp0 (type, "des3") == 0)
        key_type = CL_KEY_TYPE_DES3;
      else
        return g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Card image: [%s] type must be aes or des3", group),
               FALSE;
      if (!(enc = get_hex (kf, group, "enc", -1, FALSE, error)) || !(mac = get_hex (kf, group, "mac", -1, FALSE, error))
          || !(dek = get_hex (kf, group, "dek", -1, FALSE, error)))
        return FALSE;
      len = g_bytes_get_size (enc);
      if (g_bytes_get_size (mac) != len || g_bytes_get_size (dek) != len
          || (key_type == CL_KEY_TYPE_AES && len != 16 && len != 24 && len != 32)
          || (key_type == CL_KEY_TYPE_DES3 && len != 16 && len != 24))
        return g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                            "Card image: [%s] enc/mac/dek must have one valid %s key length", group, type),
               FALSE;
      if (g_key_file_has_key (kf, group, "scp", NULL) && !get_byte (kf, group, "scp", &scp, error))
        return FALSE;
      if (g_key_file_has_key (kf, group, "i", NULL) && !get_byte (kf, group, "i", &i, error))
        return FALSE;
      if ((scp == 3) != (key_type == CL_KEY_TYPE_AES) || (scp != 2 && scp != 3))
        return g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Card image: [%s] scp %02X does not fit key type %s",
                            group, scp, type),
               FALSE;
      keys = cl_vcard_keys_new ((guint8)version, key_type, enc, mac, dek, scp, i);
      keys->sequence = (guint32)g_key_file_get_uint64 (kf, group, "sequence", NULL);
      cl_vcard_image_put_keys (self, keys);
    }
  return TRUE;
}

static gboolean
load_registry (ClVcardImage *self, GKeyFile *kf, GError **error)
{
  g_autofree char *lf_text = g_key_file_get_string (kf, "registry", "load_files", NULL);
  g_autofree char *app_text = g_key_file_get_string (kf, "registry", "applets", NULL);
  g_autoptr (GPtrArray) lfs = get_aid_list (lf_text, error);
  g_autoptr (GPtrArray) apps = NULL;

  if (lfs == NULL)
    return FALSE;
  for (guint n = 0; n < lfs->len; n++)
    {
      g_autofree char *hex = cl_hex_encode_bytes (lfs->pdata[n]);
      g_autofree char *k_state = g_strdup_printf ("load_file.%s.state", hex);
      g_autofree char *k_modules = g_strdup_printf ("load_file.%s.modules", hex);
      g_autofree char *modules_text = g_key_file_get_string (kf, "registry", k_modules, NULL);
      gsize len;
      const guint8 *aid = g_bytes_get_data (lfs->pdata[n], &len);
      ClVcardLoadFile *file = cl_vcard_image_add_load_file (self, aid, len);
      g_autoptr (GPtrArray) modules = get_aid_list (modules_text, error);

      if (modules == NULL || !get_byte (kf, "registry", k_state, &file->state, error))
        return FALSE;
      for (guint m = 0; m < modules->len; m++)
        g_ptr_array_add (file->modules, g_bytes_ref (modules->pdata[m]));
    }

  apps = get_aid_list (app_text, error);
  if (apps == NULL)
    return FALSE;
  for (guint n = 0; n < apps->len; n++)
    {
      g_autofree char *hex = cl_hex_encode_bytes (apps->pdata[n]);
      g_autofree char *k_lf = g_strdup_printf ("applet.%s.load_file", hex);
      g_autofree char *k_mod = g_strdup_printf ("applet.%s.module", hex);
      g_autofree char *k_state = g_strdup_printf ("applet.%s.state", hex);
      g_autofree char *k_priv = g_strdup_printf ("applet.%s.privileges", hex);
      g_autoptr (GBytes) lf = get_hex (kf, "registry", k_lf, -1, TRUE, error);
      g_autoptr (GBytes) mod = get_hex (kf, "registry", k_mod, -1, TRUE, error);
      g_autoptr (GBytes) priv = get_hex (kf, "registry", k_priv, 3, FALSE, error);
      guint8 state;
      gsize len;
      const guint8 *aid = g_bytes_get_data (apps->pdata[n], &len);

      if (priv == NULL || !get_byte (kf, "registry", k_state, &state, error))
        return FALSE;
      cl_vcard_image_add_applet (self, aid, len, lf, mod, state, g_bytes_get_data (priv, NULL));
    }
  return TRUE;
}

static gboolean
load_defects (ClVcardImage *self, GKeyFile *kf, GError **error)
{
  g_auto (GStrv) keys = g_key_file_get_keys (kf, "defects", NULL, NULL);

  for (guint n = 0; keys && keys[n]; n++)
    {
      g_autofree char *value = g_key_file_get_string (kf, "defects", keys[n], NULL);

      if (!cl_vcard_image_set_defect (self, keys[n], value, error))
        return FALSE;
    }
  return TRUE;
}

static ClVcardImage *
load_from_key_file (GKeyFile *kf, GError **error)
{
  g_autoptr (ClVcardImage) self = cl_vcard_image_new ();
  g_autofree char *lc = NULL;
  g_auto (GStrv) store = NULL;
  g_auto (GStrv) schsm_keys = NULL;
  GBytes *b;

  if (!g_key_file_has_group (kf, "card"))
    return g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Card image: no [card] group"), NULL;
  if (!(b = get_hex (kf, "card", "atr", -1, FALSE, error)))
    return NULL;
  if (g_bytes_get_size (b) < 2 || g_bytes_get_size (b) > 33)
    {
      g_bytes_unref (b);
      return g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Card image: [card] atr must be 2..33 bytes"), NULL;
    }
  g_bytes_unref (self->atr), self->atr = b;
  if (!(b = get_hex (kf, "card", "cplc", 42, FALSE, error)))
    return NULL;
  g_bytes_unref (self->cplc), self->cplc = b;
  if (!(b = get_hex (kf, "card", "kdd", 10, FALSE, error)))
    return NULL;
  g_bytes_unref (self->kdd), self->kdd = b;
  if (g_key_file_has_key (kf, "card", "isd_aid", NULL))
    {
      if (!(b = get_hex (kf, "card", "isd_aid", -1, FALSE, error)))
        return NULL;
      g_bytes_unref (self->isd_aid), self->isd_aid = b;
    }
  lc = g_key_file_get_string (kf, "card", "life_cycle", NULL);
  if (lc == NULL || !cl_vcard_life_cycle_from_string (lc, &self->life_cycle))
    return g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                        "Card image: [card] life_cycle '%s' is not one of OP_READY, INITIALIZED, SECURED, "
                        "CARD_LOCKED, TERMINATED",
                        lc ? lc : "(missing)"),
           NULL;
  if (g_key_file_has_key (kf, "card", "max_command_length", NULL)
      && !cl_vcard_image_set_max_command_length (
        self, (guint)MIN (g_key_file_get_uint64 (kf, "card", "max_command_length", NULL), G_MAXUINT)))
    return g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Card image: [card] max_command_length must be 261..%u",
                        CL_VCARD_MAX_COMMAND),
           NULL;
  store = g_key_file_get_string_list (kf, "card", "store_data", NULL, NULL);
  for (guint n = 0; store && store[n]; n++)
    g_ptr_array_add (self->store_data, g_strdup (store[n]));

  if (!load_keysets (self, kf, error) || !load_registry (self, kf, error) || !load_defects (self, kf, error))
    return NULL;

  schsm_keys = g_key_file_get_keys (kf, "schsm", NULL, NULL);
  for (guint n = 0; schsm_keys && schsm_keys[n]; n++)
    g_hash_table_insert (self->schsm, g_strdup (schsm_keys[n]),
                         g_key_file_get_string (kf, "schsm", schsm_keys[n], NULL));
  return g_steal_pointer (&self);
}

ClVcardImage *
cl_vcard_image_load_from_data (const char *data, gsize len, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();

  if (!g_key_file_load_from_data (kf, data, len, G_KEY_FILE_NONE, error))
    return NULL;
  return load_from_key_file (kf, error);
}

ClVcardImage *
cl_vcard_image_load (const char *path, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  ClVcardImage *self;

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Cannot read card image %s: %s", path, local->message);
      return NULL;
    }
  self = load_from_key_file (kf, &local);
  if (self == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "%s: %s", path, local->message);
      return NULL;
    }
  self->path = g_strdup (path);
  return self;
}

/* ---- writing ---- */

static void
set_hex (GKeyFile *kf, const char *group, const char *key, GBytes *bytes)
{
  g_autofree char *hex = cl_hex_encode_bytes (bytes);

  g_key_file_set_string (kf, group, key, hex);
}

static void
set_byte (GKeyFile *kf, const char *group, const char *key, guint8 value)
{
  char hex[3];

  g_snprintf (hex, sizeof hex, "%02X", value);
  g_key_file_set_string (kf, group, key, hex);
}

static char *
aid_list (GPtrArray *items, gsize aid_offset)
{
  g_autoptr (GString) s = g_string_new (NULL);

  for (guint n = 0; n < items->len; n++)
    {
      GBytes *aid = G_STRUCT_MEMBER (GBytes *, items->pdata[n], aid_offset);
      g_autofree char *hex = cl_hex_encode_bytes (aid);

      g_string_append_printf (s, "%s%s", n ? ";" : "", hex);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

char *
cl_vcard_image_to_data (ClVcardImage *self, gsize *len)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autofree char *lfs = aid_list (self->load_files, G_STRUCT_OFFSET (ClVcardLoadFile, aid));
  g_autofree char *apps = aid_list (self->applets, G_STRUCT_OFFSET (ClVcardApplet, aid));
  const ClVcardDefects *d = &self->defects;
  GHashTableIter iter;
  gpointer key, value;

  set_hex (kf, "card", "atr", self->atr);
  set_hex (kf, "card", "cplc", self->cplc);
  set_hex (kf, "card", "kdd", self->kdd);
  g_key_file_set_string (kf, "card", "life_cycle", cl_vcard_life_cycle_to_string (self->life_cycle));
  set_hex (kf, "card", "isd_aid", self->isd_aid);
  if (self->max_command_length != CL_VCARD_MAX_COMMAND)
    g_key_file_set_uint64 (kf, "card", "max_command_length", self->max_command_length);
  if (self->store_data->len)
    g_key_file_set_string_list (kf, "card", "store_data", (const char *const *)self->store_data->pdata,
                                self->store_data->len);

  for (guint n = 0; n < self->keys->len; n++)
    {
      ClVcardKeys *k = self->keys->pdata[n];
      g_autofree char *group = g_strdup_printf ("keyset.%02X", k->version);

      g_key_file_set_string (kf, group, "type", k->type == CL_KEY_TYPE_AES ? "aes" : "des3");
      set_hex (kf, group, "enc", k->enc);
      set_hex (kf, group, "mac", k->mac);
      set_hex (kf, group, "dek", k->dek);
      set_byte (kf, group, "scp", k->scp);
      set_byte (kf, group, "i", k->i);
      g_key_file_set_uint64 (kf, group, "sequence", k->sequence);
    }

  g_key_file_set_string (kf, "registry", "load_files", lfs);
  for (guint n = 0; n < self->load_files->len; n++)
    {
      ClVcardLoadFile *f = self->load_files->pdata[n];
      g_autofree char *hex = cl_hex_encode_bytes (f->aid);
      g_autofree char *k_state = g_strdup_printf ("load_file.%s.state", hex);
      g_autofree char *k_modules = g_strdup_printf ("load_file.%s.modules", hex);
      g_autoptr (GString) mods = g_string_new (NULL);

      for (guint m = 0; m < f->modules->len; m++)
        {
          g_autofree char *mhex = cl_hex_encode_bytes (f->modules->pdata[m]);
          g_string_append_printf (mods, "%s%s", m ? ";" : "", mhex);
        }
      set_byte (kf, "registry", k_state, f->state);
      g_key_file_set_string (kf, "registry", k_modules, mods->str);
    }
  g_key_file_set_string (kf, "registry", "applets", apps);
  for (guint n = 0; n < self->applets->len; n++)
    {
      ClVcardApplet *a = self->applets->pdata[n];
      g_autofree char *hex = cl_hex_encode_bytes (a->aid);
      g_autofree char *k_lf = g_strdup_printf ("applet.%s.load_file", hex);
      g_autofree char *k_mod = g_strdup_printf ("applet.%s.module", hex);
      g_autofree char *k_state = g_strdup_printf ("applet.%s.state", hex);
      g_autofree char *k_priv = g_strdup_printf ("applet.%s.privileges", hex);
      g_autoptr (GBytes) priv = g_bytes_new (a->privileges, 3);

      if (a->load_file)
        set_hex (kf, "registry", k_lf, a->load_file);
      if (a->module)
        set_hex (kf, "registry", k_mod, a->module);
      set_byte (kf, "registry", k_state, a->state);
      set_hex (kf, "registry", k_priv, priv);
    }

  g_hash_table_iter_init (&iter, self->schsm);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_key_file_set_string (kf, "schsm", key, value);

  if (d->mute)
    g_key_file_set_boolean (kf, "defects", "mute", TRUE);
  if (d->sw_ins >= 0 || d->sw_load_block >= 0)
    {
      g_autofree char *v = d->sw_ins >= 0 ? g_strdup_printf ("%02X:%04X", d->sw_ins, d->sw)
                                          : g_strdup_printf ("LOAD.%d:%04X", d->sw_load_block, d->sw);
      g_key_file_set_string (kf, "defects", "sw_at", v);
    }
  if (d->wrong_kst)
    g_key_file_set_boolean (kf, "defects", "wrong_kst", TRUE);
  if (d->keygen_fail)
    g_key_file_set_boolean (kf, "defects", "keygen_fail", TRUE);
  if (d->tear_after)
    g_key_file_set_uint64 (kf, "defects", "tear_after", d->tear_after);
  if (d->bad_mac_at)
    g_key_file_set_uint64 (kf, "defects", "bad_mac_at", d->bad_mac_at);
  if (d->bad_len_at)
    g_key_file_set_uint64 (kf, "defects", "bad_len_at", d->bad_len_at);

  return g_key_file_to_data (kf, len, NULL);
}

gboolean
cl_vcard_image_save (ClVcardImage *self, const char *path, GError **error)
{
  gsize len;
  g_autofree char *data = cl_vcard_image_to_data (self, &len);
  g_autoptr (GError) local = NULL;

  /* CONSISTENT = temp file, fsync, rename: a reader in another process never sees half an image. */
  if (!g_file_set_contents_full (path, data, (gssize)len, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &local))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "Cannot write card image %s: %s", path, local->message);
      return FALSE;
    }
  if (g_strcmp0 (self->path, path) != 0)
    {
      g_free (self->path);
      self->path = g_strdup (path);
    }
  return TRUE;
}

gboolean
cl_vcard_image_commit (ClVcardImage *self, GError **error)
{
  if (self->path == NULL)
    return TRUE;
  return cl_vcard_image_save (self, self->path, error);
}

const char *
cl_vcard_image_get_path (ClVcardImage *self)
{
  return self->path;
}

/* ---- accessors ---- */

GBytes *
cl_vcard_image_get_atr (ClVcardImage *self)
{
  return self->atr;
}

void
cl_vcard_image_set_atr (ClVcardImage *self, GBytes *atr)
{
  g_bytes_unref (self->atr);
  self->atr = g_bytes_ref (atr);
}

GBytes *
cl_vcard_image_get_cplc (ClVcardImage *self)
{
  return self->cplc;
}

void
cl_vcard_image_set_cplc (ClVcardImage *self, GBytes *cplc)
{
  g_return_if_fail (g_bytes_get_size (cplc) == 42);
  g_bytes_unref (self->cplc);
  self->cplc = g_bytes_ref (cplc);
}

GBytes *
cl_vcard_image_get_kdd (ClVcardImage *self)
{
  return self->kdd;
}

void
cl_vcard_image_set_kdd (ClVcardImage *self, GBytes *kdd)
{
  g_return_if_fail (g_bytes_get_size (kdd) == 10);
  g_bytes_unref (self->kdd);
  self->kdd = g_bytes_ref (kdd);
}

GBytes *
cl_vcard_image_get_isd_aid (ClVcardImage *self)
{
  return self->isd_aid;
}

guint8
cl_vcard_image_get_life_cycle (ClVcardImage *self)
{
  return self->life_cycle;
}

guint
cl_vcard_image_get_max_command_length (ClVcardImage *self)
{
  return self->max_command_length;
}

gboolean
cl_vcard_image_set_max_command_length (ClVcardImage *self, guint max)
{
  if (max < 261 || max > CL_VCARD_MAX_COMMAND)
    return FALSE;
  self->max_command_length = max;
  return TRUE;
}

void
cl_vcard_image_set_life_cycle (ClVcardImage *self, guint8 state)
{
  self->life_cycle = state;
}

void
cl_vcard_image_add_store_data (ClVcardImage *self, const guint8 *data, gsize len)
{
  /* Bounded so a fuzzer or a runaway host cannot grow the image without limit. */
  if (self->store_data->len >= 64)
    g_ptr_array_remove_index (self->store_data, 0);
  g_ptr_array_add (self->store_data, cl_hex_encode (data, len));
}

guint
cl_vcard_image_get_store_data_count (ClVcardImage *self)
{
  return self->store_data->len;
}

GPtrArray *
cl_vcard_image_get_key_sets (ClVcardImage *self)
{
  return self->keys;
}

ClVcardKeys *
cl_vcard_image_find_keys (ClVcardImage *self, guint8 version)
{
  for (guint n = 0; n < self->keys->len; n++)
    {
      ClVcardKeys *k = self->keys->pdata[n];
      if (k->version == version)
        return k;
    }
  return NULL;
}

static gint
compare_keys (gconstpointer a, gconstpointer b)
{
  const ClVcardKeys *ka = *(ClVcardKeys *const *)a;
  const ClVcardKeys *kb = *(ClVcardKeys *const *)b;

  return (gint)ka->version - (gint)kb->version;
}

void
cl_vcard_image_put_keys (ClVcardImage *self, ClVcardKeys *keys)
{
  cl_vcard_image_remove_keys (self, keys->version);
  g_ptr_array_add (self->keys, keys);
  g_ptr_array_sort (self->keys, compare_keys);
}

gboolean
cl_vcard_image_remove_keys (ClVcardImage *self, guint8 version)
{
  ClVcardKeys *k = cl_vcard_image_find_keys (self, version);

  return k != NULL && g_ptr_array_remove (self->keys, k);
}

GPtrArray *
cl_vcard_image_get_load_files (ClVcardImage *self)
{
  return self->load_files;
}

GPtrArray *
cl_vcard_image_get_applets (ClVcardImage *self)
{
  return self->applets;
}

static gboolean
aid_equal (GBytes *aid, const guint8 *data, gsize len)
{
  gsize alen;
  const guint8 *a = g_bytes_get_data (aid, &alen);

  return alen == len && memcmp (a, data, len) == 0;
}

ClVcardLoadFile *
cl_vcard_image_find_load_file (ClVcardImage *self, const guint8 *aid, gsize len)
{
  for (guint n = 0; n < self->load_files->len; n++)
    {
      ClVcardLoadFile *f = self->load_files->pdata[n];
      if (aid_equal (f->aid, aid, len))
        return f;
    }
  return NULL;
}

ClVcardApplet *
cl_vcard_image_find_applet (ClVcardImage *self, const guint8 *aid, gsize len)
{
  for (guint n = 0; n < self->applets->len; n++)
    {
      ClVcardApplet *a = self->applets->pdata[n];
      if (aid_equal (a->aid, aid, len))
        return a;
    }
  return NULL;
}

ClVcardLoadFile *
cl_vcard_image_add_load_file (ClVcardImage *self, const guint8 *aid, gsize len)
{
  ClVcardLoadFile *f = g_new0 (ClVcardLoadFile, 1);

  f->aid = g_bytes_new (aid, len);
  f->state = CL_VCARD_LOAD_FILE_LOADED;
  f->modules = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  g_ptr_array_add (self->load_files, f);
  return f;
}

ClVcardApplet *
cl_vcard_image_add_applet (ClVcardImage *self, const guint8 *aid, gsize len, GBytes *load_file, GBytes *module,
                           guint8 state, const guint8 privileges[3])
{
  ClVcardApplet *a = g_new0 (ClVcardApplet, 1);

  a->aid = g_bytes_new (aid, len);
  a->load_file = load_file ? g_bytes_ref (load_file) : NULL;
  a->module = module ? g_bytes_ref (module) : NULL;
  a->state = state;
  memcpy (a->privileges, privileges, 3);
  g_ptr_array_add (self->applets, a);
  return a;
}

void
cl_vcard_image_remove_load_file (ClVcardImage *self, ClVcardLoadFile *file)
{
  g_ptr_array_remove (self->load_files, file);
}

void
cl_vcard_image_remove_applet (ClVcardImage *self, ClVcardApplet *applet)
{
  g_ptr_array_remove (self->applets, applet);
}

const char *
cl_vcard_image_get_schsm (ClVcardImage *self, const char *key)
{
  return g_hash_table_lookup (self->schsm, key);
}

void
cl_vcard_image_set_schsm (ClVcardImage *self, const char *key, const char *value)
{
  if (value == NULL)
    g_hash_table_remove (self->schsm, key);
  else
    g_hash_table_insert (self->schsm, g_strdup (key), g_strdup (value));
}

void
cl_vcard_image_clear_schsm (ClVcardImage *self)
{
  g_hash_table_remove_all (self->schsm);
}

GList *
cl_vcard_image_get_schsm_keys (ClVcardImage *self)
{
  return g_hash_table_get_keys (self->schsm);
}

ClVcardDefects *
cl_vcard_image_get_defects (ClVcardImage *self)
{
  return &self->defects;
}

static gboolean
parse_bool (const char *key, const char *value, gboolean *out, GError **error)
{
  if (g_strcmp0 (value, "true") == 0)
    *out = TRUE;
  else if (g_strcmp0 (value, "false") == 0)
    *out = FALSE;
  else
    return g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Card image: [defects] %s must be true or false", key),
           FALSE;
  return TRUE;
}

static gboolean
parse_apdu_count (const char *key, const char *value, guint *out, GError **error)
{
  guint64 n;

  if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT, &n, NULL))
    return g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Card image: [defects] %s '%s' is not an APDU count", key,
                        value),
           FALSE;
  *out = (guint)n;
  return TRUE;
}

gboolean
cl_vcard_image_set_defect (ClVcardImage *self, const char *key, const char *value, GError **error)
{
  ClVcardDefects *d = &self->defects;

  if (value == NULL)
    value = "";
  if (g_str_equal (key, "mute"))
    return parse_bool (key, value, &d->mute, error);
  if (g_str_equal (key, "wrong_kst"))
    return parse_bool (key, value, &d->wrong_kst, error);
  if (g_str_equal (key, "keygen_fail"))
    return parse_bool (key, value, &d->keygen_fail, error);
  if (g_str_equal (key, "tear_after"))
    return parse_apdu_count (key, value, &d->tear_after, error);
  if (g_str_equal (key, "bad_mac_at"))
    return parse_apdu_count (key, value, &d->bad_mac_at, error);
  if (g_str_equal (key, "bad_len_at"))
    return parse_apdu_count (key, value, &d->bad_len_at, error);
  if (g_str_equal (key, "sw_at"))
    {
      const char *colon = strchr (value, ':');
      g_autofree char *where = colon ? g_strndup (value, (gsize)(colon - value)) : NULL;
      guint64 sw, n;

      if (colon == NULL || !g_ascii_string_to_unsigned (colon + 1, 16, 0, 0xFFFF, &sw, NULL) || strlen (colon + 1) != 4)
        goto bad_sw_at;
      if (g_str_has_prefix (where, "LOAD."))
        {
          if (!g_ascii_string_to_unsigned (where + 5, 10, 0, 255, &n, NULL))
            goto bad_sw_at;
          d->sw_load_block = (gint)n;
          d->sw_ins = -1;
        }
      else
        {
          if (!g_ascii_string_to_unsigned (where, 16, 0, 255, &n, NULL))
            goto bad_sw_at;
          d->sw_ins = (gint)n;
          d->sw_load_block = -1;
        }
      d->sw = (guint16)sw;
      return TRUE;
    bad_sw_at:
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "Card image: [defects] sw_at '%s' is not <INS hex>:<SW> or LOAD.<block>:<SW>", value);
      return FALSE;
    }
  g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "Card image: unknown defect '%s'", key);
  return FALSE;
}
