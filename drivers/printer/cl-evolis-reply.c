#include "cl-evolis-reply.h"

#include <string.h>

#include "cl-driver-error.h"

void
cl_evolis_reply_clear (ClEvolisReply *reply)
{
  g_clear_pointer (&reply->text, g_free);
  reply->kind = CL_EVOLIS_REPLY_OK;
  reply->nack = 0;
}

GBytes *
cl_evolis_frame (const char *command, const char *const *params)
{
  GString *frame = g_string_new ("\x1b");

  g_string_append (frame, command);
  for (gsize i = 0; params != NULL && params[i] != NULL; i++)
    g_string_append_printf (frame, ";%s", params[i]);
  g_string_append_c (frame, '\r');
  return g_string_free_to_bytes (frame);
}

char *
cl_evolis_frame_parse (const guint8 *data, gsize len)
{
  if (len < 3 || data[0] != 0x1b || data[len - 1] != '\r')
    return NULL;
  for (gsize i = 1; i < len - 1; i++)
    if (data[i] < 0x20 || data[i] > 0x7e)
      return NULL;
  return g_strndup ((const char *)data + 1, len - 2);
}

char *
cl_evolis_reply_escape (const guint8 *data, gsize len)
{
  GString *out = g_string_new (NULL);

  for (gsize i = 0; i < len && i < 64; i++)
    {
      if (data[i] >= 0x20 && data[i] < 0x7f && data[i] != '\\' && data[i] != '"')
        g_string_append_c (out, (char)data[i]);
      else
        g_string_append_printf (out, "\\x%02x", data[i]);
    }
  if (len > 64)
    g_string_append (out, "...");
  return g_string_free (out, FALSE);
}

static gboolean
malformed (GError **error, const guint8 *data, gsize len, const char *why)
{
  g_autofree char *shown = cl_evolis_reply_escape (data, len);
  g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_PROTOCOL, "malformed printer reply \"%s\": %s", shown, why);
  return FALSE;
}

gboolean
cl_evolis_reply_parse (const guint8 *data, gsize len, ClEvolisReply *out, GError **error)
{
  gsize end = len;
  g_autofree char *text = NULL;

  g_return_val_if_fail (out != NULL, FALSE);
  memset (out, 0, sizeof *out);

  while (end > 0 && (data[end - 1] == '\r' || data[end - 1] == '\n' || data[end - 1] == '\0'))
    end--;
  if (end == 0)
    return malformed (error, data, len, "empty");
  if (end > CL_EVOLIS_MAX_REPLY)
    return malformed (error, data, len, "longer than 256 bytes");
  for (gsize i = 0; i < end; i++)
    if (data[i] < 0x20 || data[i] > 0x7e)
      return malformed (error, data, len, "control or non-ASCII byte");
  text = g_strndup ((const char *)data, end);

  if (strcmp (text, "OK") == 0)
    out->kind = CL_EVOLIS_REPLY_OK;
  else if (g_str_has_prefix (text, "NACK"))
    {
      if (end != 6 || text[4] != ';' || strchr ("12TCFR", text[5]) == NULL)
        return malformed (error, data, len, "NACK without a known code (1, 2, T, C, F, R)");
      out->kind = CL_EVOLIS_REPLY_NACK;
      out->nack = text[5];
    }
  else if (g_str_has_prefix (text, "ERR"))
    {
      if (end < 5 || text[3] != ' ')
        return malformed (error, data, len, "ERR without a reason");
      out->kind = CL_EVOLIS_REPLY_ERR;
      out->text = g_strdup (text + 4);
      return TRUE;
    }
  else
    out->kind = CL_EVOLIS_REPLY_VALUE;
  out->text = g_steal_pointer (&text);
  return TRUE;
}

gboolean
cl_evolis_nack_fault (char nack, ClPrinterFault *fault)
{
  switch (nack)
    {
      case 'T':
        *fault = CL_PRINTER_FAULT_JAM;
        return TRUE;
      case 'C':
        *fault = CL_PRINTER_FAULT_COVER_OPEN;
        return TRUE;
      case 'F':
        *fault = CL_PRINTER_FAULT_FEEDER_EMPTY;
        return TRUE;
      case 'R':
        *fault = CL_PRINTER_FAULT_RIBBON_OUT;
        return TRUE;
      default:
        return FALSE;
    }
}

const char *
cl_evolis_nack_meaning (char nack)
{
  switch (nack)
    {
      case '1':
        return "command error";
      case '2':
        return "parameter error";
      case 'T':
        return "mechanical error or time-out";
      case 'C':
        return "cover open";
      case 'F':
        return "feeder";
      case 'R':
        return "ribbon";
      default:
        return "unknown NACK code";
    }
}

static gboolean
unexpected (GError **error, const ClEvolisReply *reply, const char *what, const char *expected)
{
  const char *kind = reply->kind == CL_EVOLIS_REPLY_NACK  ? "NACK"
                     : reply->kind == CL_EVOLIS_REPLY_ERR ? "ERR"
                     : reply->kind == CL_EVOLIS_REPLY_OK  ? "OK"
                                                          : "value";
  g_autofree char *shown
    = reply->text ? cl_evolis_reply_escape ((const guint8 *)reply->text, strlen (reply->text)) : g_strdup ("");
  g_set_error (error, CL_DRIVER_ERROR, CL_DRIVER_ERROR_PROTOCOL, "unexpected %s reply %s\"%s\", expected %s", what,
               kind, shown, expected);
  return FALSE;
}

gboolean
cl_evolis_parse_feeder (const ClEvolisReply *reply, ClEvolisFeeder *out, GError **error)
{
  if (reply->kind != CL_EVOLIS_REPLY_VALUE || strlen (reply->text) != 1 || reply->text[0] < '0' || reply->text[0] > '3')
    return unexpected (error, reply, "feeder status (Sk;f)", "0..3");
  *out = (ClEvolisFeeder)(reply->text[0] - '0');
  return TRUE;
}

gboolean
cl_evolis_parse_card_position (const ClEvolisReply *reply, ClEvolisCardPosition *out, GError **error)
{
  static const struct
  {
    ClEvolisReplyKind kind;
    const char *text;
    ClEvolisCardPosition position;
  } known[] = {
    { CL_EVOLIS_REPLY_VALUE, "NO CARD", CL_EVOLIS_CARD_NONE },
    { CL_EVOLIS_REPLY_ERR, "CARD", CL_EVOLIS_CARD_ERROR },
    { CL_EVOLIS_REPLY_VALUE, "CARD CONTACT", CL_EVOLIS_CARD_CONTACT },
    { CL_EVOLIS_REPLY_VALUE, "CARD CONTACTLESS", CL_EVOLIS_CARD_CONTACTLESS },
    { CL_EVOLIS_REPLY_VALUE, "CARD PRINT", CL_EVOLIS_CARD_PRINT },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (known); i++)
    if (reply->kind == known[i].kind && reply->text != NULL && strcmp (reply->text, known[i].text) == 0)
      {
        *out = known[i].position;
        return TRUE;
      }
  return unexpected (error, reply, "card position (Rlr;p)",
                     "NO CARD, ERR CARD, CARD CONTACT, CARD CONTACTLESS or CARD PRINT");
}

gboolean
cl_evolis_parse_sensor (const ClEvolisReply *reply, gboolean *out, GError **error)
{
  if (reply->kind != CL_EVOLIS_REPLY_VALUE || (strcmp (reply->text, "0") != 0 && strcmp (reply->text, "1") != 0))
    return unexpected (error, reply, "sensor (Rse)", "0 or 1");
  *out = reply->text[0] == '1';
  return TRUE;
}

gboolean
cl_evolis_parse_counter (const ClEvolisReply *reply, guint64 *out, GError **error)
{
  gsize len;

  if (reply->kind != CL_EVOLIS_REPLY_VALUE || (len = strlen (reply->text)) == 0 || len > 10)
    return unexpected (error, reply, "card counter (Rco;c)", "a decimal number");
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (reply->text[i]))
      return unexpected (error, reply, "card counter (Rco;c)", "a decimal number");
  *out = g_ascii_strtoull (reply->text, NULL, 10);
  return TRUE;
}
