/* cl-data-face-fields.h: a mapping's face.NAME targets against the card face template that prints them (the format of
 * drivers/cups/cl-face-template.h): a field the face does not show would be imported, stored and never printed. */
#pragma once

#include "data/cl-data-mapping.h"

G_BEGIN_DECLS

/* Every face.NAME target must be the Field of a Text or QR group of the template, and face.photo needs a Photo
 * group. CL_ERROR_PROFILE "MAPPING:data:face.title: the face template T has no field face.title (it prints: serial,
 * face.name)", or naming the template that cannot be read. */
gboolean cl_data_mapping_check_face (ClDataMapping *self, const char *template_path, GError **error);

G_END_DECLS
