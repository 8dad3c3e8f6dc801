/* cl-script-transport.h: a scripted ClTransport for tests (like OpenSC's scripted reader). Each expected
 * command is answered with its scripted response; any other command fails the test on the spot, naming
 * both in hex. Reused by the tests of lib/scp, lib/gp and later modules. */
#pragma once

#include "apdu/cl-transport.h"

G_BEGIN_DECLS

#define CL_TYPE_SCRIPT_TRANSPORT (cl_script_transport_get_type ())
G_DECLARE_FINAL_TYPE (ClScriptTransport, cl_script_transport, CL, SCRIPT_TRANSPORT, GObject)

ClScriptTransport *cl_script_transport_new (void);
void cl_script_transport_set_extended (ClScriptTransport *self, gboolean supported);
void cl_script_transport_set_atr (ClScriptTransport *self, const char *atr_hex);
/* Hex may contain spaces. command_hex NULL accepts any command. */
void cl_script_transport_expect (ClScriptTransport *self, const char *command_hex, const char *response_hex);
void cl_script_transport_expect_bytes (ClScriptTransport *self, GBytes *command, GBytes *response);
/* Answers every command beyond the script with response_hex (for hostile endless loops); NULL turns it off. */
void cl_script_transport_set_default_response (ClScriptTransport *self, const char *response_hex);
/* Makes the next transmit fail with CL_ERROR_TRANSPORT. */
void cl_script_transport_fail_next (ClScriptTransport *self);
guint cl_script_transport_get_transmit_count (ClScriptTransport *self);
/* The last command as the channel handed it over (the same buffer, so what the channel did to it after sending shows).
 */
GBytes *cl_script_transport_get_last_command (ClScriptTransport *self);
/* Asserts that every scripted exchange happened. */
void cl_script_transport_assert_done (ClScriptTransport *self);

G_END_DECLS
