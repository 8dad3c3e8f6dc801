/* cl-cap-file.c: reads the components out of a CAP zip and builds the Load File Data Block. */
#include "cap/cl-cap-file.h"

#include <string.h>

#include <openssl/evp.h>
#include <zip.h>

#include "core/cl-error.h"
#include "tlv/cl-tlv.h"

/* Nothing legitimate is near this: 12 components of at most 64 KiB, plus the class files beside them. */
#define CL_CAP_MAX_FILE_SIZE (16 * 1024 * 1024)

struct _ClCapFile
{
  GObject parent_instance;

  GBytes *components[CL_CAP_COMPONENT_LAST + 1];
  ClCapHeader header;
  GPtrArray *applet_aids;
  GBytes *package_aid;
};

G_DEFINE_FINAL_TYPE (ClCapFile, cl_cap_file, G_TYPE_OBJECT)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (zip_t, zip_discard)

static const ClCapComponent load_order[] = {
  CL_CAP_COMPONENT_HEADER,        CL_CAP_COMPONENT_DIRECTORY,    CL_CAP_COMPONENT_IMPORT,       CL_CAP_COMPONENT_APPLET,
  CL_CAP_COMPONENT_CLASS,         CL_CAP_COMPONENT_METHOD,       CL_CAP_COMPONENT_STATIC_FIELD, CL_CAP_COMPONENT_EXPORT,
  CL_CAP_COMPONENT_CONSTANT_POOL, CL_CAP_COMPONENT_REF_LOCATION, CL_CAP_COMPONENT_DESCRIPTOR,
};

static void
cl_cap_file_finalize (GObject *object)
{
  ClCapFile *self = CL_CAP_FILE (object);

  for (guint i = 0; i <= CL_CAP_COMPONENT_LAST; i++)
    g_clear_pointer (&self->components[i], g_bytes_unref);
  cl_cap_header_clear (&self->header);
  g_clear_pointer (&self->applet_aids, g_ptr_array_unref);
  g_clear_pointer (&self->package_aid, g_bytes_unref);
  G_OBJECT_CLASS (cl_cap_file_parent_class)->finalize (object);
}

static void
cl_cap_file_class_init (ClCapFileClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_cap_file_finalize;
}

static void
cl_cap_file_init (ClCapFile *self)
{
  self->applet_aids = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
}

/* The component an entry holds, if its path is <anything>/javacard/<Component>.cap. */
static gboolean
entry_component (const char *path, ClCapComponent *out)
{
  const char *base = strrchr (path, '/');
  gsize dir_len;

  if (base == NULL)
    return FALSE;
  dir_len = (gsize)(base - path);
  if (dir_len < strlen ("javacard") || strncmp (base - strlen ("javacard"), "javacard", strlen ("javacard")) != 0)
    return FALSE;
  if (dir_len > strlen ("javacard") && base[-(gssize)strlen ("javacard") - 1] != '/')
    return FALSE;
  return cl_cap_component_from_file_name (base + 1, out);
}

static GBytes *
read_entry (zip_t *za, zip_uint64_t index, const char *path, zip_uint64_t declared, GError **error)
{
  g_autofree guint8 *buf = NULL;
  zip_file_t *zf;
  gsize total = 0;

  if (declared > CL_CAP_COMPONENT_MAX_SIZE)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "CAP entry %s: %" G_GUINT64_FORMAT " bytes, more than a component can hold (%d)", path,
                   (guint64)declared, CL_CAP_COMPONENT_MAX_SIZE);
      return NULL;
    }
  zf = zip_fopen_index (za, index, 0);
  if (zf == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "CAP entry %s cannot be opened: %s", path, zip_strerror (za));
      return NULL;
    }
  /* One spare byte shows an entry that inflates to more than its directory entry claims. */
  buf = g_malloc (declared + 1);
  for (;;)
    {
      zip_int64_t n = zip_fread (zf, buf + total, declared + 1 - total);

      if (n < 0)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "CAP entry %s cannot be read: %s", path,
                       zip_file_strerror (zf));
          zip_fclose (zf);
          return NULL;
        }
      if (n == 0)
        break;
      total += (gsize)n;
      if (total > declared)
        break;
    }
  zip_fclose (zf);
  if (total != declared)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "CAP entry %s: %" G_GSIZE_FORMAT " bytes read, the zip directory says %" G_GUINT64_FORMAT, path,
                   total, (guint64)declared);
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&buf), total);
}

static gboolean
load_components (ClCapFile *self, zip_t *za, GError **error)
{
  char *paths[CL_CAP_COMPONENT_LAST + 1] = { NULL };
  zip_int64_t count = zip_get_num_entries (za, 0);
  gboolean ok = TRUE;

  for (zip_int64_t i = 0; ok && i < count; i++)
    {
      zip_stat_t st;
      ClCapComponent component;
      GBytes *bytes;

      zip_stat_init (&st);
      if (zip_stat_index (za, (zip_uint64_t)i, 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME)
          || !(st.valid & ZIP_STAT_SIZE))
        {
          g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "CAP zip entry %" G_GINT64_FORMAT " unreadable: %s",
                       (gint64)i, zip_strerror (za));
          ok = FALSE;
          break;
        }
      if (!entry_component (st.name, &component))
        continue;
      if (self->components[component] != NULL)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                       "CAP file has two %s components (%s and %s); one package per CAP file",
                       cl_cap_component_name (component), paths[component], st.name);
          ok = FALSE;
          break;
        }
      bytes = read_entry (za, (zip_uint64_t)i, st.name, st.size, error);
      if (bytes == NULL)
        {
          ok = FALSE;
          break;
        }
      self->components[component] = bytes;
      paths[component] = g_strdup (st.name);
    }
  for (guint c = 0; c <= CL_CAP_COMPONENT_LAST; c++)
    g_free (paths[c]);
  return ok;
}

static gboolean
check_components (ClCapFile *self, GError **error)
{
  gboolean any = FALSE;

  for (guint c = CL_CAP_COMPONENT_HEADER; c <= CL_CAP_COMPONENT_LAST; c++)
    any = any || self->components[c] != NULL;
  if (!any)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "CAP file has no components (no .../javacard/*.cap entries)");
      return FALSE;
    }
  for (guint c = CL_CAP_COMPONENT_HEADER; c <= CL_CAP_COMPONENT_LAST; c++)
    {
      gsize len;
      const guint8 *data;

      if (self->components[c] == NULL)
        {
          if (cl_cap_component_is_mandatory ((ClCapComponent)c))
            {
              g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "CAP file lacks the mandatory %s component (%s.cap)",
                           cl_cap_component_name ((ClCapComponent)c), cl_cap_component_name ((ClCapComponent)c));
              return FALSE;
            }
          continue;
        }
      data = g_bytes_get_data (self->components[c], &len);
      if (!cl_cap_component_validate ((ClCapComponent)c, data, len, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
parse_components (ClCapFile *self, GError **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (self->components[CL_CAP_COMPONENT_HEADER], &len);

  if (!cl_cap_header_parse (data, len, &self->header, error))
    return FALSE;
  self->package_aid = g_bytes_new (self->header.package_aid, self->header.package_aid_len);
  if (self->components[CL_CAP_COMPONENT_APPLET] != NULL)
    {
      GPtrArray *aids;

      data = g_bytes_get_data (self->components[CL_CAP_COMPONENT_APPLET], &len);
      aids = cl_cap_applet_parse (data, len, error);
      if (aids == NULL)
        return FALSE;
      g_ptr_array_unref (self->applet_aids);
      self->applet_aids = aids;
    }
  return TRUE;
}

ClCapFile *
cl_cap_file_new_from_bytes (GBytes *zip, GError **error)
{
  g_autoptr (ClCapFile) self = NULL;
  g_autoptr (zip_t) za = NULL;
  zip_source_t *src;
  zip_error_t zerr;
  gsize len;
  const guint8 *data;

  g_return_val_if_fail (zip != NULL, NULL);

  data = g_bytes_get_data (zip, &len);
  if (len > CL_CAP_MAX_FILE_SIZE)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "CAP file of %" G_GSIZE_FORMAT " bytes is too large (at most %d)", len, CL_CAP_MAX_FILE_SIZE);
      return NULL;
    }
  /* libzip takes zero bytes for an empty archive; a CAP file never is one. */
  if (len == 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "CAP file is not a zip archive: it is empty");
      return NULL;
    }
  zip_error_init (&zerr);
  /* libzip does not copy: zip (held by the caller) outlives za, which is discarded before returning. */
  src = zip_source_buffer_create (data, len, 0, &zerr);
  if (src == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_FAILED, "CAP file: %s", zip_error_strerror (&zerr));
      zip_error_fini (&zerr);
      return NULL;
    }
  za = zip_open_from_source (src, ZIP_RDONLY, &zerr);
  if (za == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED, "CAP file is not a zip archive: %s",
                   zip_error_strerror (&zerr));
      zip_source_free (src);
      zip_error_fini (&zerr);
      return NULL;
    }
  zip_error_fini (&zerr);

  self = g_object_new (CL_TYPE_CAP_FILE, NULL);
  if (!load_components (self, za, error))
    return NULL;
  if (!check_components (self, error))
    return NULL;
  if (!parse_components (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

ClCapFile *
cl_cap_file_new_from_path (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) local_error = NULL;
  ClCapFile *self;
  gsize len = 0;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "CAP file %s: %s", path, local_error->message);
      return NULL;
    }
  bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
  self = cl_cap_file_new_from_bytes (bytes, &local_error);
  if (self == NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", path);
      return NULL;
    }
  return self;
}

GBytes *
cl_cap_file_get_component (ClCapFile *self, ClCapComponent component)
{
  g_return_val_if_fail (CL_IS_CAP_FILE (self), NULL);
  g_return_val_if_fail (component >= CL_CAP_COMPONENT_HEADER && component <= CL_CAP_COMPONENT_LAST, NULL);

  return self->components[component];
}

void
cl_cap_file_get_cap_version (ClCapFile *self, guint8 *major, guint8 *minor)
{
  g_return_if_fail (CL_IS_CAP_FILE (self));

  if (major != NULL)
    *major = self->header.cap_major;
  if (minor != NULL)
    *minor = self->header.cap_minor;
}

void
cl_cap_file_get_package_version (ClCapFile *self, guint8 *major, guint8 *minor)
{
  g_return_if_fail (CL_IS_CAP_FILE (self));

  if (major != NULL)
    *major = self->header.package_major;
  if (minor != NULL)
    *minor = self->header.package_minor;
}

GBytes *
cl_cap_file_get_package_aid (ClCapFile *self)
{
  g_return_val_if_fail (CL_IS_CAP_FILE (self), NULL);

  return self->package_aid;
}

const char *
cl_cap_file_get_package_name (ClCapFile *self)
{
  g_return_val_if_fail (CL_IS_CAP_FILE (self), NULL);

  return self->header.package_name;
}

GPtrArray *
cl_cap_file_get_applet_aids (ClCapFile *self)
{
  g_return_val_if_fail (CL_IS_CAP_FILE (self), NULL);

  return self->applet_aids;
}

GBytes *
cl_cap_file_get_load_file_code (ClCapFile *self, gboolean include_descriptor, GError **error)
{
  g_autoptr (GByteArray) code = g_byte_array_new ();

  g_return_val_if_fail (CL_IS_CAP_FILE (self), NULL);

  if (include_descriptor && self->components[CL_CAP_COMPONENT_DESCRIPTOR] == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND,
                   "CAP file has no Descriptor component to include in the Load File Data Block");
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (load_order); i++)
    {
      GBytes *component = self->components[load_order[i]];
      gsize len;
      const guint8 *data;

      if (component == NULL || (load_order[i] == CL_CAP_COMPONENT_DESCRIPTOR && !include_descriptor))
        continue;
      data = g_bytes_get_data (component, &len);
      g_byte_array_append (code, data, len);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&code));
}

GBytes *
cl_cap_file_build_load_file_data_block (ClCapFile *self, gboolean include_descriptor, GError **error)
{
  g_autoptr (GBytes) code = cl_cap_file_get_load_file_code (self, include_descriptor, error);
  g_autoptr (GByteArray) lfdb = NULL;
  gsize len;
  const guint8 *data;

  if (code == NULL)
    return NULL;
  data = g_bytes_get_data (code, &len);
  lfdb = g_byte_array_sized_new (len + 6);
  cl_tlv_append (lfdb, 0xC4, data, len);
  return g_byte_array_free_to_bytes (g_steal_pointer (&lfdb));
}

GBytes *
cl_cap_file_compute_load_file_hash (ClCapFile *self, gboolean include_descriptor, ClCapHash hash, GError **error)
{
  g_autoptr (GBytes) code = cl_cap_file_get_load_file_code (self, include_descriptor, error);
  guint8 digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  const EVP_MD *md;
  gsize len;
  const guint8 *data;

  if (code == NULL)
    return NULL;
  switch (hash)
    {
      case CL_CAP_HASH_SHA1:
        md = EVP_sha1 ();
        break;
      case CL_CAP_HASH_SHA256:
        md = EVP_sha256 ();
        break;
      default:
        g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "unknown load file hash algorithm %d", hash);
        return NULL;
    }
  data = g_bytes_get_data (code, &len);
  if (EVP_Digest (data, len, digest, &digest_len, md, NULL) != 1)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_CRYPTO, "load file hash: OpenSSL digest failed");
      return NULL;
    }
  return g_bytes_new (digest, digest_len);
}

GPtrArray *
cl_cap_split_blocks (GBytes *data, gsize max_block, GError **error)
{
  g_autoptr (GPtrArray) blocks = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  gsize len;

  g_return_val_if_fail (data != NULL, NULL);

  if (max_block == 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "load block size must be at least 1 byte");
      return NULL;
    }
  len = g_bytes_get_size (data);
  for (gsize offset = 0; offset < len; offset += max_block)
    g_ptr_array_add (blocks, g_bytes_new_from_bytes (data, offset, MIN (max_block, len - offset)));
  return g_steal_pointer (&blocks);
}
