/* cl-vcard-session.h: one insertion of a virtual card: the APDU dispatcher.
 *
 * A session is what lives in the chip's RAM between power-on and removal (selected application, secure
 * channel, LOAD in progress, GET STATUS paging); everything persistent is in the ClVcardImage, which the
 * session commits after each state change. cl_vcard_session_transmit is a pure function of image, session
 * state and command (random challenges aside), which is what the fuzz target drives. */
#pragma once

#include <glib-object.h>

#include "cl-vcard-image.h"

G_BEGIN_DECLS

#define CL_TYPE_VCARD_SESSION (cl_vcard_session_get_type ())
G_DECLARE_FINAL_TYPE (ClVcardSession, cl_vcard_session, CL, VCARD_SESSION, GObject)

ClVcardSession *cl_vcard_session_new (ClVcardImage *image);
ClVcardImage *cl_vcard_session_get_image (ClVcardSession *self);
/* Cold or warm reset: clears the session state and returns the ATR. */
GBytes *cl_vcard_session_reset (ClVcardSession *self);
/* One command APDU in, response data || SW out. NULL means the card stays silent (mute or torn defect). */
GBytes *cl_vcard_session_transmit (ClVcardSession *self, const guint8 *command, gsize len);
/* Number of bytes the last command wrote to persistent memory (for the timing model). */
gsize cl_vcard_session_get_last_write_size (ClVcardSession *self);
/* Makes challenges reproducible (fuzzing, tests); 0 uses real randomness. */
void cl_vcard_session_set_random_seed (ClVcardSession *self, guint32 seed);
/* Known-answer tests: the card challenge of the next INITIALIZE UPDATE (otherwise per the "i" parameter). */
void cl_vcard_session_set_next_card_challenge (ClVcardSession *self, const guint8 challenge[8]);
/* Strict GlobalPlatform Amendment D: the card refuses what a lenient card lets pass and the station must not rely on
 * (see cl-vcard-strict.c for the list). Default: on when CARDLINE_VCARD_STRICT=1 is in the environment. */
void cl_vcard_session_set_strict (ClVcardSession *self, gboolean strict);
gboolean cl_vcard_session_get_strict (ClVcardSession *self);
/* Failures to persist the image are reported here rather than as a SW (the chip would have died). */
gboolean cl_vcard_session_take_commit_error (ClVcardSession *self, GError **error);

G_END_DECLS
