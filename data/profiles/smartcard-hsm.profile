# Reference profile: SmartCard-HSM tokens on JCOP-class cards over SCP03 (DESIGN §2).
# Demo values: key labels and versions match what `cardline-admin` loads into the demo token
# (KST/30, KMC/01, DICA) and what the virtual card is manufactured with (tests/sim: KST version 30, i 70).
# PINs are random per card (pin-source=random); fixed PINs are allowed only in a profile marked demo=true.

[profile]
name=smartcard-hsm
description=SmartCard-HSM token, SCP03 (AES-128), card-unique keys, device certificate under the demo DICA
# seconds a card may take from feed to eject
card-timeout=60

[card]
# NXP JCOP v2.4.1 ATR (the rig's virtual card); the mask ignores the TCK
atr=3BF81300008131FE454A434F507632343100
atr-mask=FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00
isd-aid=A000000151000000

[secure-channel]
scp=03
# C-MAC, C-DEC, R-MAC, R-ENC
level=33
i=70

[keys]
kst-label=KST
kst-version=30
kst-type=aes
kmc-label=KMC
kmc-version=01
card-key-version=01
# KDF3 as GlobalPlatform tools (GlobalPlatformPro's "kdf3") and key services compute it from the KMC and the
# card's KDD: AES-CMAC(KMC, n 00 00 00 kt 00 KDD), so the issuer can manage the cards with other tools too.
# PKCS#11 (SoftHSM2) has no AES-CMAC key derivation: the CMAC runs in the token and the card key is assembled in
# host memory for an instant, under this audited opt-in (the audit trail records it per batch). diversification=
# aes-ecb keeps everything inside the token but is a Cardline-specific scheme (docs/diversification.md).
diversification=kdf3
host-derivation=true
put-key-inner-length=true

[configure]
# GP STORE DATA (BER-TLV, here a 9F6E card data object) and the card life cycle to reach (0F SECURED)
store-data=9F6E0A434C44454D4F30303031
life-cycle=0F

[applet]
# STAND-IN for the demo: the published helloworld applet repackaged with the SmartCard-HSM AIDs
# (data/demo/make-schsm-cap.py). The rig's virtual card emulates the SmartCard-HSM behind those AIDs; a real
# card needs the vendor's SmartCard-HSM CAP file here.
cap-file=demo/smartcard-hsm-standin.cap
# The SmartCard-HSM package and instance AIDs (as the stand-in CAP and the virtual card carry them).
package-aid=E82B0601040181C31F02
applet-aid=E82B0601040181C31F0201
instance-aid=E82B0601040181C31F0201
privileges=00
install-params=
delete-before-load=true

[initialize]
# Shipped uninitialised, as SmartCard-HSMs usually are: the customer sets SO-PIN and PIN with
# `sc-hsm-tool --initialize`. The device key and its certificate are made here and survive that initialisation.
# ship=initialised instead runs INITIALIZE DEVICE here (options, pin-source, pin-length, so-pin-source,
# retry-counter, dkek-shares ...) and needs pin-export-key: the PINs reach the customer only through the export.
ship=uninitialised

[certificate]
# DE + the chip's IC serial number (8 hex digits) + 00001, the device key's sequence number: OpenSC shows the
# CHR without its last 5 characters as the token serial, so each token's serial is its chip's
holder-reference=DE{chip:8}00001
dica-key-label=DICA
# relative: in the station's PKI directory ($CARDLINE_PKI_DIR), where `cardline-admin demo-setup` writes them
dica-cvc=dica.cvc
srca-cvc=srca.cvc
validity-days=3650

[face]
template=faces/default.face
