/* Status words: the table of descriptions and the SW carried in CL_ERROR_CARD_STATUS errors.
 * The SW travels in the message as "card answered XXXX", written in one place (cl_set_sw_error) and read back
 * from the last occurrence, so prefixes added by callers (g_prefix_error) do not hide it. */
#include "apdu/cl-apdu.h"

#include <string.h>

#include "core/cl-error.h"

#define SW_MARKER "card answered "

typedef struct
{
  guint16 sw;
  guint16 mask;
  const char *text;
} SwEntry;

static const SwEntry sw_table[] = {
  { 0x9000, 0xFFFF, "success" },
  { 0x6100, 0xFF00, "more response data available" },
  { 0x6200, 0xFFFF, "warning: state of non-volatile memory unchanged" },
  { 0x6281, 0xFFFF, "warning: part of returned data may be corrupted" },
  { 0x6282, 0xFFFF, "warning: end of file reached before reading Le bytes" },
  { 0x6283, 0xFFFF, "warning: selected file invalidated" },
  { 0x6284, 0xFFFF, "warning: FCI not formatted per ISO 7816-4" },
  { 0x6310, 0xFFFF, "more data available (GET STATUS)" },
  { 0x63C0, 0xFFF0, "verification failed, retries left in low nibble" },
  { 0x6300, 0xFF00, "warning: state of non-volatile memory changed" },
  { 0x6400, 0xFFFF, "execution error: state of non-volatile memory unchanged" },
  { 0x6500, 0xFF00, "execution error: state of non-volatile memory changed" },
  { 0x6581, 0xFFFF, "memory failure" },
  { 0x6700, 0xFFFF, "wrong length" },
  { 0x6881, 0xFFFF, "logical channel not supported" },
  { 0x6882, 0xFFFF, "secure messaging not supported" },
  { 0x6883, 0xFFFF, "last command of the chain expected" },
  { 0x6884, 0xFFFF, "command chaining not supported" },
  { 0x6982, 0xFFFF, "security status not satisfied" },
  { 0x6983, 0xFFFF, "authentication method blocked" },
  { 0x6984, 0xFFFF, "reference data not usable" },
  { 0x6985, 0xFFFF, "conditions of use not satisfied" },
  { 0x6986, 0xFFFF, "command not allowed (no current EF)" },
  { 0x6987, 0xFFFF, "expected secure messaging data objects missing" },
  { 0x6988, 0xFFFF, "incorrect secure messaging data objects" },
  { 0x6999, 0xFFFF, "applet selection failed" },
  { 0x6A80, 0xFFFF, "incorrect parameters in the data field" },
  { 0x6A81, 0xFFFF, "function not supported" },
  { 0x6A82, 0xFFFF, "file or application not found" },
  { 0x6A84, 0xFFFF, "not enough memory space" },
  { 0x6A86, 0xFFFF, "incorrect parameters P1-P2" },
  { 0x6A88, 0xFFFF, "referenced data not found" },
  { 0x6A89, 0xFFFF, "file already exists" },
  { 0x6A8A, 0xFFFF, "DF name already exists" },
  { 0x6B00, 0xFFFF, "wrong parameters P1-P2" },
  { 0x6C00, 0xFF00, "wrong Le field, exact length in SW2" },
  { 0x6D00, 0xFFFF, "instruction not supported" },
  { 0x6E00, 0xFFFF, "class not supported" },
  { 0x6F00, 0xFFFF, "no precise diagnosis" },
  { 0x9484, 0xFFFF, "algorithm not supported" },
  { 0x9485, 0xFFFF, "invalid key check value" },
};

gboolean
cl_sw_is_success (guint16 sw)
{
  return sw == 0x9000 || (sw & 0xFF00) == 0x6100;
}

const char *
cl_sw_describe (guint16 sw)
{
  for (gsize i = 0; i < G_N_ELEMENTS (sw_table); i++)
    if ((sw & sw_table[i].mask) == sw_table[i].sw)
      return sw_table[i].text;
  if ((sw & 0xF000) == 0x6000 || (sw & 0xF000) == 0x9000)
    return "unknown status";
  return "not a valid ISO 7816 status word";
}

void
cl_set_sw_error (GError **error, guint16 sw, const char *what)
{
  g_set_error (error, CL_ERROR, CL_ERROR_CARD_STATUS, "%s: " SW_MARKER "%04X (%s)", what ? what : "Command", sw,
               cl_sw_describe (sw));
}

guint16
cl_error_get_sw (const GError *error)
{
  const char *p;
  guint16 sw = 0;

  if (error == NULL || !g_error_matches (error, CL_ERROR, CL_ERROR_CARD_STATUS) || error->message == NULL)
    return 0;
  p = g_strrstr (error->message, SW_MARKER);
  if (p == NULL)
    return 0;
  p += strlen (SW_MARKER);
  for (int i = 0; i < 4; i++)
    {
      int v = g_ascii_xdigit_value (p[i]);
      if (v < 0)
        return 0;
      sw = (guint16)((sw << 4) | (guint)v);
    }
  return sw;
}
