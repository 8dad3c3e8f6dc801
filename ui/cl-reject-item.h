/* cl-reject-item.h: one rejected card as a list item for the rejects column view. Properties are the
 * displayed strings, so columns bind to them by name. */
#pragma once

#include <glib-object.h>

#include "store/cl-store-dashboard.h"

G_BEGIN_DECLS

#define CL_TYPE_REJECT_ITEM (cl_reject_item_get_type ())
G_DECLARE_FINAL_TYPE (ClRejectItem, cl_reject_item, CL, REJECT_ITEM, GObject)

/* Takes row. */
ClRejectItem *cl_reject_item_new (ClRejectRow *row);
const ClRejectRow *cl_reject_item_get_row (ClRejectItem *self);
const char *cl_reject_item_get_chip_id (ClRejectItem *self);

G_END_DECLS
