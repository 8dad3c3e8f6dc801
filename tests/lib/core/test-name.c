/* Names are data (lib/core/cl-name.h): the input check and the output escape. */
#include <string.h>

#include "core/cl-error.h"
#include "core/cl-name.h"

static void
test_check (void)
{
  static const char *const good[] = { "B-2026-12", "Jürgen Groß", "批次 7", "a b", "x" };
  static const char *const bad[] = {
    "",           "line\nforged",       "cr\rhere",       "esc\033[2J",      "tab\there",   "del\177",
    "c1\302\205", "rlo\342\200\256txt", "ls\342\200\250", "zwj\342\200\215", "bad\377utf8",
  };
  g_autofree char *longest = g_strnfill (CL_NAME_MAX_LENGTH, 'a');
  g_autofree char *too_long = g_strnfill (CL_NAME_MAX_LENGTH + 1, 'a');
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_assert_true (cl_name_check ("Batch name", good[i], &error));
      g_assert_no_error (error);
    }
  g_assert_true (cl_name_check ("Batch name", longest, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (cl_name_check ("Batch name", bad[i], &error));
      g_assert_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT);
      g_assert_true (g_str_has_prefix (error->message, "Batch name "));
      g_clear_error (&error);
    }
  g_assert_false (cl_name_check ("User name", NULL, NULL));
  g_assert_false (cl_name_check ("User name", too_long, &error));
  g_assert_nonnull (strstr (error->message, "at most 128"));
  g_clear_error (&error);
  g_assert_false (cl_name_check ("--batch", "b\nx", &error));
  g_assert_cmpstr (error->message, ==,
                   "--batch has a control or invisible character (U+000A) at character 2: only printable text");
}

static void
test_escape (void)
{
  static const struct
  {
    const char *in, *out;
  } cases[] = {
    { "Cardline Rig 0 00 00", "Cardline Rig 0 00 00" },
    { "Jürgen", "Jürgen" },
    { "b\n12:00:00 good chip=00", "b\\n12:00:00 good chip=00" },
    { "a\rb\tc", "a\\rb\\tc" },
    { "\033[2Jclear", "\\e[2Jclear" },
    { "back\\slash", "back\\\\slash" },
    { "bell\007", "bell\\u{0007}" },
    { "rlo\342\200\256", "rlo\\u{202E}" },
    { "bad\377", "bad\\xFF" },
  };

  g_assert_null (cl_text_escape (NULL));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *escaped = cl_text_escape (cases[i].in);

      g_assert_cmpstr (escaped, ==, cases[i].out);
      g_assert_true (g_utf8_validate (escaped, -1, NULL));
      g_assert_null (strpbrk (escaped, "\n\r\033"));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/name/check", test_check);
  g_test_add_func ("/core/name/escape", test_escape);
  return g_test_run ();
}
