#include "core/cl-diversify-data.h"

#include <string.h>

void
cl_diversify_data_des (ClDiversification method, const guint8 kdd[10], ClKeyRole role, guint8 out[16])
{
  guint8 half[6];

  if (method == CL_DIVERSIFY_EMV)
    memcpy (half, kdd + 4, 6);
  else
    {
      memcpy (half, kdd, 2);
      memcpy (half + 2, kdd + 4, 4);
    }
  memcpy (out, half, 6);
  out[6] = 0xF0;
  out[7] = (guint8)role;
  memcpy (out + 8, half, 6);
  out[14] = 0x0F;
  out[15] = (guint8)role;
}

void
cl_diversify_data_aes_ecb_block (const guint8 kdd[10], ClKeyRole role, guint8 n, guint8 out[16])
{
  memset (out, 0, 16);
  memcpy (out, kdd, 10);
  out[10] = (guint8)role;
  out[11] = n;
}

gsize
cl_diversify_data_aes_ecb (const guint8 kdd[10], ClKeyRole role, gsize key_len, guint8 out[32])
{
  gsize blocks = key_len > 16 ? 2 : 1;

  for (gsize j = 0; j < blocks; j++)
    cl_diversify_data_aes_ecb_block (kdd, role, (guint8)(j + 1), out + 16 * j);
  return blocks * 16;
}

void
cl_diversify_data_kdf3 (const guint8 kdd[10], ClKeyRole role, guint8 n, guint8 out[16])
{
  memset (out, 0, 16);
  out[0] = n;
  out[4] = (guint8)role;
  memcpy (out + 6, kdd, 10);
}
