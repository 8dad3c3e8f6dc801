/* cl-profile-private.h: what the files that load a profile share (cl-profile.c, cl-profile-init.c,
 * cl-profile-data.c). */
#pragma once

#include "data/cl-data-mapping.h"
#include "profile/cl-profile-custody.h"
#include "profile/cl-profile-reader.h"
#include "profile/cl-profile.h"

G_BEGIN_DECLS

struct _ClProfile
{
  GObject parent_instance;

  char *name;
  char *description;
  char *hash;
  char *path;
  guint card_timeout;
  gboolean demo;
  ClProfileCard card;
  ClProfileScp scp;
  ClProfileKeys keys;
  ClProfileConfigure configure;
  ClProfileApplet applet;
  ClProfileInit init;
  ClProfileCertify certify;
  ClProfileCustody custody;
  char *face_template;
  gboolean data_fails_on_reject;
  guint data_max_attempts;
  ClDataMapping *data_mapping;
  GBytes *fixed_pin;
  GBytes *fixed_so_pin;
};

typedef struct
{
  ClProfileReader r;
  const char *base_dir;
  const char *data_dir;
  const char *pki_dir; /* searched for certificates only */
} ClProfileLoader;

/* The keys of [initialize]: the first two (the group and ship) are allowed with ship=uninitialised. */
extern const char *const cl_profile_group_init[];

/* A file the profile names: absolute, or relative to the profile, then to the data directory (cl-profile.c). */
char *cl_profile_loader_path (ClProfileLoader *l, const char *group, const char *key, gboolean required,
                              GError **error);

/* [initialize]: ship state, the PIN and SO-PIN sources and the fixed values (cl-profile-init.c). */
gboolean cl_profile_load_init (ClProfile *self, ClProfileLoader *l, GError **error);

/* [face], [data] and the customer's data mapping (cl-profile-data.c). */
gboolean cl_profile_load_face (ClProfile *self, ClProfileLoader *l, GError **error);
gboolean cl_profile_load_data (ClProfile *self, ClProfileLoader *l, GError **error);
gboolean cl_profile_load_data_mapping (ClProfile *self, ClProfileLoader *l, GError **error);

G_END_DECLS
