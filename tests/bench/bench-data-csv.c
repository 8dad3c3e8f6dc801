/* bench-data-csv: reading and validating a customer's data file of 100,000 rows (the limit) with every rule kind
 * (lib/data), then the first PHOTO-ROWS of it with a photo per row decoded (the same 300x400 PNG each time, so this
 * measures the per-row check and decode, not the disk). Prints rows per second for each.
 *
 *   bench-data-csv [ROWS [PHOTO-ROWS]]   (defaults 100000 and 2000) */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <string.h>

#include "data/cl-data-file.h"

static const char mapping_text[] = "[data]\n"
                                   "reference=id\n"
                                   "display=name\n"
                                   "face.name=name\n"
                                   "chr.holder=id\n"
                                   "store-data.c1=n\n"
                                   "%s"
                                   "[data column id]\n"
                                   "max-length=12\n"
                                   "pattern=[A-Z][0-9]+\n"
                                   "[data column name]\n"
                                   "required=true\n"
                                   "max-length=64\n"
                                   "[data column n]\n"
                                   "type=number\n"
                                   "unique=true\n"
                                   "[data column d]\n"
                                   "type=date\n";

static void
run (const char *what, GString *csv, guint rows, const char *photo_line, const char *photos)
{
  g_autofree char *text = g_strdup_printf (mapping_text, photo_line);
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (ClDataMapping) mapping = NULL;
  g_autoptr (ClDataFile) file = NULL;
  g_autoptr (GError) error = NULL;
  gint64 start, took;

  g_assert_true (g_key_file_load_from_data (kf, text, -1, G_KEY_FILE_NONE, NULL));
  mapping = cl_data_mapping_new_from_key_file (kf, "bench.map", &error);
  g_assert_no_error (error);
  start = g_get_monotonic_time ();
  file = cl_data_file_parse ("bench.csv", (const guint8 *)csv->str, csv->len, mapping, photos, &error);
  took = g_get_monotonic_time () - start;
  g_assert_no_error (error);
  g_assert_cmpuint (cl_data_file_get_good_rows (file)->len, ==, rows);
  g_print ("%-28s %7u rows, %6.1f MiB: %8.3f s, %9.0f rows/s\n", what, rows, csv->len / 1048576.0, took / 1e6,
           rows / (took / 1e6));
}

int
main (int argc, char **argv)
{
  guint rows = argc > 1 ? (guint)g_ascii_strtoull (argv[1], NULL, 10) : 100000;
  guint photo_rows = MIN (rows, argc > 2 ? (guint)g_ascii_strtoull (argv[2], NULL, 10) : 2000);
  g_autoptr (GString) csv = g_string_new ("id,name,n,d,photo\n");
  g_autoptr (GString) with_photos = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-data-XXXXXX", NULL);
  g_autofree char *png = g_build_filename (dir, "p.png", NULL);
  g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 300, 400);

  for (guint i = 0; i < rows; i++)
    g_string_append_printf (csv, "A%u,\"Name %u, Surname\",%u,2024-01-%02u,p.png\n", i, i, i, i % 28 + 1);
  gdk_pixbuf_fill (pixbuf, 0x336699ff);
  g_assert_true (gdk_pixbuf_save (pixbuf, png, "png", NULL, NULL));
  run ("parse + rules", csv, rows, "", NULL);
  /* the header and the first photo_rows rows */
  with_photos = g_string_new_len (csv->str, strchr (csv->str, '\n') + 1 - csv->str);
  for (guint i = 0, at = with_photos->len; i < photo_rows; i++)
    {
      const char *end = strchr (csv->str + at, '\n') + 1;

      g_string_append_len (with_photos, csv->str + at, end - (csv->str + at));
      at = end - csv->str;
    }
  run ("parse + rules + photo 300x400", with_photos, photo_rows, "face.photo=photo\n", dir);
  g_unlink (png);
  g_rmdir (dir);
  return 0;
}
