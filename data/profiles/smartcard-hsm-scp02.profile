# SmartCard-HSM tokens on cards that speak SCP02 only (3DES). Otherwise as smartcard-hsm.profile.
# Demo values: KST/30 as a two-key 3DES set, KMC/01 (3DES), EMV CPS diversification, i 55.

[profile]
name=smartcard-hsm-scp02
description=SmartCard-HSM token, SCP02 (3DES), EMV-diversified card keys
card-timeout=60

[card]
atr=3BF81300008131FE454A434F507632343100
atr-mask=FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00
isd-aid=A000000151000000

[secure-channel]
scp=02
# C-MAC and C-DEC
level=03
i=55

[keys]
kst-label=KST2
kst-version=30
kst-type=des3
kmc-label=KMC2
kmc-version=01
card-key-version=01
diversification=emv
# Opt-in (audited per batch): SCP02 PUT KEY sends the card keys 3DES-ECB-encrypted under the session DEK, and
# SoftHSM2 cannot wrap 3DES keys. The card key is then computed by C_Encrypt with KMC2 in the token and held in
# locked host memory for an instant; KMC2 itself never leaves the token. A token that wraps 3DES keys does not use it.
host-derivation=true

[applet]
# STAND-IN for the demo: the published helloworld applet repackaged with the SmartCard-HSM AIDs
# (data/demo/make-schsm-cap.py). The rig's virtual card emulates the SmartCard-HSM behind those AIDs; a real
# card needs the vendor's SmartCard-HSM CAP file here.
cap-file=demo/smartcard-hsm-standin.cap
package-aid=E82B0601040181C31F02
applet-aid=E82B0601040181C31F0201
instance-aid=E82B0601040181C31F0201
privileges=00
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
