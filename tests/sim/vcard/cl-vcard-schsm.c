/* cl-vcard-schsm.c: the SmartCard-HSM applet emulation, instantiated when the package E82B0601040181C31F0201 is
 * installed. What OpenSC's card-sc-hsm driver and the station use; keys are real OpenSSL keys.
 *
 * Persistent state lives in the image's [schsm] group:
 *   initialized, options, pin, pin_max, pin_retries, so_pin, so_retries, dkek_shares, dkek_outstanding, dkek,
 *   device_chr, file.XXXX (EF contents, hex), key.NN (private key, DER hex), devaut_locked.
 *
 * The device identity (key.00, its request CE00, EF.C_DevAut 2F02, device_chr, devaut_locked) is made in
 * production and survives every INITIALIZE DEVICE, as on real SmartCard-HSMs and pico-hsm: GENERATE ASYMMETRIC
 * KEY PAIR with key id 00 generates it, without a PIN, once in the card's life (the step the card issuer's
 * production does on real devices); INITIALIZE DEVICE only sets PINs, options and DKEK shares and deletes the
 * customer's keys and files.
 *
 * Who may write EF.C_DevAut (2F02): nobody before the device key exists; after it, anyone (no PIN: its
 * authenticity is the DICA signature, which every verifier checks) until the card is reset or another application
 * is selected while 2F02 holds a whole chain (two complete CVCs): then it is locked for good; a write cut short
 * stays open. So the station writes "device CVC || DICA CVC" (in as many UPDATE BINARY chunks as it likes) and
 * reads it back in the same session; nobody can replace it afterwards. Every other EF needs the user PIN.
 *
 * Files the card answers itself, as pico-hsm does where OpenSC looks: EF.DIR 2F00 (the application template) and
 * 2F03 (token info: label, manufacturer) until the host writes its own. 2F03 is then an EF like any other, as on a
 * real SmartCard-HSM where sc-hsm-tool --initialize --label writes it: the user PIN verified, UPDATE BINARY from
 * offset 0; INITIALIZE DEVICE deletes it with the customer's files. Not pico-hsm's C400 (a PKCS#15 description of the
 * device key): with it OpenSC 0.23's pkcs11-tool signs with the device key instead of the key it was asked for.
 */
#include "cl-vcard-private.h"

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <string.h>

#include "core/cl-error.h"
#include "core/cl-hex.h"
#include "crypto/cl-crypto.h"
#include "cvc/cl-cvc-body.h"
#include "cvc/cl-cvc-curve.h"
#include "cvc/cl-cvc-public-key.h"
#include "cvc/cl-cvc-request.h"
#include "cvc/cl-cvc-signature.h"
#include "cvc/cl-cvc.h"
#include "tlv/cl-tlv.h"

static const guint8 schsm_aid[] = { 0xE8, 0x2B, 0x06, 0x01, 0x04, 0x01, 0x81, 0xC3, 0x1F, 0x02, 0x01 };

#define SO_RETRIES_MAX 15
#define FID_DEVAUT     0x2F02
#define FID_DEVICE_REQ 0xCE00
#define FID_EF_DIR     0x2F00
#define FID_TOKEN_INFO 0x2F03
#define DEVICE_KEY_ID  0x00

/* what INITIALIZE DEVICE keeps: the device identity */
static const char *const identity_keys[] = { "key.00", "file.2F02", "file.CE00", "device_chr", "devaut_locked" };

struct _ClVcardSchsm
{
  ClVcardSession *session; /* not owned: the session owns the applet */
  ClVcardImage *image;
  gboolean pin_verified;
  guint16 current_fid; /* the EF last selected: P1P2 0000 of READ/UPDATE BINARY means it */
};

gboolean
cl_vcard_schsm_is_package (const guint8 *aid, gsize len)
{
  /* The real applet's package is E82B0601040181C31F02 and its instance ...0201; images made with --with-schsm
   * use the instance AID for both, and a load file may not share its AID with the instance it installs. */
  return (len == sizeof schsm_aid || len == sizeof schsm_aid - 1) && memcmp (aid, schsm_aid, len) == 0;
}

/* ---- persistent state helpers ---- */

static const char *
get (ClVcardSchsm *s, const char *key)
{
  return cl_vcard_image_get_schsm (s->image, key);
}

static guint
get_uint (ClVcardSchsm *s, const char *key)
{
  const char *v = get (s, key);

  return v ? (guint)g_ascii_strtoull (v, NULL, 10) : 0;
}

static void
set_uint (ClVcardSchsm *s, const char *key, guint value)
{
  g_autofree char *text = g_strdup_printf ("%u", value);

  cl_vcard_image_set_schsm (s->image, key, text);
}

static GBytes *
get_bytes (ClVcardSchsm *s, const char *key)
{
  const char *v = get (s, key);

  return v ? cl_hex_decode (v, NULL) : NULL;
}

static void
set_bytes (ClVcardSchsm *s, const char *key, const guint8 *data, gsize len)
{
  g_autofree char *hex = cl_hex_encode (data, len);

  cl_vcard_image_set_schsm (s->image, key, hex);
}

static char *
file_key (guint16 fid)
{
  return g_strdup_printf ("file.%04X", fid);
}

static char *
key_key (guint8 id)
{
  return g_strdup_printf ("key.%02X", id);
}

static gboolean
initialized (ClVcardSchsm *s)
{
  return g_strcmp0 (get (s, "initialized"), "true") == 0;
}

static void
commit (ClVcardSchsm *s, gsize n)
{
  cl_vcard_commit (s->session, n);
}

ClVcardSchsm *
cl_vcard_schsm_new (ClVcardSession *session)
{
  ClVcardSchsm *s = g_new0 (ClVcardSchsm, 1);

  s->session = session;
  s->image = cl_vcard_session_get_image (session);
  return s;
}

/* 2F02 holds a whole "device CVC || DICA CVC". A write cut short (card pulled mid-way) leaves it open, so the
 * station can complete it on the next insertion instead of the card being stuck half-certified. */
static gboolean
devaut_complete (ClVcardSchsm *s)
{
  g_autoptr (GBytes) devaut = get_bytes (s, "file.2F02");
  const guint8 *data;
  gsize len, used = 0, more = 0;
  g_autoptr (ClCvc) device = NULL;
  g_autoptr (ClCvc) issuer = NULL;

  if (devaut == NULL)
    return FALSE;
  data = g_bytes_get_data (devaut, &len);
  device = cl_cvc_new_from_data (data, len, &used, NULL);
  if (device == NULL || used >= len)
    return FALSE;
  issuer = cl_cvc_new_from_data (data + used, len - used, &more, NULL);
  return issuer != NULL && used + more == len;
}

void
cl_vcard_schsm_free (ClVcardSchsm *s)
{
  if (s == NULL)
    return;
  /* Leaving the applet ends the window in which C_DevAut can be written, once it holds a whole chain. */
  if (devaut_complete (s) && g_strcmp0 (get (s, "devaut_locked"), "true") != 0)
    {
      cl_vcard_image_set_schsm (s->image, "devaut_locked", "true");
      commit (s, 1);
    }
  g_free (s);
}

void
cl_vcard_schsm_erase (ClVcardImage *image)
{
  cl_vcard_image_clear_schsm (image);
}

ClResponse *
cl_vcard_schsm_select (ClVcardSchsm *s)
{
  /* FCP: 62 { 82 01 78 (DF), 85 proprietary: options(2) version(2) } as OpenSC reads the version off its end */
  static const guint8 fcp[] = { 0x62, 0x0A, 0x82, 0x01, 0x78, 0x85, 0x05, 0x00, 0x00, 0x00, 0x03, 0x05 };

  return cl_vcard_ok (fcp, sizeof fcp);
}

/* ---- keys ---- */

static EVP_PKEY *
load_key (ClVcardSchsm *s, guint8 id)
{
  g_autofree char *k = key_key (id);
  g_autoptr (GBytes) der = get_bytes (s, k);
  const unsigned char *p;

  if (der == NULL)
    return NULL;
  p = g_bytes_get_data (der, NULL);
  return d2i_AutoPrivateKey (NULL, &p, (long)g_bytes_get_size (der));
}

static void
store_key (ClVcardSchsm *s, guint8 id, EVP_PKEY *key)
{
  g_autofree char *k = key_key (id);
  unsigned char *der = NULL;
  int len = i2d_PrivateKey (key, &der);

  if (len > 0)
    set_bytes (s, k, der, (gsize)len);
  OPENSSL_clear_free (der, len > 0 ? (size_t)len : 0);
}

static char *
device_chr (ClVcardSchsm *s)
{
  GBytes *cplc = cl_vcard_image_get_cplc (s->image);
  const guint8 *c = g_bytes_get_data (cplc, NULL);

  /* country "CL", holder "VC" + IC serial, sequence 00001 (15 of the 16 characters a CHR may have): OpenSC's
   * serial is the CHR minus the sequence */
  return g_strdup_printf ("CLVC%02X%02X%02X00001", c[13], c[14], c[15]);
}

/* An authenticated request for key: inner self-signed (proof of possession), outer signed by the device key. */
static GBytes *
build_request (ClVcardSchsm *s, EVP_PKEY *key, ClCvcAlgorithm algorithm, const char *car, const char *chr,
               EVP_PKEY *outer_key, GError **error)
{
  g_autoptr (ClCvcBody) body = cl_cvc_body_new ();
  ClCvcPkeySigner inner = { key, algorithm };
  ClCvcPkeySigner outer = { outer_key, CL_CVC_ALGORITHM_ECDSA_SHA256 };
  g_autofree char *outer_car = NULL;

  body->cpi = 0;
  body->car = g_strdup (car);
  body->chr = g_strdup (chr);
  if (!cl_cvc_body_set_public_key (body, key, algorithm, TRUE, error))
    return NULL;
  if (outer_key == NULL)
    return cl_cvc_request_build (body, cl_cvc_pkey_sign, &inner, NULL, NULL, NULL, error);
  /* Once certified, the requests name the device certificate in 2F02 as their outer CAR. */
  {
    g_autoptr (GBytes) devaut = get_bytes (s, "file.2F02");
    g_autoptr (ClCvc) cert
      = devaut ? cl_cvc_new_from_data (g_bytes_get_data (devaut, NULL), g_bytes_get_size (devaut), NULL, NULL) : NULL;
    outer_car = g_strdup (cert ? cl_cvc_get_chr (cert) : get (s, "device_chr"));
  }
  return cl_cvc_request_build (body, cl_cvc_pkey_sign, &inner, outer_car, cl_cvc_pkey_sign, &outer, error);
}

/* ---- PIN handling ---- */

static ClResponse *
retries_sw (guint left)
{
  return cl_vcard_sw (left == 0 ? SW_AUTH_BLOCKED : (guint16)(0x63C0 | MIN (left, 15)));
}

/* Checks a PIN against the stored one, counting down and resetting the retry counter. */
static ClResponse *
check_secret (ClVcardSchsm *s, const char *value_key, const char *retries_key, guint max, const guint8 *data, gsize len,
              gboolean *ok)
{
  g_autoptr (GBytes) stored = get_bytes (s, value_key);
  guint left = get_uint (s, retries_key);

  *ok = FALSE;
  if (stored == NULL)
    return cl_vcard_sw (SW_REF_NOT_FOUND);
  if (left == 0)
    return cl_vcard_sw (SW_AUTH_BLOCKED);
  if (g_bytes_get_size (stored) != len || !cl_memeq_const (g_bytes_get_data (stored, NULL), data, len))
    {
      set_uint (s, retries_key, left - 1);
      commit (s, 1);
      return retries_sw (left - 1);
    }
  if (left != max)
    {
      set_uint (s, retries_key, max);
      commit (s, 1);
    }
  *ok = TRUE;
  return cl_vcard_sw (SW_OK);
}

static gsize
data_len (const ClApdu *apdu)
{
  return apdu->data ? g_bytes_get_size (apdu->data) : 0;
}

static const guint8 *
data_ptr (const ClApdu *apdu)
{
  return apdu->data ? g_bytes_get_data (apdu->data, NULL) : NULL;
}

static ClResponse *
verify (ClVcardSchsm *s, const ClApdu *apdu)
{
  gboolean ok;
  ClResponse *r;

  if (apdu->p1 != 0x00)
    return cl_vcard_sw (SW_WRONG_P1P2);
  /* other references (biometric templates 85/86) exist on real devices; here they are simply absent */
  if (!initialized (s) || (apdu->p2 != 0x81 && apdu->p2 != 0x88))
    return cl_vcard_sw (SW_REF_NOT_FOUND);
  if (apdu->p2 == 0x88)
    {
      /* SO-PIN: status only, as the SmartCard-HSM has no SO session */
      if (data_len (apdu) == 0)
        return retries_sw (get_uint (s, "so_retries"));
      return check_secret (s, "so_pin", "so_retries", SO_RETRIES_MAX, data_ptr (apdu), data_len (apdu), &ok);
    }
  if (data_len (apdu) == 0)
    {
      guint left = get_uint (s, "pin_retries");
      if (s->pin_verified)
        return cl_vcard_sw (SW_OK);
      return left == 0 ? cl_vcard_sw (SW_AUTH_BLOCKED) : retries_sw (left);
    }
  r = check_secret (s, "pin", "pin_retries", get_uint (s, "pin_max"), data_ptr (apdu), data_len (apdu), &ok);
  s->pin_verified = ok;
  return r;
}

static ClResponse *
change_reference_data (ClVcardSchsm *s, const ClApdu *apdu)
{
  g_autoptr (GBytes) stored = NULL;
  const char *value_key = apdu->p2 == 0x88 ? "so_pin" : "pin";
  const char *retries_key = apdu->p2 == 0x88 ? "so_retries" : "pin_retries";
  guint max = apdu->p2 == 0x88 ? SO_RETRIES_MAX : get_uint (s, "pin_max");
  gsize old_len, new_len;
  gboolean ok;
  ClResponse *r;

  if (apdu->p1 != 0x00 || (apdu->p2 != 0x81 && apdu->p2 != 0x88))
    return cl_vcard_sw (SW_WRONG_P1P2);
  if (!initialized (s))
    return cl_vcard_sw (SW_REF_NOT_FOUND);
  stored = get_bytes (s, value_key);
  old_len = g_bytes_get_size (stored);
  if (data_len (apdu) <= old_len)
    return cl_vcard_sw (SW_WRONG_LENGTH);
  new_len = data_len (apdu) - old_len;
  if ((apdu->p2 == 0x88 && new_len != 8) || new_len < 4 || new_len > 16)
    return cl_vcard_sw (SW_WRONG_LENGTH);
  r = check_secret (s, value_key, retries_key, max, data_ptr (apdu), old_len, &ok);
  if (!ok)
    return r;
  cl_response_free (r);
  set_bytes (s, value_key, data_ptr (apdu) + old_len, new_len);
  commit (s, new_len);
  if (apdu->p2 == 0x81)
    s->pin_verified = TRUE;
  return cl_vcard_sw (SW_OK);
}

static ClResponse *
reset_retry_counter (ClVcardSchsm *s, const ClApdu *apdu)
{
  gboolean ok;
  ClResponse *r;

  if ((apdu->p1 != 0x00 && apdu->p1 != 0x01) || apdu->p2 != 0x81)
    return cl_vcard_sw (SW_WRONG_P1P2);
  if (!initialized (s))
    return cl_vcard_sw (SW_REF_NOT_FOUND);
  if (data_len (apdu) < 8 || (apdu->p1 == 0x01 && data_len (apdu) != 8)
      || (apdu->p1 == 0x00 && (data_len (apdu) < 8 + 4 || data_len (apdu) > 8 + 16)))
    return cl_vcard_sw (SW_WRONG_LENGTH);
  r = check_secret (s, "so_pin", "so_retries", SO_RETRIES_MAX, data_ptr (apdu), 8, &ok);
  if (!ok)
    return r;
  cl_response_free (r);
  if (apdu->p1 == 0x00)
    set_bytes (s, "pin", data_ptr (apdu) + 8, data_len (apdu) - 8);
  set_uint (s, "pin_retries", get_uint (s, "pin_max"));
  commit (s, data_len (apdu));
  return cl_vcard_sw (SW_OK);
}

/* ---- INITIALIZE DEVICE ---- */

static ClResponse *
initialize_device (ClVcardSchsm *s, const ClApdu *apdu)
{
  const guint8 *d = data_ptr (apdu);
  gsize len = data_len (apdu);
  ClTlv options = { 0 }, pin = { 0 }, so = { 0 }, retry = { 0 }, shares = { 0 };
  char *kept[G_N_ELEMENTS (identity_keys)];
  gboolean ok;
  guint max;

  if (apdu->p1 != 0x00 || apdu->p2 != 0x00)
    return cl_vcard_sw (SW_WRONG_P1P2);
  if (d == NULL || !cl_tlv_find (d, len, 0x82, &so, NULL) || so.len != 8)
    return cl_vcard_sw (SW_WRONG_DATA);
  {
    g_autoptr (GArray) all = cl_tlv_parse_all (d, len, NULL);
    if (all == NULL)
      return cl_vcard_sw (SW_WRONG_DATA);
  }
  cl_tlv_find (d, len, 0x80, &options, NULL);
  cl_tlv_find (d, len, 0x81, &pin, NULL);
  cl_tlv_find (d, len, 0x91, &retry, NULL);
  cl_tlv_find (d, len, 0x92, &shares, NULL);
  if (pin.value && (pin.len < 4 || pin.len > 16))
    return cl_vcard_sw (SW_WRONG_DATA);
  if ((retry.value && (retry.len != 1 || retry.value[0] == 0 || retry.value[0] > 10))
      || (shares.value && shares.len != 1) || (options.value && options.len != 2))
    return cl_vcard_sw (SW_WRONG_DATA);

  /* Re-initialisation needs the current initialisation code (SO-PIN), with its own retry counter. */
  if (initialized (s))
    {
      ClResponse *r = check_secret (s, "so_pin", "so_retries", SO_RETRIES_MAX, so.value, so.len, &ok);
      if (!ok)
        return r;
      cl_response_free (r);
    }

  for (guint i = 0; i < G_N_ELEMENTS (identity_keys); i++)
    kept[i] = g_strdup (get (s, identity_keys[i]));
  cl_vcard_image_clear_schsm (s->image);
  for (guint i = 0; i < G_N_ELEMENTS (identity_keys); i++)
    {
      if (kept[i] != NULL)
        cl_vcard_image_set_schsm (s->image, identity_keys[i], kept[i]);
      g_free (kept[i]);
    }
  max = retry.value ? retry.value[0] : 3;
  cl_vcard_image_set_schsm (s->image, "initialized", "true");
  if (options.value)
    set_bytes (s, "options", options.value, options.len);
  if (pin.value)
    set_bytes (s, "pin", pin.value, pin.len);
  set_uint (s, "pin_max", max);
  set_uint (s, "pin_retries", max);
  set_bytes (s, "so_pin", so.value, so.len);
  set_uint (s, "so_retries", SO_RETRIES_MAX);
  set_uint (s, "dkek_shares", shares.value ? shares.value[0] : 0);
  set_uint (s, "dkek_outstanding", shares.value ? shares.value[0] : 0);
  s->pin_verified = FALSE;
  commit (s, 512);
  return cl_vcard_sw (SW_OK);
}

/* ---- GENERATE ASYMMETRIC KEY PAIR ---- */

static ClResponse *
generate_key (ClVcardSchsm *s, const ClApdu *apdu)
{
  const guint8 *d = data_ptr (apdu);
  gsize len = data_len (apdu);
  ClTlv pk, oid, car = { 0 }, chr = { 0 }, t;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) request = NULL;
  g_autofree char *car_text = NULL, *chr_text = NULL;
  EVP_PKEY *key = NULL, *outer = NULL;
  ClCvcAlgorithm algorithm;
  gsize pos = 0;

  if (apdu->p1 == DEVICE_KEY_ID)
    {
      /* the device key: once in the card's life, before any PIN exists (production) */
      g_autofree char *k = key_key (DEVICE_KEY_ID);
      if (get (s, k) != NULL)
        return cl_vcard_sw (SW_CONDITIONS);
    }
  else if (!initialized (s))
    return cl_vcard_sw (SW_CONDITIONS);
  else if (!s->pin_verified)
    return cl_vcard_sw (SW_SECURITY);
  if (d == NULL || !cl_tlv_find (d, len, 0x7F49, &pk, NULL) || !cl_tlv_find (pk.value, pk.len, 0x06, &oid, NULL))
    return cl_vcard_sw (SW_WRONG_DATA);
  cl_tlv_find (d, len, 0x42, &car, NULL);
  cl_tlv_find (d, len, 0x5F20, &chr, NULL);
  algorithm = cl_cvc_algorithm_from_oid (oid.value, oid.len);
  if (algorithm == CL_CVC_ALGORITHM_UNKNOWN)
    return cl_vcard_sw (SW_WRONG_DATA);
  if (cl_vcard_image_get_defects (s->image)->keygen_fail)
    return cl_vcard_sw (SW_UNKNOWN);

  if (cl_cvc_algorithm_is_ecdsa (algorithm))
    {
      g_autoptr (GBytes) p = NULL, a = NULL, b = NULL, g = NULL, n = NULL;
      ClCvcCurve curve;

      while (cl_tlv_read (pk.value, pk.len, &pos, &t, NULL))
        {
          GBytes **slot = t.tag == 0x81   ? &p
                          : t.tag == 0x82 ? &a
                          : t.tag == 0x83 ? &b
                          : t.tag == 0x84 ? &g
                          : t.tag == 0x85 ? &n
                                          : NULL;
          if (slot == NULL)
            continue;
          g_clear_pointer (slot, g_bytes_unref);
          *slot = g_bytes_new (t.value, t.len);
        }
      curve = p ? cl_cvc_curve_identify (p, a, b, g, n) : CL_CVC_CURVE_P256;
      if (curve != CL_CVC_CURVE_P256 && curve != CL_CVC_CURVE_P384 && curve != CL_CVC_CURVE_BRAINPOOL_P256R1)
        return cl_vcard_sw (SW_WRONG_DATA);
      key = EVP_PKEY_Q_keygen (NULL, NULL, "EC", cl_cvc_curve_get_group_name (curve));
    }
  else
    {
      guint bits = 2048;
      if (cl_tlv_find (pk.value, pk.len, 0x02, &t, NULL) && t.len == 2)
        bits = (guint)t.value[0] << 8 | t.value[1];
      if (bits != 2048 && bits != 1024 && bits != 3072)
        return cl_vcard_sw (SW_WRONG_DATA);
      key = EVP_PKEY_Q_keygen (NULL, NULL, "RSA", (size_t)bits);
    }
  if (key == NULL)
    return cl_vcard_sw (SW_UNKNOWN);

  car_text = car.value ? g_strndup ((const char *)car.value, car.len) : NULL;
  chr_text = chr.value ? g_strndup ((const char *)chr.value, chr.len) : g_strdup ("CLVCKEY00001");
  if (apdu->p1 == DEVICE_KEY_ID)
    {
      /* CAR = CHR: the device key vouches for itself until the DICA certifies it */
      g_free (chr_text);
      chr_text = chr.value ? g_strndup ((const char *)chr.value, chr.len) : device_chr (s);
      g_free (car_text);
      car_text = g_strdup (chr_text);
      cl_vcard_image_set_schsm (s->image, "device_chr", chr_text);
      outer = EVP_PKEY_dup (key);
    }
  else
    outer = load_key (s, apdu->p2);
  request = build_request (s, key, algorithm, car_text, chr_text, outer, &error);
  if (request == NULL)
    {
      g_debug ("vcard schsm: key request: %s", error->message);
      EVP_PKEY_free (key);
      EVP_PKEY_free (outer);
      return cl_vcard_sw (SW_UNKNOWN);
    }
  store_key (s, apdu->p1, key);
  if (apdu->p1 == DEVICE_KEY_ID)
    set_bytes (s, "file.CE00", g_bytes_get_data (request, NULL), g_bytes_get_size (request));
  EVP_PKEY_free (key);
  EVP_PKEY_free (outer);
  commit (s, 256);
  return cl_vcard_ok (g_bytes_get_data (request, NULL), g_bytes_get_size (request));
}

/* ---- SIGN ---- */

static ClResponse *
sign (ClVcardSchsm *s, const ClApdu *apdu)
{
  EVP_PKEY *key;
  EVP_PKEY_CTX *ctx = NULL;
  guint8 digest[32];
  const guint8 *tbs = data_ptr (apdu);
  gsize tbs_len = data_len (apdu);
  g_autofree guint8 *sig = NULL;
  size_t sig_len = 0;
  ClResponse *r = NULL;

  if (!s->pin_verified)
    return cl_vcard_sw (SW_SECURITY);
  key = load_key (s, apdu->p1);
  if (key == NULL)
    return cl_vcard_sw (SW_REF_NOT_FOUND);
  switch (apdu->p2)
    {
      case 0x70: /* ECDSA over a hash the host computed */
        break;
      case 0x73: /* ECDSA with SHA-256 */
        cl_sha256 (tbs, tbs_len, digest);
        tbs = digest, tbs_len = sizeof digest;
        break;
      case 0x20: /* RSA raw */
        break;
      default:
        EVP_PKEY_free (key);
        return cl_vcard_sw (SW_WRONG_P1P2);
    }
  if ((apdu->p2 == 0x20) != (EVP_PKEY_get_base_id (key) == EVP_PKEY_RSA) || tbs == NULL || tbs_len == 0)
    {
      EVP_PKEY_free (key);
      return cl_vcard_sw (SW_CONDITIONS);
    }
  ctx = EVP_PKEY_CTX_new (key, NULL);
  if (ctx && EVP_PKEY_sign_init (ctx) > 0
      && (apdu->p2 != 0x20 || EVP_PKEY_CTX_set_rsa_padding (ctx, RSA_NO_PADDING) > 0)
      && EVP_PKEY_sign (ctx, NULL, &sig_len, tbs, tbs_len) > 0)
    {
      sig = g_malloc (sig_len);
      /* the card answers ECDSA as a DER ECDSA-Sig-Value, as OpenSC expects of the SmartCard-HSM */
      if (EVP_PKEY_sign (ctx, sig, &sig_len, tbs, tbs_len) > 0)
        r = cl_vcard_ok (sig, sig_len);
    }
  EVP_PKEY_CTX_free (ctx);
  EVP_PKEY_free (key);
  return r ? r : cl_vcard_sw (SW_WRONG_DATA);
}

/* ---- files ---- */

static const char token_label[] = "SmartCard-HSM";
static const char token_manufacturer[] = "Cardline virtual card";

static void
append_tlv (GByteArray *out, guint8 tag, const void *value, gsize len)
{
  guint8 header[2] = { tag, (guint8)len };

  g_assert (len < 0x80);
  g_byte_array_append (out, header, 2);
  g_byte_array_append (out, value, (guint)len);
}

static GBytes *
wrap_tlv (guint8 tag, GByteArray *content)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();

  append_tlv (out, tag, content->data, content->len);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* EF.DIR: one application template naming the SmartCard-HSM, as pico-hsm answers */
static GBytes *
ef_dir (void)
{
  g_autoptr (GByteArray) app = g_byte_array_new ();

  append_tlv (app, 0x4F, schsm_aid, sizeof schsm_aid);
  append_tlv (app, 0x50, token_label, strlen (token_label));
  return wrap_tlv (0x61, app);
}

/* static token info (PKCS#15 TokenInfo fields: version, serial = IC serial, manufacturer, label, flags) */
static GBytes *
token_info (ClVcardSchsm *s)
{
  g_autoptr (GByteArray) info = g_byte_array_new ();
  const guint8 *cplc = g_bytes_get_data (cl_vcard_image_get_cplc (s->image), NULL);
  static const guint8 version = 0, flags[] = { 0x04, 0x30 };

  append_tlv (info, 0x02, &version, 1);
  append_tlv (info, 0x04, cplc + 12, 4);
  append_tlv (info, 0x0C, token_manufacturer, strlen (token_manufacturer));
  append_tlv (info, 0x80, token_label, strlen (token_label));
  append_tlv (info, 0x03, flags, sizeof flags);
  return wrap_tlv (0x30, info);
}

/* EF.DIR always; the token info while the host has written none */
static gboolean
synthesised (ClVcardSchsm *s, guint16 fid)
{
  g_autofree char *k = file_key (fid);

  return fid == FID_EF_DIR || (fid == FID_TOKEN_INFO && get (s, k) == NULL);
}

/* An EF's content: the stored one, or one the card answers itself. */
static GBytes *
file_content (ClVcardSchsm *s, guint16 fid)
{
  g_autofree char *k = file_key (fid);

  if (!synthesised (s, fid))
    return get_bytes (s, k);
  if (fid == FID_EF_DIR)
    return ef_dir ();
  return token_info (s);
}

static ClResponse *
list_files (ClVcardSchsm *s)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  g_autoptr (GList) keys = cl_vcard_image_get_schsm_keys (s->image);

  keys = g_list_sort (keys, (GCompareFunc)g_strcmp0);
  for (GList *l = keys; l; l = l->next)
    {
      const char *name = l->data;
      guint8 fid[2];
      guint64 v;

      if (g_str_has_prefix (name, "file.") && g_ascii_string_to_unsigned (name + 5, 16, 0, 0xFFFF, &v, NULL))
        fid[0] = (guint8)(v >> 8), fid[1] = (guint8)v;
      else if (g_str_has_prefix (name, "key.") && g_ascii_string_to_unsigned (name + 4, 16, 0, 0xFF, &v, NULL))
        fid[0] = 0xCC, fid[1] = (guint8)v;
      else
        continue;
      g_byte_array_append (out, fid, 2);
    }
  return cl_vcard_ok_array (out);
}

static gboolean
read_offset (const guint8 *d, gsize len, gsize *pos, guint *offset)
{
  ClTlv t;

  if (d == NULL || !cl_tlv_read (d, len, pos, &t, NULL) || t.tag != 0x54 || t.len < 1 || t.len > 2)
    return FALSE;
  *offset = t.len == 2 ? (guint)t.value[0] << 8 | t.value[1] : t.value[0];
  return TRUE;
}

static ClResponse *
read_binary (ClVcardSchsm *s, const ClApdu *apdu)
{
  guint16 fid = (apdu->p1 | apdu->p2) ? (guint16)(apdu->p1 << 8 | apdu->p2) : s->current_fid;
  g_autoptr (GBytes) content = NULL;

  s->current_fid = fid;
  guint offset = 0;
  gsize pos = 0, size, n;

  if ((fid >> 8) == 0xCC)
    return cl_vcard_sw (SW_SECURITY); /* private keys never leave */
  if (data_len (apdu) && !read_offset (data_ptr (apdu), data_len (apdu), &pos, &offset))
    return cl_vcard_sw (SW_WRONG_DATA);
  content = file_content (s, fid);
  if (content == NULL)
    return cl_vcard_sw (SW_FILE_NOT_FOUND);
  size = g_bytes_get_size (content);
  if (offset > size)
    return cl_vcard_sw (SW_WRONG_P1P2);
  /* what is left beyond Ne the host fetches with a further offset */
  n = MIN (size - offset, apdu->ne ? apdu->ne : 256);
  return cl_vcard_ok ((const guint8 *)g_bytes_get_data (content, NULL) + offset, n);
}

static ClResponse *
update_binary (ClVcardSchsm *s, const ClApdu *apdu)
{
  guint16 fid = (apdu->p1 | apdu->p2) ? (guint16)(apdu->p1 << 8 | apdu->p2) : s->current_fid;
  g_autofree char *k = file_key (fid);
  g_autoptr (GBytes) old = NULL;
  g_autoptr (GByteArray) content = g_byte_array_new ();
  const guint8 *d = data_ptr (apdu);
  gsize len = data_len (apdu), pos = 0;
  guint offset;
  ClTlv body;

  s->current_fid = fid;
  if (fid == FID_DEVAUT)
    {
      g_autofree char *device = key_key (DEVICE_KEY_ID);
      if (get (s, device) == NULL || g_strcmp0 (get (s, "devaut_locked"), "true") == 0)
        return cl_vcard_sw (SW_CONDITIONS);
    }
  else if (!initialized (s))
    return cl_vcard_sw (SW_CONDITIONS);
  else if (!s->pin_verified)
    return cl_vcard_sw (SW_SECURITY);
  if ((fid >> 8) == 0xCC || fid == FID_DEVICE_REQ || fid == FID_EF_DIR)
    return cl_vcard_sw (SW_CONDITIONS);
  if (!read_offset (d, len, &pos, &offset) || !cl_tlv_read (d, len, &pos, &body, NULL) || body.tag != 0x53
      || pos != len)
    return cl_vcard_sw (SW_WRONG_DATA);
  if (offset + body.len > 0x7FFF)
    return cl_vcard_sw (SW_NOT_ENOUGH_MEMORY);
  old = get_bytes (s, k);
  if (old)
    g_byte_array_append (content, g_bytes_get_data (old, NULL), (guint)g_bytes_get_size (old));
  if (offset > content->len)
    return cl_vcard_sw (SW_WRONG_P1P2);
  /* writing at offset 0 starts the file over, as OpenSC writes whole files that may have shrunk */
  g_byte_array_set_size (content, offset == 0 ? (guint)body.len : MAX (content->len, offset + (guint)body.len));
  /* an empty write to an empty file leaves content->data NULL, and NULL + 0 is undefined */
  if (body.len > 0)
    memcpy (content->data + offset, body.value, body.len);
  set_bytes (s, k, content->data, content->len);
  commit (s, body.len);
  return cl_vcard_sw (SW_OK);
}

static ClResponse *
delete_file (ClVcardSchsm *s, const ClApdu *apdu)
{
  const guint8 *d = data_ptr (apdu);
  g_autofree char *k = NULL;

  if (!s->pin_verified)
    return cl_vcard_sw (SW_SECURITY);
  if (apdu->p1 != 0x02 || apdu->p2 != 0x00 || data_len (apdu) != 2)
    return cl_vcard_sw (SW_WRONG_P1P2);
  if (d[0] == 0xCC)
    k = key_key (d[1]);
  else
    k = file_key ((guint16)(d[0] << 8 | d[1]));
  if ((d[0] == 0xCC && d[1] == DEVICE_KEY_ID) || (d[0] == 0x2F && d[1] == 0x02) || (d[0] == 0x2F && d[1] == 0x00)
      || (d[0] == 0xCE && d[1] == 0x00))
    return cl_vcard_sw (SW_CONDITIONS);
  if (get (s, k) == NULL)
    return cl_vcard_sw (SW_FILE_NOT_FOUND);
  cl_vcard_image_set_schsm (s->image, k, NULL);
  commit (s, 2);
  return cl_vcard_sw (SW_OK);
}

static ClResponse *
select_file (ClVcardSchsm *s, const ClApdu *apdu)
{
  const guint8 *d = data_ptr (apdu);
  g_autofree char *k = NULL;
  guint8 fcp[] = { 0x62, 0x08, 0x82, 0x01, 0x01, 0x83, 0x02, 0x00, 0x00 };

  if (data_len (apdu) == 0 || (data_len (apdu) == 2 && d[0] == 0x3F && d[1] == 0x00))
    return cl_vcard_schsm_select (s);
  if (data_len (apdu) != 2)
    return cl_vcard_sw (SW_FILE_NOT_FOUND);
  k = d[0] == 0xCC ? key_key (d[1]) : file_key ((guint16)(d[0] << 8 | d[1]));
  if (get (s, k) == NULL && !synthesised (s, (guint16)(d[0] << 8 | d[1])))
    return cl_vcard_sw (SW_FILE_NOT_FOUND);
  s->current_fid = (guint16)(d[0] << 8 | d[1]);
  if ((apdu->p2 & 0x0C) == 0x0C)
    return cl_vcard_sw (SW_OK);
  /* FCP without a size: EFs grow as they are written, and OpenSC refuses to write past a size it was told */
  fcp[7] = d[0], fcp[8] = d[1];
  return cl_vcard_ok (fcp, sizeof fcp);
}

/* ---- DKEK ---- */

static ClResponse *
import_dkek_share (ClVcardSchsm *s, const ClApdu *apdu)
{
  g_autoptr (GBytes) dkek = NULL;
  guint8 value[32] = { 0 };
  guint8 out[10];
  guint8 hash[32];
  guint total = get_uint (s, "dkek_shares");
  guint outstanding = get_uint (s, "dkek_outstanding");

  if (!initialized (s))
    return cl_vcard_sw (SW_CONDITIONS);
  if (apdu->p1 != 0x00 || apdu->p2 != 0x00)
    return cl_vcard_sw (SW_WRONG_P1P2);
  dkek = get_bytes (s, "dkek");
  if (dkek && g_bytes_get_size (dkek) == 32)
    memcpy (value, g_bytes_get_data (dkek, NULL), 32);
  if (data_len (apdu) != 0)
    {
      if (data_len (apdu) != 32)
        return cl_vcard_sw (SW_WRONG_LENGTH);
      if (outstanding == 0)
        return cl_vcard_sw (SW_CONDITIONS);
      for (guint i = 0; i < 32; i++)
        value[i] ^= data_ptr (apdu)[i];
      set_bytes (s, "dkek", value, 32);
      set_uint (s, "dkek_outstanding", --outstanding);
      commit (s, 33);
    }
  out[0] = (guint8)total;
  out[1] = (guint8)outstanding;
  cl_sha256 (value, 32, hash);
  memcpy (out + 2, hash, 8);
  cl_wipe (value, sizeof value);
  /* always with a check value: OpenSC's driver asserts 10 bytes even when no DKEK is configured */
  return cl_vcard_ok (out, sizeof out);
}

/* ---- dispatch ---- */

ClResponse *
cl_vcard_schsm_process (ClVcardSchsm *s, const ClApdu *apdu)
{
  if (apdu->cla != 0x00 && apdu->cla != 0x80)
    return cl_vcard_sw (SW_CLA_NOT_SUPPORTED);
  switch (apdu->ins)
    {
      case 0xA4:
        return select_file (s, apdu);
      case 0x50:
        return initialize_device (s, apdu);
      case 0x20:
        return verify (s, apdu);
      case 0x24:
        return change_reference_data (s, apdu);
      case 0x2C:
        return reset_retry_counter (s, apdu);
      case 0x46:
        return generate_key (s, apdu);
      case 0x68:
        return sign (s, apdu);
      case 0x58:
        return list_files (s);
      case 0xB1:
        return read_binary (s, apdu);
      case 0xD7:
        return update_binary (s, apdu);
      case 0xE4:
        return delete_file (s, apdu);
      case 0x52:
        return import_dkek_share (s, apdu);
      case 0x84:
        {
          guint8 challenge[256];
          gsize n = apdu->ne ? MIN (apdu->ne, sizeof challenge) : 8;
          cl_vcard_random (s->session, challenge, n);
          return cl_vcard_ok (challenge, n);
        }
      default:
        return cl_vcard_sw (SW_INS_NOT_SUPPORTED);
    }
}
