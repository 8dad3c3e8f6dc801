/* cl-ram-item-private.h: for the codec's own files (cl-ram-codec.c, cl-ram-decode.c): an item of kind with
 * nothing set, for the decoder to fill. */
#pragma once

#include "remote/cl-ram-codec.h"

G_BEGIN_DECLS

ClRamItem *cl_ram_item_new_empty (ClRamItemKind kind);

G_END_DECLS
