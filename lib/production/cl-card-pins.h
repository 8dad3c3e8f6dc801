/* cl-card-pins.h: the user PIN and SO-PIN a card is initialised with, per the profile's PIN policy: the fixed
 * values of a demo profile, or fresh ones for every card from the token's random generator (C_GenerateRandom).
 * Random PINs exist only in page-locked buffers (cl-secure-buffer.h), wiped as soon as INITIALIZE DEVICE was sent
 * and the escrow sealed; they are never logged, stored
 * or shown (a real line hands them to a PIN mailer, which the demo line has not). */
#pragma once

#include "p11/cl-p11-token.h"
#include "profile/cl-profile.h"

G_BEGIN_DECLS

typedef struct
{
  GBytes *pin;    /* pin-length ASCII digits (random) or the demo value */
  GBytes *so_pin; /* 8 bytes */
} ClCardPins;

/* CL_ERROR_TOKEN naming the failing PKCS#11 call (never a value). */
ClCardPins *cl_card_pins_new (ClProfile *profile, ClP11Token *token, GError **error);
void cl_card_pins_free (ClCardPins *pins);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClCardPins, cl_card_pins_free)

G_END_DECLS
