/* cl-gp-install.c: INSTALL and LOAD commands. */
#include "gp/cl-gp-install.h"

#include "core/cl-error.h"
#include "gp/cl-gp-aid.h"
#include "tlv/cl-tlv.h"

#define CL_GP_INSTALL_FOR_LOAD        0x02
#define CL_GP_INSTALL_FOR_INSTALL     0x04
#define CL_GP_INSTALL_MAKE_SELECTABLE 0x08
#define CL_GP_LOAD_LAST_BLOCK         0x80
#define CL_GP_MAX_LOAD_BLOCKS         256

static void
append_limit (GByteArray *out, guint32 tag, guint32 value)
{
  guint8 bytes[4];

  if (value == 0)
    return;
  if (value <= 0xFFFF)
    {
      bytes[0] = value >> 8;
      bytes[1] = value & 0xFF;
      cl_tlv_append (out, tag, bytes, 2);
      return;
    }
  bytes[0] = value >> 24;
  bytes[1] = (value >> 16) & 0xFF;
  bytes[2] = (value >> 8) & 0xFF;
  bytes[3] = value & 0xFF;
  cl_tlv_append (out, tag, bytes, 4);
}

GBytes *
cl_gp_build_load_parameters (guint32 nv_code, guint32 volatile_data, guint32 nv_data)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  gsize mark;

  if (nv_code == 0 && volatile_data == 0 && nv_data == 0)
    return g_bytes_new (NULL, 0);
  mark = cl_tlv_begin (out, 0xEF);
  append_limit (out, 0xC6, nv_code);
  append_limit (out, 0xC7, volatile_data);
  append_limit (out, 0xC8, nv_data);
  cl_tlv_end (out, mark);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

GBytes *
cl_gp_build_install_parameters (const guint8 *applet_params, gsize applet_params_len, guint32 volatile_data,
                                guint32 nv_data)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();

  g_return_val_if_fail (applet_params != NULL || applet_params_len == 0, NULL);

  cl_tlv_append (out, 0xC9, applet_params, applet_params_len);
  if (volatile_data != 0 || nv_data != 0)
    {
      gsize mark = cl_tlv_begin (out, 0xEF);

      append_limit (out, 0xC7, volatile_data);
      append_limit (out, 0xC8, nv_data);
      cl_tlv_end (out, mark);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* A one-byte length then the field; fails if the field is too long for a short APDU field. */
static gboolean
append_lv (GByteArray *out, const char *command, const char *what, const guint8 *data, gsize len, GError **error)
{
  guint8 l = (guint8)len;

  if (len > 0xFF)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "%s: %s of %" G_GSIZE_FORMAT " bytes (at most 255)",
                   command, what, len);
      return FALSE;
    }
  g_byte_array_append (out, &l, 1);
  if (len > 0)
    g_byte_array_append (out, data, len);
  return TRUE;
}

static gboolean
append_lv_bytes (GByteArray *out, const char *command, const char *what, GBytes *bytes, GError **error)
{
  gsize len = 0;
  const guint8 *data = bytes != NULL ? g_bytes_get_data (bytes, &len) : NULL;

  return append_lv (out, command, what, data, len, error);
}

static GBytes *
finish_data (GByteArray *out, const char *command, GError **error)
{
  if (out->len > 255)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "%s: data of %u bytes does not fit one command (255)",
                   command, out->len);
      g_byte_array_unref (out);
      return NULL;
    }
  return g_byte_array_free_to_bytes (out);
}

GBytes *
cl_gp_install_for_load_data (ClGpAid load_file, ClGpAid security_domain, GBytes *hash, GBytes *load_params,
                             GBytes *token, GError **error)
{
  const char *command = "INSTALL [for load]";
  g_autoptr (GByteArray) out = g_byte_array_new ();

  if (!cl_gp_check_aid ("INSTALL [for load] load file", load_file.aid, load_file.len, error))
    return NULL;
  if (security_domain.len != 0
      && !cl_gp_check_aid ("INSTALL [for load] security domain", security_domain.aid, security_domain.len, error))
    return NULL;
  if (!append_lv (out, command, "load file AID", load_file.aid, load_file.len, error)
      || !append_lv (out, command, "security domain AID", security_domain.aid, security_domain.len, error)
      || !append_lv_bytes (out, command, "load file hash", hash, error)
      || !append_lv_bytes (out, command, "load parameters", load_params, error)
      || !append_lv_bytes (out, command, "load token", token, error))
    return NULL;
  return finish_data (g_steal_pointer (&out), command, error);
}

ClApdu *
cl_gp_install_for_load_apdu (ClGpAid load_file, ClGpAid security_domain, GBytes *hash, GBytes *load_params,
                             GBytes *token, GError **error)
{
  g_autoptr (GBytes) data = cl_gp_install_for_load_data (load_file, security_domain, hash, load_params, token, error);
  gsize len;
  const guint8 *d;

  if (data == NULL)
    return NULL;
  d = g_bytes_get_data (data, &len);
  return cl_apdu_new (CL_GP_CLA, CL_GP_INS_INSTALL, CL_GP_INSTALL_FOR_LOAD, 0x00, d, len, 256);
}

GBytes *
cl_gp_install_for_install_data (ClGpAid load_file, ClGpAid module, ClGpAid application, const guint8 *privileges,
                                gsize privileges_len, GBytes *install_params, GBytes *token, GError **error)
{
  const char *command = "INSTALL [for install]";
  g_autoptr (GByteArray) out = g_byte_array_new ();

  if (!cl_gp_check_aid ("INSTALL [for install] load file", load_file.aid, load_file.len, error)
      || !cl_gp_check_aid ("INSTALL [for install] module", module.aid, module.len, error)
      || !cl_gp_check_aid ("INSTALL [for install] application", application.aid, application.len, error))
    return NULL;
  if (privileges_len != 1 && privileges_len != 3)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "INSTALL [for install]: privileges of %" G_GSIZE_FORMAT " bytes (1 or 3)", privileges_len);
      return NULL;
    }
  if (install_params == NULL || g_bytes_get_size (install_params) < 2)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "INSTALL [for install]: install parameters must hold at least the C9 tag");
      return NULL;
    }
  if (!append_lv (out, command, "load file AID", load_file.aid, load_file.len, error)
      || !append_lv (out, command, "module AID", module.aid, module.len, error)
      || !append_lv (out, command, "application AID", application.aid, application.len, error)
      || !append_lv (out, command, "privileges", privileges, privileges_len, error)
      || !append_lv_bytes (out, command, "install parameters", install_params, error)
      || !append_lv_bytes (out, command, "install token", token, error))
    return NULL;
  return finish_data (g_steal_pointer (&out), command, error);
}

ClApdu *
cl_gp_install_for_install_apdu (ClGpAid load_file, ClGpAid module, ClGpAid application, const guint8 *privileges,
                                gsize privileges_len, GBytes *install_params, GBytes *token, GError **error)
{
  g_autoptr (GBytes) data = cl_gp_install_for_install_data (load_file, module, application, privileges, privileges_len,
                                                            install_params, token, error);
  gsize len;
  const guint8 *d;

  if (data == NULL)
    return NULL;
  d = g_bytes_get_data (data, &len);
  return cl_apdu_new (CL_GP_CLA, CL_GP_INS_INSTALL, CL_GP_INSTALL_FOR_INSTALL | CL_GP_INSTALL_MAKE_SELECTABLE, 0x00, d,
                      len, 256);
}

GPtrArray *
cl_gp_load_apdus (GBytes *lfdb, gsize max_block, GError **error)
{
  g_autoptr (GPtrArray) apdus = g_ptr_array_new_with_free_func ((GDestroyNotify)cl_apdu_free);
  gsize len;
  const guint8 *data;
  gsize count;

  g_return_val_if_fail (lfdb != NULL, NULL);

  data = g_bytes_get_data (lfdb, &len);
  if (max_block == 0 || max_block > 65535)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "LOAD: block size %" G_GSIZE_FORMAT " (1 to 65535)",
                   max_block);
      return NULL;
    }
  if (len == 0)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "LOAD: empty load file data block");
      return NULL;
    }
  count = (len + max_block - 1) / max_block;
  if (count > CL_GP_MAX_LOAD_BLOCKS)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "LOAD: %" G_GSIZE_FORMAT " bytes need %" G_GSIZE_FORMAT " blocks of %" G_GSIZE_FORMAT
                   ", more than the %d block numbers",
                   len, count, max_block, CL_GP_MAX_LOAD_BLOCKS);
      return NULL;
    }
  for (gsize i = 0; i < count; i++)
    {
      gsize offset = i * max_block;
      gsize n = MIN (max_block, len - offset);
      guint8 p1 = i + 1 == count ? CL_GP_LOAD_LAST_BLOCK : 0x00;

      g_ptr_array_add (apdus, cl_apdu_new (CL_GP_CLA, CL_GP_INS_LOAD, p1, (guint8)i, data + offset, n, 256));
    }
  return g_steal_pointer (&apdus);
}
