/* Printer replies come from a device on a cable: every byte string must parse to a reply or a clear error. */
#include <stdint.h>
#include <string.h>

#include "printer/cl-evolis-reply.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_auto (ClEvolisReply) reply = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *G_GNUC_UNUSED escaped = cl_evolis_reply_escape (data, size);
  g_autofree char *G_GNUC_UNUSED frame = cl_evolis_frame_parse (data, size);

  if (!cl_evolis_reply_parse (data, size, &reply, &error))
    {
      g_assert_nonnull (error);
      g_assert_nonnull (strstr (error->message, "malformed printer reply"));
      return 0;
    }
  g_assert_no_error (error);
  {
    ClEvolisFeeder feeder;
    ClEvolisCardPosition position;
    gboolean sensor;
    guint64 counter;
    ClPrinterFault fault;
    GError *e = NULL;

    if (!cl_evolis_parse_feeder (&reply, &feeder, &e))
      g_clear_error (&e);
    if (!cl_evolis_parse_card_position (&reply, &position, &e))
      g_clear_error (&e);
    if (!cl_evolis_parse_sensor (&reply, &sensor, &e))
      g_clear_error (&e);
    if (!cl_evolis_parse_counter (&reply, &counter, &e))
      g_clear_error (&e);
    if (reply.kind == CL_EVOLIS_REPLY_NACK)
      {
        (void)cl_evolis_nack_fault (reply.nack, &fault);
        g_assert_nonnull (cl_evolis_nack_meaning (reply.nack));
      }
  }
  return 0;
}
