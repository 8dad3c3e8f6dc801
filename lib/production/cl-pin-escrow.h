/* cl-pin-escrow.h: a card's random SO-PIN (and random user PIN) sealed to the batch customer's public key, so
 * that the store keeps them only in a form the station itself cannot open.
 *
 * Scheme: CMS (RFC 5652) AuthEnvelopedData, AES-256-GCM content encryption, one recipient: RSA keys as
 * KeyTransRecipientInfo with RSA-OAEP (SHA-256), EC keys as KeyAgreeRecipientInfo (ephemeral-static ECDH,
 * OpenSSL's default KDF and AES key wrap). The recipient is named by issuer and serial of a certificate the station
 * makes for the customer's key (CN "Cardline PIN export recipient", signed by a throw-away key: only its public key
 * and name matter). Plaintext (ASCII):
 *   chip-id: <chip id>\nso-pin: <16 hex digits>\n[pin: <digits>\n]
 * The chip id inside binds the PINs to their card. The customer opens one with
 *   openssl cms -decrypt -inform DER -in record.der -inkey customer-key.pem
 * (cardline-admin batch export-pins writes the records of a batch, base64, one per line). */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CL_TYPE_PIN_ESCROW (cl_pin_escrow_get_type ())
G_DECLARE_FINAL_TYPE (ClPinEscrow, cl_pin_escrow, CL, PIN_ESCROW, GObject)

/* path: a PEM public key (RSA of at least 2048 bits, or EC) or a PEM certificate holding one.
 * CL_ERROR_INVALID_ARGUMENT naming the file when it is neither. */
ClPinEscrow *cl_pin_escrow_new_from_file (const char *path, GError **error);
/* SHA-256 of the key's SubjectPublicKeyInfo, 64 lower-case hex digits: names the customer key in store and audit. */
const char *cl_pin_escrow_get_recipient (ClPinEscrow *self);
/* The DER envelope of so_pin (8 bytes) and pin (may be NULL: not included). The plaintext is wiped. */
GBytes *cl_pin_escrow_seal (ClPinEscrow *self, const char *chip_id, GBytes *so_pin, GBytes *pin, GError **error);

G_END_DECLS
