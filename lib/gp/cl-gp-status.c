/* cl-gp-status.c: GET STATUS command and registry entry parsing. */
#include "gp/cl-gp-status.h"

#include <string.h>

#include "core/cl-error.h"
#include "gp/cl-gp-aid.h"
#include "tlv/cl-tlv.h"

void
cl_gp_registry_entry_free (ClGpRegistryEntry *entry)
{
  if (entry == NULL)
    return;
  g_clear_pointer (&entry->aid, g_bytes_unref);
  g_clear_pointer (&entry->version, g_bytes_unref);
  g_clear_pointer (&entry->associated_sd, g_bytes_unref);
  g_clear_pointer (&entry->modules, g_ptr_array_unref);
  g_free (entry);
}

GPtrArray *
cl_gp_registry_entries_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify)cl_gp_registry_entry_free);
}

const char *
cl_gp_status_kind_to_string (ClGpStatusKind kind)
{
  switch (kind)
    {
      case CL_GP_STATUS_ISD:
        return "issuer security domain";
      case CL_GP_STATUS_APPLICATIONS:
        return "applications";
      case CL_GP_STATUS_LOAD_FILES:
        return "load files";
      case CL_GP_STATUS_LOAD_FILES_MODULES:
        return "load files and modules";
      default:
        return "unknown";
    }
}

ClApdu *
cl_gp_get_status_apdu (ClGpStatusKind kind, gboolean next)
{
  static const guint8 any_aid[] = { 0x4F, 0x00 };

  return cl_apdu_new (CL_GP_CLA, CL_GP_INS_GET_STATUS, kind, next ? 0x03 : 0x02, any_aid, sizeof any_aid, 256);
}

static gboolean
check_aid_value (const ClTlv *t, guint index, gsize offset, const char *what, GError **error)
{
  if (t->len < CL_GP_AID_MIN_LEN || t->len > CL_GP_AID_MAX_LEN)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "GET STATUS entry %u at offset %" G_GSIZE_FORMAT ": %s (tag %X) of %" G_GSIZE_FORMAT " bytes", index,
                   offset, what, t->tag, t->len);
      return FALSE;
    }
  return TRUE;
}

static ClGpRegistryEntry *
parse_entry (ClGpStatusKind kind, const ClTlv *e3, guint index, gsize offset, GError **error)
{
  g_autoptr (ClGpRegistryEntry) entry = g_new0 (ClGpRegistryEntry, 1);
  g_autoptr (GArray) items = NULL;
  gboolean have_life_cycle = FALSE;

  entry->kind = kind;
  entry->modules = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  items = cl_tlv_parse_all (e3->value, e3->len, error);
  if (items == NULL)
    {
      g_prefix_error (error, "GET STATUS entry %u at offset %" G_GSIZE_FORMAT ": ", index, offset);
      return NULL;
    }
  for (guint i = 0; i < items->len; i++)
    {
      const ClTlv *t = &g_array_index (items, ClTlv, i);

      switch (t->tag)
        {
          case 0x4F:
            if (entry->aid != NULL || !check_aid_value (t, index, offset, "AID", error))
              {
                if (entry->aid != NULL)
                  g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                               "GET STATUS entry %u at offset %" G_GSIZE_FORMAT ": two AIDs (tag 4F)", index, offset);
                return NULL;
              }
            entry->aid = g_bytes_new (t->value, t->len);
            break;
          case 0x9F70:
            if (t->len < 1 || t->len > 2)
              {
                g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                             "GET STATUS entry %u at offset %" G_GSIZE_FORMAT ": life cycle (9F70) of %" G_GSIZE_FORMAT
                             " bytes",
                             index, offset, t->len);
                return NULL;
              }
            entry->life_cycle = t->value[0];
            have_life_cycle = TRUE;
            break;
          case 0xC5:
            if (t->len > sizeof entry->privileges)
              {
                g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                             "GET STATUS entry %u at offset %" G_GSIZE_FORMAT ": privileges (C5) of %" G_GSIZE_FORMAT
                             " bytes",
                             index, offset, t->len);
                return NULL;
              }
            memcpy (entry->privileges, t->value, t->len);
            entry->privileges_len = t->len;
            break;
          case 0xCE:
            g_clear_pointer (&entry->version, g_bytes_unref);
            entry->version = g_bytes_new (t->value, t->len);
            break;
          case 0xCC:
            if (!check_aid_value (t, index, offset, "associated security domain", error))
              return NULL;
            g_clear_pointer (&entry->associated_sd, g_bytes_unref);
            entry->associated_sd = g_bytes_new (t->value, t->len);
            break;
          case 0x84:
            if (!check_aid_value (t, index, offset, "module AID", error))
              return NULL;
            g_ptr_array_add (entry->modules, g_bytes_new (t->value, t->len));
            break;
          default:
            /* Implicit selection parameters (CF), DAP blocks and proprietary tags: not needed here. */
            break;
        }
    }
  if (entry->aid == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "GET STATUS entry %u at offset %" G_GSIZE_FORMAT ": no AID (tag 4F)", index, offset);
      return NULL;
    }
  if (!have_life_cycle)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "GET STATUS entry %u at offset %" G_GSIZE_FORMAT ": no life cycle state (tag 9F70)", index, offset);
      return NULL;
    }
  return g_steal_pointer (&entry);
}

gboolean
cl_gp_status_parse (ClGpStatusKind kind, const guint8 *data, gsize len, GPtrArray *entries, GError **error)
{
  g_autoptr (GPtrArray) parsed = cl_gp_registry_entries_new ();
  gsize pos = 0;
  ClTlv tlv;
  GError *local_error = NULL;
  guint index = 0;

  g_return_val_if_fail (entries != NULL, FALSE);

  for (;;)
    {
      gsize offset = pos;
      ClGpRegistryEntry *entry;

      if (!cl_tlv_read (data, len, &pos, &tlv, &local_error))
        break;
      if (tlv.tag != 0xE3)
        {
          g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                       "GET STATUS response: tag %X at offset %" G_GSIZE_FORMAT ", expected registry entry E3", tlv.tag,
                       offset);
          return FALSE;
        }
      entry = parse_entry (kind, &tlv, index++, offset, error);
      if (entry == NULL)
        return FALSE;
      g_ptr_array_add (parsed, entry);
    }
  if (local_error != NULL)
    {
      g_propagate_prefixed_error (error, local_error, "GET STATUS response: ");
      return FALSE;
    }
  /* Only whole responses are appended, so a caller's list never holds half a page. */
  while (parsed->len > 0)
    g_ptr_array_add (entries, g_ptr_array_steal_index (parsed, 0));
  return TRUE;
}
