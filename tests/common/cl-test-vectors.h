/* cl-test-vectors.h: reads the known-answer vector files of ../shared/vectors at test time
 * ("[section]" then "name = value"; '#' comments; hex values may contain spaces). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _ClTestVectors ClTestVectors;

/* Loads <shared>/vectors/<file>; aborts the test with a clear message if it cannot. The shared directory is
 * $CARDLINE_SHARED_DIR or, by default, ../shared beside the source tree. */
ClTestVectors *cl_test_vectors_load (const char *file);
void cl_test_vectors_free (ClTestVectors *v);
/* Section names in file order (owned by v). */
const char *const *cl_test_vectors_sections (ClTestVectors *v);
/* NULL if absent. */
const char *cl_test_vectors_get (ClTestVectors *v, const char *section, const char *name);
/* Hex value decoded; aborts the test if absent or not hex. */
GBytes *cl_test_vectors_get_hex (ClTestVectors *v, const char *section, const char *name);
gboolean cl_test_vectors_has (ClTestVectors *v, const char *section, const char *name);
/* Path of a file under <shared>/ (e.g. "data/caps/helloworld.cap"); caller frees. */
char *cl_test_shared_path (const char *relative);
/* Asserts that bytes equal the hex text, printing both in hex on mismatch. */
void cl_test_assert_bytes_hex (GBytes *bytes, const char *expected_hex, const char *what);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClTestVectors, cl_test_vectors_free)

G_END_DECLS
