/* cl-reader-tile.h: one reader of a full rack as a compact tile: its state in words, icon and colour, the chip's short
 * id, the running step with the card's progress and the data row's display field. Activating it (click, Enter)
 * asks for the reader's detailed panel ("open"). */
#pragma once

#include <adwaita.h>

#include "station/cl-reader.h"

G_BEGIN_DECLS

/* What a tile says about its reader, in the operator's words (never by colour alone). */
typedef enum
{
  CL_READER_TILE_IDLE,      /* no card, or a card not started yet, and no result to show */
  CL_READER_TILE_PRODUCING, /* the sequence runs on the card */
  CL_READER_TILE_GOOD,      /* the last card came out GOOD */
  CL_READER_TILE_REJECT,    /* the last card was rejected */
  CL_READER_TILE_FAULT,     /* the reader needs attention: its instruction is on the tile */
  CL_READER_TILE_GONE,      /* the reader was unplugged */
} ClReaderTileState;

#define CL_TYPE_READER_TILE (cl_reader_tile_get_type ())
G_DECLARE_FINAL_TYPE (ClReaderTile, cl_reader_tile, CL, READER_TILE, AdwBin)

GtkWidget *cl_reader_tile_new (ClReader *reader);
ClReader *cl_reader_tile_get_reader (ClReaderTile *self);
void cl_reader_tile_set_reader (ClReaderTile *self, ClReader *reader);
/* The reader's state as the tile shows it, from the reader's state, result and steps. */
ClReaderTileState cl_reader_tile_state_for (ClReader *reader);
ClReaderTileState cl_reader_tile_get_state (ClReaderTile *self);
/* What the tile tells screen readers: its reader, state, step and progress, chip and card data in one sentence. */
const char *cl_reader_tile_get_accessible_text (ClReaderTile *self);
/* The word the tile shows for state ("Producing", "Reject"). */
const char *cl_reader_tile_state_label (ClReaderTileState state);
/* A chip id short enough for a tile: its end, where the serial number sits ("…3F0012A7"); "—" for none. */
char *cl_reader_tile_short_chip_id (const char *chip_id);

G_END_DECLS
