/* cl-ram-codec.h: the bodies of RAMOverHTTP in the OpenSCDP dialect (DESIGN §8), both directions, no I/O.
 *
 *   first POST (client)   E8 { C0 <ATR> [C1 <max C-APDU size>] [C2 <max R-APDU size>] }
 *   answer 200 (service)  AA { (22 <C-APDU> | C0 00 | E0 { 02 <id>, 0C <text> [, C3 <seconds>] })* }
 *   next POST (client)    AB { (23 <R-APDU> | C0 <ATR> | E1 { 0C <text> })* 80 <n> }
 *
 * Tags are one byte; lengths are 00–7F, 81 xx or 82 xx xx (at most 65535; non-minimal length forms are read,
 * never written); integers are big-endian two's complement, 1–4 bytes, and must be minimal. A body is exactly
 * one template: bytes after it, unknown tags, a missing or repeated element, text that is not UTF-8 (or holds a
 * NUL), more than CL_RAM_MAX_COMMANDS C-APDUs, or a count that differs from the R-APDUs carried are refused
 * with CL_ERROR_MALFORMED naming the element and the offset. Encoders refuse what a decoder would refuse
 * (CL_ERROR_INVALID_ARGUMENT), so what this file writes it also reads back unchanged.
 *
 * Both sides use it: the production service (cardline-server) decodes E8/AB and encodes AA; a station acting as
 * a client decodes AA and encodes E8/AB. Items are plain structs in a GPtrArray that owns them. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CL_RAM_TAG_HELLO     0xE8  /* first POST */
#define CL_RAM_TAG_COMMANDS  0xAA  /* the service's command template */
#define CL_RAM_TAG_RESPONSES 0xAB  /* every later POST */
#define CL_RAM_MAX_COMMANDS  127   /* C-APDUs in one template (one client reads one byte of the count) */
#define CL_RAM_MAX_VALUE     65535 /* longest value the length forms allow */
#define CL_RAM_MAX_BODY      (1 + 3 + CL_RAM_MAX_VALUE) /* longest body: one template of the longest value */
#define CL_RAM_MAX_ATR       33                         /* ISO 7816-3 */
#define CL_RAM_MAX_TEXT      4096                       /* bytes of a notify or card-error text */
/* Notify ids that end a session (any negative id does, for every client). Cardline's service says why with the id,
 * so that its stations tell a batch with no place left from a card the service gave up on. */
#define CL_RAM_NOTIFY_ABORT    (-1) /* the service aborted the card */
#define CL_RAM_NOTIFY_NO_PLACE (-2) /* the batch has no place left for a card: not the card's fault */

/* The client's first POST. max_command / max_response are 0 when the client did not send them. */
typedef struct
{
  GBytes *atr;
  guint32 max_command;
  guint32 max_response;
} ClRamHello;

void cl_ram_hello_clear (ClRamHello *hello);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ClRamHello, cl_ram_hello_clear)

/* max_command / max_response of 0 are left out; others must be at most G_MAXINT32. */
GBytes *cl_ram_hello_encode (const ClRamHello *hello, GError **error);
/* Fills out (which the caller clears) or fails naming what was wrong. */
gboolean cl_ram_hello_decode (const guint8 *body, gsize len, ClRamHello *out, GError **error);

typedef enum
{
  /* in the service's AA template */
  CL_RAM_ITEM_COMMAND, /* 22: data = the C-APDU, sent to the card unchanged */
  CL_RAM_ITEM_RESET,   /* C0 00: reset the card; the answer carries CL_RAM_ITEM_ATR */
  CL_RAM_ITEM_NOTIFY,  /* E0: id, text, seconds (-1 when absent); a negative id aborts the session */
  /* in the client's AB template */
  CL_RAM_ITEM_RESPONSE,   /* 23: data = the whole R-APDU, data and SW */
  CL_RAM_ITEM_ATR,        /* C0: data = the ATR after a reset */
  CL_RAM_ITEM_CARD_ERROR, /* E1: text = the reader's error; the client stopped the batch there */
} ClRamItemKind;

typedef struct
{
  ClRamItemKind kind;
  GBytes *data;   /* COMMAND, RESPONSE, ATR; NULL otherwise */
  char *text;     /* NOTIFY, CARD_ERROR (UTF-8); NULL otherwise */
  gint32 id;      /* NOTIFY */
  gint32 seconds; /* NOTIFY: seconds to completion, -1 when absent */
} ClRamItem;

ClRamItem *cl_ram_item_new_command (GBytes *apdu);
ClRamItem *cl_ram_item_new_reset (void);
ClRamItem *cl_ram_item_new_notify (gint32 id, const char *text, gint32 seconds);
ClRamItem *cl_ram_item_new_response (GBytes *rapdu);
ClRamItem *cl_ram_item_new_atr (GBytes *atr);
ClRamItem *cl_ram_item_new_card_error (const char *text);
void cl_ram_item_free (ClRamItem *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClRamItem, cl_ram_item_free)

/* A GPtrArray that frees its ClRamItems. */
GPtrArray *cl_ram_items_new (void);
/* How many items of the array are of kind. */
guint cl_ram_items_count (GPtrArray *items, ClRamItemKind kind);

/* AA from COMMAND / RESET / NOTIFY items (an empty array gives AA 00). */
GBytes *cl_ram_commands_encode (GPtrArray *items, GError **error);
GPtrArray *cl_ram_commands_decode (const guint8 *body, gsize len, GError **error);

/* AB from RESPONSE / ATR / CARD_ERROR items; the count 80 is the number of RESPONSE items. */
GBytes *cl_ram_responses_encode (GPtrArray *items, GError **error);
GPtrArray *cl_ram_responses_decode (const guint8 *body, gsize len, GError **error);

G_END_DECLS
