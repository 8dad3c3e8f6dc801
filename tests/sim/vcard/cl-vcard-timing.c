#include "cl-vcard-timing.h"

void
cl_vcard_timing_init_default (ClVcardTiming *timing)
{
  timing->link_bps = 115200;
  timing->command_overhead_us = 1500;
  /* ~ 3 ms per 64-byte EEPROM page, the order of magnitude of common smart-card controllers */
  timing->eeprom_us_per_byte = 50;
  timing->crypto_us = 2000;
}

guint64
cl_vcard_timing_cost_us (const ClVcardTiming *timing, gsize command_len, gsize response_len, gsize written,
                         gboolean crypto)
{
  /* 10 bits per byte on the wire (start, 8 data, guard time) plus the T=1 prologue/epilogue of 4 bytes each way */
  guint64 bits = (guint64)(command_len + response_len + 8) * 10;
  guint64 us = timing->link_bps ? bits * G_USEC_PER_SEC / timing->link_bps : 0;

  us += timing->command_overhead_us;
  us += (guint64)written * timing->eeprom_us_per_byte;
  if (crypto)
    us += timing->crypto_us;
  return us;
}
