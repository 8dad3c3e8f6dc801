/* cl-chr-pattern.c */
#include "profile/cl-chr-pattern.h"

#include "core/cl-error.h"

#include <string.h>

#define CHR_MIN 8
#define CHR_MAX 16

typedef enum
{
  PART_LITERAL,
  PART_BATCH,
  PART_SEQ,
  PART_CHIP,
} PartKind;

typedef struct
{
  PartKind kind;
  char *literal;
  guint width;
} Part;

struct _ClChrPattern
{
  gint ref_count;
  char *text;
  GArray *parts;
};

G_DEFINE_BOXED_TYPE (ClChrPattern, cl_chr_pattern, cl_chr_pattern_ref, cl_chr_pattern_unref)

static void
part_clear (Part *part)
{
  g_free (part->literal);
}

ClChrPattern *
cl_chr_pattern_ref (ClChrPattern *self)
{
  g_atomic_int_inc (&self->ref_count);
  return self;
}

void
cl_chr_pattern_unref (ClChrPattern *self)
{
  if (self == NULL || !g_atomic_int_dec_and_test (&self->ref_count))
    return;
  g_array_unref (self->parts);
  g_free (self->text);
  g_free (self);
}

const char *
cl_chr_pattern_get_text (ClChrPattern *self)
{
  return self->text;
}

static gboolean
is_chr_char (char c)
{
  return g_ascii_isupper (c) || g_ascii_isdigit (c);
}

static gboolean
parse_width (const char *s, guint max, guint *out)
{
  guint64 v;

  if (*s == '0' && s[1] != '\0')
    s++;
  if (!g_ascii_string_to_unsigned (s, 10, 1, max, &v, NULL))
    return FALSE;
  *out = (guint)v;
  return TRUE;
}

static gboolean
parse_placeholder (const char *body, Part *part)
{
  if (strcmp (body, "batch") == 0)
    {
      part->kind = PART_BATCH;
      return TRUE;
    }
  if (g_str_has_prefix (body, "seq:"))
    {
      part->kind = PART_SEQ;
      return parse_width (body + 4, 10, &part->width);
    }
  if (g_str_has_prefix (body, "chip:"))
    {
      part->kind = PART_CHIP;
      return parse_width (body + 5, 16, &part->width);
    }
  return FALSE;
}

ClChrPattern *
cl_chr_pattern_parse (const char *pattern, GError **error)
{
  g_autoptr (GArray) parts = g_array_new (FALSE, TRUE, sizeof (Part));
  g_autoptr (GString) literal = g_string_new (NULL);
  gboolean unique = FALSE;
  gsize fixed = 0;
  ClChrPattern *self;

  g_array_set_clear_func (parts, (GDestroyNotify)part_clear);
  if (pattern == NULL || !g_ascii_isupper (pattern[0]) || !g_ascii_isupper (pattern[1]))
    {
      g_set_error (error, CL_ERROR, CL_ERROR_PROFILE,
                   "expected a pattern starting with a two-letter country code (e.g. DECL{batch}{seq:05})");
      return NULL;
    }
  for (const char *p = pattern; *p;)
    {
      Part part = { 0 };

      if (*p != '{')
        {
          if (!is_chr_char (*p))
            {
              g_set_error (error, CL_ERROR, CL_ERROR_PROFILE, "character %u of “%s” is not A-Z, 0-9 or a {placeholder}",
                           (guint)(p - pattern) + 1, pattern);
              return NULL;
            }
          g_string_append_c (literal, *p++);
          fixed++;
          continue;
        }
      {
        const char *close = strchr (p, '}');
        g_autofree char *body = close ? g_strndup (p + 1, (gsize)(close - p - 1)) : NULL;

        if (body == NULL || !parse_placeholder (body, &part))
          {
            g_set_error (error, CL_ERROR, CL_ERROR_PROFILE,
                         "placeholder at character %u of “%s” is not {batch}, {seq:0N} (N 1..10) or {chip:N} "
                         "(N 1..16)",
                         (guint)(p - pattern) + 1, pattern);
            return NULL;
          }
        p = close + 1;
      }
      if (literal->len)
        {
          Part lit = { PART_LITERAL, g_strdup (literal->str), (guint)literal->len };
          g_array_append_val (parts, lit);
          g_string_truncate (literal, 0);
        }
      unique |= part.kind == PART_SEQ || part.kind == PART_CHIP;
      fixed += part.width;
      g_array_append_val (parts, part);
    }
  if (literal->len)
    {
      Part lit = { PART_LITERAL, g_strdup (literal->str), (guint)literal->len };
      g_array_append_val (parts, lit);
    }
  if (!unique)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_PROFILE,
                   "pattern “%s” has no {seq:0N} or {chip:N}, so every card would get the same holder reference",
                   pattern);
      return NULL;
    }
  if (fixed > CHR_MAX)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_PROFILE,
                   "pattern “%s” expands to at least %" G_GSIZE_FORMAT " characters; a CHR has at most %d", pattern,
                   fixed, CHR_MAX);
      return NULL;
    }
  self = g_new0 (ClChrPattern, 1);
  self->ref_count = 1;
  self->text = g_strdup (pattern);
  self->parts = g_steal_pointer (&parts);
  return self;
}

char *
cl_chr_pattern_expand (ClChrPattern *self, const char *batch, guint64 seq, const char *chip_id, GError **error)
{
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; i < self->parts->len; i++)
    {
      const Part *part = &g_array_index (self->parts, Part, i);
      gsize len;

      switch (part->kind)
        {
          case PART_LITERAL:
            g_string_append (out, part->literal);
            break;
          case PART_BATCH:
            for (const char *c = batch ? batch : ""; *c; c++)
              if (!is_chr_char (*c))
                {
                  g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                               "Batch name “%s” cannot go into a holder reference (only A-Z and 0-9)", batch);
                  return NULL;
                }
            g_string_append (out, batch ? batch : "");
            break;
          case PART_SEQ:
            len = out->len;
            g_string_append_printf (out, "%0*" G_GUINT64_FORMAT, (int)part->width, seq);
            if (out->len - len > part->width)
              {
                g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                             "Sequence number %" G_GUINT64_FORMAT " does not fit in %u digits of pattern %s", seq,
                             part->width, self->text);
                return NULL;
              }
            break;
          case PART_CHIP:
            len = chip_id ? strlen (chip_id) : 0;
            if (len < part->width)
              {
                g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                             "Chip id “%s” is shorter than the %u digits pattern %s takes", chip_id ? chip_id : "",
                             part->width, self->text);
                return NULL;
              }
            for (gsize k = len - part->width; k < len; k++)
              {
                if (!g_ascii_isxdigit (chip_id[k]))
                  {
                    g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT, "Chip id “%s” is not hex", chip_id);
                    return NULL;
                  }
                g_string_append_c (out, g_ascii_toupper (chip_id[k]));
              }
            break;
          default:
            g_assert_not_reached ();
        }
    }
  if (out->len < CHR_MIN || out->len > CHR_MAX)
    {
      g_set_error (error, CL_ERROR, CL_ERROR_INVALID_ARGUMENT,
                   "Holder reference %s from pattern %s has %" G_GSIZE_FORMAT " characters; expected %d..%d", out->str,
                   self->text, out->len, CHR_MIN, CHR_MAX);
      return NULL;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}
