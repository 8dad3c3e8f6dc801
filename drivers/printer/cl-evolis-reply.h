/* cl-evolis-reply.h: the Evolis command set as pure functions (framing and reply parsing), so the fuzz
 * target and the unit tests reach every branch without a printer.
 *
 * Frame: ESC command [';' parameter]... CR, e.g. "\x1bSis\r", "\x1bPem;2\r".
 * Replies (host-managed error mode, Pem;2), ASCII, optionally ended by CR/LF/NUL:
 *   "OK"                     the command was carried out (ACK)
 *   "NACK;<c>"               refused; <c> is 1 command error, 2 parameter error, T mechanical/time-out,
 *                            C cover open, F feeder, R ribbon
 *   "ERR <text>"             a status answer that reports an error state (e.g. Rlr;p -> "ERR CARD")
 *   anything else printable  a value (Rtp, Rsn, Rfv, Rco;c, Sk;f, Rlr;p, Rse;x)
 * Anything else (empty, control bytes, an unknown NACK code, longer than 256 bytes) is malformed. */
#pragma once

#include <glib.h>

#include "cl-printer-fault.h"

G_BEGIN_DECLS

#define CL_EVOLIS_MAX_REPLY 256

typedef enum
{
  CL_EVOLIS_REPLY_OK,
  CL_EVOLIS_REPLY_NACK,
  CL_EVOLIS_REPLY_ERR,
  CL_EVOLIS_REPLY_VALUE,
} ClEvolisReplyKind;

typedef struct
{
  ClEvolisReplyKind kind;
  char nack;  /* the NACK code for CL_EVOLIS_REPLY_NACK, else 0 */
  char *text; /* the reply without its terminator; for ERR the text after "ERR " */
} ClEvolisReply;

void cl_evolis_reply_clear (ClEvolisReply *reply);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ClEvolisReply, cl_evolis_reply_clear)

/* ESC @command [;param]... CR. @params may be NULL. */
GBytes *cl_evolis_frame (const char *command, const char *const *params);
/* The command text of a frame ("Sis", "Pem;2") for messages, NULL if @data is not one frame. */
char *cl_evolis_frame_parse (const guint8 *data, gsize len);

gboolean cl_evolis_reply_parse (const guint8 *data, gsize len, ClEvolisReply *out, GError **error);
/* @data escaped for an error message: printable ASCII as is, the rest as \xNN, cut after 64 bytes. */
char *cl_evolis_reply_escape (const guint8 *data, gsize len);

/* TRUE and the fault for the mechanical NACK codes T, C, F, R; FALSE for 1 and 2 (host errors). */
gboolean cl_evolis_nack_fault (char nack, ClPrinterFault *fault);
/* "command error", "parameter error", "mechanical error or time-out", "cover open", "feeder", "ribbon". */
const char *cl_evolis_nack_meaning (char nack);

typedef enum
{
  CL_EVOLIS_FEEDER_FULL = 0,
  CL_EVOLIS_FEEDER_HALF = 1,
  CL_EVOLIS_FEEDER_LOW = 2,
  CL_EVOLIS_FEEDER_EMPTY = 3,
} ClEvolisFeeder;

typedef enum
{
  CL_EVOLIS_CARD_NONE,        /* "NO CARD" */
  CL_EVOLIS_CARD_ERROR,       /* "ERR CARD": stuck in the path */
  CL_EVOLIS_CARD_CONTACT,     /* "CARD CONTACT": parked under the contact station */
  CL_EVOLIS_CARD_CONTACTLESS, /* "CARD CONTACTLESS" */
  CL_EVOLIS_CARD_PRINT,       /* "CARD PRINT": under the print head */
} ClEvolisCardPosition;

/* Sk;f: "0".."3". */
gboolean cl_evolis_parse_feeder (const ClEvolisReply *reply, ClEvolisFeeder *out, GError **error);
/* Rlr;p. */
gboolean cl_evolis_parse_card_position (const ClEvolisReply *reply, ClEvolisCardPosition *out, GError **error);
/* Rse;o|p|m: "0" or "1". */
gboolean cl_evolis_parse_sensor (const ClEvolisReply *reply, gboolean *out, GError **error);
/* Rco;c: decimal, at most 10 digits. */
gboolean cl_evolis_parse_counter (const ClEvolisReply *reply, guint64 *out, GError **error);

G_END_DECLS
