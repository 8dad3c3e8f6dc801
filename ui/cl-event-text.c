/* cl-event-text.c: a line event on a row of the Line view (cl-event-text.h). */
#include "cl-event-text.h"

void
cl_event_text_for_event (ClLineEvent *event, ClEventText *out)
{
  g_auto (ClEventWords) words = { 0 };

  g_return_if_fail (CL_IS_LINE_EVENT (event));
  g_return_if_fail (out != NULL);

  cl_event_words_for_event (event, &words);
  out->title = g_steal_pointer (&words.title);
  /* the reader first: rows of several readers are told apart by it at a glance */
  if (words.reader != NULL && words.details != NULL)
    out->subtitle = g_strconcat (words.reader, CL_EVENT_WORDS_SEPARATOR, words.details, NULL);
  else
    out->subtitle = words.reader != NULL ? g_steal_pointer (&words.reader) : g_steal_pointer (&words.details);
  out->tone = words.tone;
}

void
cl_event_text_clear (ClEventText *text)
{
  g_clear_pointer (&text->title, g_free);
  g_clear_pointer (&text->subtitle, g_free);
  text->tone = CL_EVENT_TONE_NEUTRAL;
}

char *
cl_event_text_dup_sentence (const ClEventText *text)
{
  const char *title = text->title != NULL ? text->title : "";

  if (text->subtitle == NULL)
    return g_strdup (title);
  return g_strdup_printf (g_str_has_suffix (title, ".") ? "%s %s" : "%s. %s", title, text->subtitle);
}
