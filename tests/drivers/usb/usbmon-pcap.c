/* usbmon-pcap: writes a usbmon capture (pcap, LINKTYPE_USB_LINUX_MMAPPED) from a readable event list, for
 * umockdev-run --pcap. The ioctl-tree replay completes every URB it accepts at once, so a reply that never
 * comes (the printer's silence that the driver must time out on) can only be replayed from a capture: umockdev's
 * pcap replay keeps an IN URB pending until the capture completes it, and a capture that ends first leaves it
 * pending until libusb cancels it at its timeout.
 *
 *   usbmon-pcap BUS DEVICE INPUT OUTPUT
 *
 * INPUT, one event a line ('#' starts a comment), endpoint in hex with the direction bit, data in hex:
 *   S EP LENGTH [DATA]        bulk URB submitted (OUT: DATA is what the host must send, LENGTH bytes)
 *   C EP STATUS LENGTH [DATA] the oldest pending URB on EP completed (IN: DATA is the reply, LENGTH bytes) */
#include <glib.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINKTYPE_USB_LINUX_MMAPPED 220
#define USBMON_HEADER              64
#define URB_BULK                   3

typedef struct
{
  guint64 id;
  guint8 endpoint;
} Pending;

static void
put (guint8 *header, gsize offset, const void *value, gsize size)
{
  memcpy (header + offset, value, size);
}

static gboolean
parse_hex (const char *text, GByteArray *out, GError **error)
{
  gsize len = strlen (text);

  if (len % 2 != 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "odd number of hex digits in \"%s\"", text);
      return FALSE;
    }
  for (gsize i = 0; i < len; i += 2)
    {
      int hi = g_ascii_xdigit_value (text[i]), lo = g_ascii_xdigit_value (text[i + 1]);
      guint8 byte;

      if (hi < 0 || lo < 0)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "not hex: \"%s\"", text);
          return FALSE;
        }
      byte = (guint8)(hi << 4 | lo);
      g_byte_array_append (out, &byte, 1);
    }
  return TRUE;
}

static gboolean
parse_number (const char *text, guint base, gint64 min, gint64 max, gint64 *out, GError **error)
{
  return g_ascii_string_to_signed (text, base, min, max, out, error);
}

/* One usbmon record: the 64-byte mmapped header, then the captured data. */
static void
write_record (FILE *f, guint64 id, char event, guint8 endpoint, guint8 device, guint16 bus, gint32 status,
              guint32 urb_len, const GByteArray *data, guint32 when_ms)
{
  guint8 header[USBMON_HEADER] = { 0 };
  guint8 transfer_type = URB_BULK, setup_flag = '-', data_flag = data->len > 0 ? 0 : (endpoint & 0x80 ? '<' : '>');
  gint64 ts_sec = when_ms / 1000;
  gint32 ts_usec = (gint32)(when_ms % 1000) * 1000;
  guint32 data_len = data->len, record[4];

  put (header, 0, &id, 8);
  header[8] = (guint8)event;
  put (header, 9, &transfer_type, 1);
  put (header, 10, &endpoint, 1);
  put (header, 11, &device, 1);
  put (header, 12, &bus, 2);
  put (header, 14, &setup_flag, 1);
  put (header, 15, &data_flag, 1);
  put (header, 16, &ts_sec, 8);
  put (header, 24, &ts_usec, 4);
  put (header, 28, &status, 4);
  put (header, 32, &urb_len, 4);
  put (header, 36, &data_len, 4);

  record[0] = (guint32)ts_sec;
  record[1] = (guint32)ts_usec;
  record[2] = record[3] = USBMON_HEADER + data_len;
  fwrite (record, sizeof record, 1, f);
  fwrite (header, sizeof header, 1, f);
  if (data_len > 0)
    fwrite (data->data, 1, data_len, f);
}

static gboolean
convert (const char *input, const char *output, guint8 device, guint16 bus, GError **error)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GArray) pending = g_array_new (FALSE, FALSE, sizeof (Pending));
  /* pcap file header: magic, version 2.4, GMT offset, accuracy, snap length, link type (host byte order). */
  const guint32 file_header[6] = { 0xa1b2c3d4, 2 | 4 << 16, 0, 0, 65535, LINKTYPE_USB_LINUX_MMAPPED };
  guint64 next_id = 0xffff8a0000000100;
  guint32 when_ms = 1000;
  FILE *f;

  if (!g_file_get_contents (input, &text, NULL, error))
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  f = fopen (output, "wb");
  if (f == NULL)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "cannot write %s: %s", output,
                   g_strerror (errno));
      return FALSE;
    }
  fwrite (file_header, sizeof file_header, 1, f);

  for (guint n = 0; lines[n] != NULL; n++)
    {
      g_autofree char *line = g_strstrip (g_strdup (lines[n]));
      g_auto (GStrv) fields = NULL;
      g_autoptr (GByteArray) data = g_byte_array_new ();
      g_autoptr (GError) local = NULL;
      gint64 endpoint, status = 0, length;
      guint fields_n, data_field;
      char event;

      if (line[0] == '\0' || line[0] == '#')
        continue;
      fields = g_strsplit_set (line, " \t", -1);
      fields_n = g_strv_length (fields);
      event = fields[0][0];
      data_field = event == 'S' ? 3 : 4;
      if ((event != 'S' && event != 'C') || fields[0][1] != '\0' || fields_n < data_field || fields_n > data_field + 1
          || !parse_number (fields[1], 16, 0, 0xff, &endpoint, &local)
          || (event == 'C' && !parse_number (fields[2], 10, -200, 0, &status, &local))
          || !parse_number (fields[data_field - 1], 10, 0, 65536, &length, &local)
          || (fields_n > data_field && !parse_hex (fields[data_field], data, &local)))
        {
          fclose (f);
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       "%s:%u: not an event (S EP LENGTH [DATA] or "
                       "C EP STATUS LENGTH [DATA]): \"%s\"%s%s",
                       input, n + 1, line, local ? ": " : "", local ? local->message : "");
          return FALSE;
        }
      if (data->len > 0 && data->len != (guint)length)
        {
          fclose (f);
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%u: LENGTH %" G_GINT64_FORMAT " but %u data bytes",
                       input, n + 1, length, data->len);
          return FALSE;
        }
      if (event == 'S')
        {
          Pending urb = { next_id, (guint8)endpoint };

          next_id += 0x100;
          g_array_append_val (pending, urb);
          write_record (f, urb.id, 'S', urb.endpoint, device, bus, -EINPROGRESS, (guint32)length, data, when_ms);
        }
      else
        {
          guint i;

          for (i = 0; i < pending->len && g_array_index (pending, Pending, i).endpoint != endpoint; i++)
            ;
          if (i == pending->len)
            {
              fclose (f);
              g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                           "%s:%u: completes a URB on endpoint %02x that was never submitted", input, n + 1,
                           (guint)endpoint);
              return FALSE;
            }
          write_record (f, g_array_index (pending, Pending, i).id, 'C', (guint8)endpoint, device, bus, (gint32)status,
                        (guint32)length, data, when_ms);
          g_array_remove_index (pending, i);
        }
      when_ms += 1;
    }
  if (fclose (f) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "cannot write %s: %s", output,
                   g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  gint64 bus, device;

  if (argc != 5 || !g_ascii_string_to_signed (argv[1], 10, 1, 0xffff, &bus, &error)
      || !g_ascii_string_to_signed (argv[2], 10, 1, 127, &device, &error))
    {
      g_printerr ("usage: usbmon-pcap BUS DEVICE INPUT OUTPUT%s%s\n", error ? ": " : "", error ? error->message : "");
      return 2;
    }
  if (!convert (argv[3], argv[4], (guint8)device, (guint16)bus, &error))
    {
      g_printerr ("usbmon-pcap: %s\n", error->message);
      return 1;
    }
  return 0;
}
