/* Replays a fuzz target's seed corpus once, so every build (not only the clang fuzzing build) runs the
 * parsers over their interesting inputs. */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
main (int argc, char **argv)
{
  guint count = 0;

  for (int i = 1; i < argc; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GDir) dir = g_dir_open (argv[i], 0, &error);
      const char *name;

      if (dir == NULL)
        {
          g_printerr ("Cannot open corpus %s: %s\n", argv[i], error->message);
          return 1;
        }
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (argv[i], name, NULL);
          g_autofree char *contents = NULL;
          gsize len = 0;

          if (!g_file_get_contents (path, &contents, &len, &error))
            {
              g_printerr ("Cannot read %s: %s\n", path, error->message);
              return 1;
            }
          LLVMFuzzerTestOneInput ((const uint8_t *)contents, len);
          count++;
        }
    }
  if (count == 0)
    {
      g_printerr ("No seed inputs found: a fuzz target needs a corpus\n");
      return 1;
    }
  printf ("replayed %u inputs\n", count);
  return 0;
}
