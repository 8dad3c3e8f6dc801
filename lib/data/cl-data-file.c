/* cl-data-file.c: rows of a CSV table through a mapping's rules. */
#include "data/cl-data-file.h"

#include <glib/gstdio.h>

#include "core/cl-error.h"
#include "core/cl-name.h"
#include "data/cl-data-cell.h"
#include "data/cl-data-photo.h"

/* PKCS#11 CK_TOKEN_INFO label: 32 bytes (schsm/cl-schsm-token-info.h) */
#define TOKEN_LABEL_MAX_BYTES 32

struct _ClDataFile
{
  GObject parent_instance;

  char *name;
  char *sha256;
  ClCsvTable *table;
  ClDataProblems *problems;
  GPtrArray *good_rows; /* ClDataRow */
};

G_DEFINE_FINAL_TYPE (ClDataFile, cl_data_file, G_TYPE_OBJECT)

void
cl_data_row_free (ClDataRow *row)
{
  g_free (row->reference);
  g_free (row->display);
  g_hash_table_unref (row->values);
  g_free (row->photo);
  g_free (row->photo_type);
  g_free (row);
}

static void
cl_data_file_finalize (GObject *object)
{
  ClDataFile *self = CL_DATA_FILE (object);

  g_free (self->name);
  g_free (self->sha256);
  cl_csv_table_free (self->table);
  cl_data_problems_free (self->problems);
  g_ptr_array_unref (self->good_rows);
  G_OBJECT_CLASS (cl_data_file_parent_class)->finalize (object);
}

static void
cl_data_file_class_init (ClDataFileClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cl_data_file_finalize;
}

static void
cl_data_file_init (ClDataFile *self)
{
  self->good_rows = g_ptr_array_new_with_free_func ((GDestroyNotify)cl_data_row_free);
}

typedef struct
{
  const char *name;
  gint at; /* in the header */
} Column;

static gint
by_place (gconstpointer a, gconstpointer b)
{
  return ((const Column *)a)->at - ((const Column *)b)->at;
}

/* Every column the mapping names must be in the header: a mapping for another file is refused whole. The columns
 * come out in the file's order, which is the order a row's problems are listed in. */
static gboolean
bind_columns (ClDataFile *self, ClDataMapping *mapping, const char *photos_dir, GArray *index, GError **error)
{
  const char *const *columns = cl_data_mapping_get_columns (mapping);

  for (guint i = 0; columns[i] != NULL; i++)
    {
      gint at = cl_csv_table_column (self->table, columns[i]);

      if (at < 0)
        {
          g_autofree char *header = g_strjoinv (", ", self->table->header);

          g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                       "%s: mapping %s names column “%s”, which %s lacks (its columns: %s)", self->name,
                       cl_data_mapping_get_file (mapping), columns[i], self->name, header);
          return FALSE;
        }
      g_array_append_val (index, ((Column){ columns[i], at }));
    }
  g_array_sort (index, by_place);
  if (cl_data_mapping_get_column_of (mapping, CL_DATA_TARGET_PHOTO) != NULL && photos_dir == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "%s: mapping %s feeds face.photo from column “%s”: the photos directory is needed", self->name,
                   cl_data_mapping_get_file (mapping), cl_data_mapping_get_column_of (mapping, CL_DATA_TARGET_PHOTO));
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_chr_text (const char *value)
{
  for (const char *c = value; *c; c++)
    if (!g_ascii_isupper (*c) && !g_ascii_isdigit (*c))
      return FALSE;
  return TRUE;
}

/* What a target field needs of its value beyond the column's rules. FALSE when it has a problem. */
static gboolean
check_target (const ClDataTarget *t, const char *value, const char *photos_dir, guint line, ClDataProblems *problems,
              ClDataRow *out)
{
  g_autofree char *shown = cl_data_cell_shown (value);

  if (g_str_equal (t->target, CL_DATA_TARGET_CHR_HOLDER)
      && (*value == '\0' || strlen (value) > CL_DATA_CHR_HOLDER_MAX || !is_chr_text (value)))
    {
      cl_data_problems_add (problems, line, t->column,
                            "“%s” cannot be the holder in a CHR (chr.holder: 1 to %d of A-Z and 0-9)", shown,
                            CL_DATA_CHR_HOLDER_MAX);
      return FALSE;
    }
  if (g_str_has_prefix (t->target, CL_DATA_TARGET_STORE_DATA) && strlen (value) > CL_DATA_STORE_DATA_MAX)
    {
      cl_data_problems_add (problems, line, t->column, "%zu bytes, longer than a STORE DATA value's %d", strlen (value),
                            CL_DATA_STORE_DATA_MAX);
      return FALSE;
    }
  if (g_str_equal (t->target, CL_DATA_TARGET_TOKEN_LABEL) && strlen (value) > TOKEN_LABEL_MAX_BYTES)
    {
      cl_data_problems_add (problems, line, t->column, "%zu bytes, longer than a token label's %d", strlen (value),
                            TOKEN_LABEL_MAX_BYTES);
      return FALSE;
    }
  if (g_str_equal (t->target, CL_DATA_TARGET_PHOTO))
    {
      g_autofree char *problem = NULL;

      if (*value == '\0')
        return TRUE;
      problem = cl_data_photo_check (photos_dir, value, &out->photo, &out->photo_type);
      if (problem != NULL)
        cl_data_problems_add (problems, line, t->column, "%s", problem);
      return problem == NULL;
    }
  g_hash_table_insert (out->values, t->target, g_strdup (value));
  return TRUE;
}

/* The reference and display values become names in the store and on screens. */
static void
check_name (const char *what, const char *column, const char *value, guint line, ClDataProblems *problems)
{
  g_autoptr (GError) local = NULL;

  if (*value != '\0' && !cl_name_check (what, value, &local))
    cl_data_problems_add (problems, line, column, "%s", local->message);
}

static void
check_rows (ClDataFile *self, ClDataMapping *mapping, const char *photos_dir, GArray *index)
{
  GPtrArray *targets = cl_data_mapping_get_targets (mapping);
  g_autoptr (GHashTable) seen
    = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify)g_hash_table_unref);
  gint reference = cl_csv_table_column (self->table, cl_data_mapping_get_reference (mapping));
  gint display = cl_csv_table_column (self->table, cl_data_mapping_get_display (mapping));

  for (guint r = 0; r < self->table->rows->len; r++)
    {
      ClCsvRow *row = g_ptr_array_index (self->table->rows, r);
      guint before = cl_data_problems_count (self->problems);
      g_autoptr (ClDataRow) good = NULL;

      if (row->bad)
        continue;
      for (guint c = 0; c < index->len; c++)
        {
          const char *column = g_array_index (index, Column, c).name;
          const ClDataRule *rule = cl_data_mapping_get_rule (mapping, column);
          const char *value = row->fields[g_array_index (index, Column, c).at];
          GHashTable *lines;
          gpointer first;

          cl_data_cell_check (rule, column, value, row->line, self->problems);
          if (!rule->unique || *value == '\0')
            continue;
          if ((lines = g_hash_table_lookup (seen, column)) == NULL)
            g_hash_table_insert (seen, (gpointer)column, lines = g_hash_table_new (g_str_hash, g_str_equal));
          if (g_hash_table_lookup_extended (lines, value, NULL, &first))
            cl_data_problems_add (self->problems, row->line, column, "duplicate of line %u", GPOINTER_TO_UINT (first));
          else
            g_hash_table_insert (lines, (gpointer)value, GUINT_TO_POINTER (row->line));
        }
      check_name ("reference", cl_data_mapping_get_reference (mapping), row->fields[reference], row->line,
                  self->problems);
      if (display != reference)
        check_name ("display", cl_data_mapping_get_display (mapping), row->fields[display], row->line, self->problems);
      good = g_new0 (ClDataRow, 1);
      good->values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
      for (guint t = 0; t < targets->len; t++)
        {
          const ClDataTarget *target = g_ptr_array_index (targets, t);

          check_target (target, row->fields[cl_csv_table_column (self->table, target->column)], photos_dir, row->line,
                        self->problems, good);
        }
      if (cl_data_problems_count (self->problems) != before)
        continue;
      good->line = row->line;
      good->reference = g_strdup (row->fields[reference]);
      good->display = g_strdup (row->fields[display]);
      g_ptr_array_add (self->good_rows, g_steal_pointer (&good));
    }
}

ClDataFile *
cl_data_file_parse (const char *name, const guint8 *data, gsize len, ClDataMapping *mapping, const char *photos_dir,
                    GError **error)
{
  g_autoptr (ClDataFile) self = g_object_new (CL_TYPE_DATA_FILE, NULL);
  g_autoptr (GArray) index = g_array_new (FALSE, FALSE, sizeof (Column));

  self->name = g_strdup (name);
  self->sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, len);
  self->problems = cl_data_problems_new (name);
  self->table = cl_csv_table_parse (name, data, len, self->problems, error);
  if (self->table == NULL || !bind_columns (self, mapping, photos_dir, index, error))
    return NULL;
  check_rows (self, mapping, photos_dir, index);
  return g_steal_pointer (&self);
}

ClDataFile *
cl_data_file_read (const char *path, ClDataMapping *mapping, const char *photos_dir, GError **error)
{
  g_autofree char *name = g_path_get_basename (path);
  g_autoptr (GMappedFile) mapped = NULL;
  g_autoptr (GError) local = NULL;
  GStatBuf st;

  if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "%s: no such data file (or not a regular file)", path);
      return NULL;
    }
  if (st.st_size > CL_CSV_MAX_FILE_BYTES)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_MALFORMED,
                   "%s: %" G_GINT64_FORMAT " bytes, larger than the limit of %d bytes", name, (gint64)st.st_size,
                   CL_CSV_MAX_FILE_BYTES);
      return NULL;
    }
  mapped = g_mapped_file_new (path, FALSE, &local);
  if (mapped == NULL)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_NOT_FOUND, "%s: cannot read: %s", path, local->message);
      return NULL;
    }
  return cl_data_file_parse (name, (const guint8 *)g_mapped_file_get_contents (mapped),
                             g_mapped_file_get_length (mapped), mapping, photos_dir, error);
}

const char *
cl_data_file_get_name (ClDataFile *self)
{
  return self->name;
}

const char *
cl_data_file_get_sha256 (ClDataFile *self)
{
  return self->sha256;
}

const ClCsvTable *
cl_data_file_get_table (ClDataFile *self)
{
  return self->table;
}

ClDataProblems *
cl_data_file_get_problems (ClDataFile *self)
{
  return self->problems;
}

guint
cl_data_file_get_row_count (ClDataFile *self)
{
  return self->table->rows->len;
}

GPtrArray *
cl_data_file_get_good_rows (ClDataFile *self)
{
  return self->good_rows;
}
