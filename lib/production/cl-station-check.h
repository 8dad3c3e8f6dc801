/* cl-station-check.h: what `cardline-admin doctor` checks of a profile against this station's token and files,
 * one result per check, read-only (nothing is written to the token or the store). The hardware checks (pcscd, the
 * card printer, CUPS) live with their drivers; the doctor (app/admin) puts them all in one list.
 *
 * Per profile: each key it names (KST and KMC key sets, the DICA key) exists in the token, is sensitive and
 * non-extractable and allows what the sequence does with it; each mechanism it needs is offered by the token, and a
 * missing one names the profile opt-in that works around it, where there is one; the CAP file parses and its LOAD
 * fits the card's limits; the certificates and the face template it names exist. */
#pragma once

#include "p11/cl-p11-token.h"
#include "profile/cl-profile.h"

G_BEGIN_DECLS

typedef struct
{
  char *part; /* what was checked: "pcscd", "token", "key KMC/01", "mechanism CKM_AES_CMAC" ... */
  gboolean ok;
  char *detail; /* what was found, or what is wrong and what to do about it */
} ClStationCheck;

ClStationCheck *cl_station_check_new (const char *part, gboolean ok, const char *format, ...) G_GNUC_PRINTF (3, 4);
/* From error (its message is the detail) when it is set, else ok with detail. */
ClStationCheck *cl_station_check_from_error (const char *part, const GError *error, const char *detail);
void cl_station_check_free (ClStationCheck *check);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ClStationCheck, cl_station_check_free)

/* The CAP file, certificates and face template of profile (no token needed); appends to checks. */
void cl_station_check_profile_files (ClProfile *profile, GPtrArray *checks);
/* The profile's keys and mechanisms in a logged-in token; appends to checks. */
void cl_station_check_profile_token (ClProfile *profile, ClP11Token *token, GPtrArray *checks);

G_END_DECLS
