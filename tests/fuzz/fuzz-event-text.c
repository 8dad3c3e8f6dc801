/* Event log details reach the Line view from the app's machine lines, which carry card data and device replies:
 * every byte string must read as a title (valid UTF-8, never empty), whatever the event's kind.
 *
 * Input: one byte for the kind (anything past the last kind is a kind from a newer app), the reader name up to the
 * first newline, then the detail. */
#include <stdint.h>
#include <string.h>

#include "cl-event-text.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_auto (ClEventText) text = { 0 };
  g_autofree char *reader = NULL, *detail = NULL, *sentence = NULL;
  const uint8_t *newline;
  ClLineEventKind kind;

  if (size == 0)
    return 0;
  kind = (ClLineEventKind)(data[0] % (CL_LINE_EVENT_SERVICE_RESTORED + 2));
  data++;
  size--;
  newline = memchr (data, '\n', size);
  if (newline != NULL)
    {
      reader = g_strndup ((const char *)data, (gsize)(newline - data));
      detail = g_strndup ((const char *)newline + 1, size - (gsize)(newline - data) - 1);
    }
  else
    detail = g_strndup ((const char *)data, size);

  cl_event_text_format (kind, reader, detail, &text);
  g_assert_nonnull (text.title);
  g_assert_cmpstr (text.title, !=, "");
  g_assert_true (g_utf8_validate (text.title, -1, NULL));
  g_assert_true (text.subtitle == NULL || (*text.subtitle != '\0' && g_utf8_validate (text.subtitle, -1, NULL)));
  g_assert_true ((guint)text.tone <= CL_EVENT_TONE_ERROR);
  sentence = cl_event_text_dup_sentence (&text);
  g_assert_true (g_utf8_validate (sentence, -1, NULL));
  return 0;
}
