# Reference profile: SmartCard-HSM tokens on JCOP-class cards over SCP03 (DESIGN §2).
# Demo values: key labels and versions match what `cardline-admin` loads into the demo token
# (KST/30, KMC/01, DICA) and what the virtual card is manufactured with (tests/sim: KST version 30, i 70).
# The fixed PIN and SO-PIN below are the well-known SmartCard-HSM demo values; a production profile uses
# pin-source=random. They are never written to the store or a log.

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
# derived inside the token (CKM_AES_ECB_ENCRYPT_DATA); kdf3 would need host-derivation=true
diversification=aes-ecb
host-derivation=false

[applet]
cap-file=caps/sc-hsm.cap
# The package AID is the one the rig's virtual card recognises as the SmartCard-HSM (tests/sim/vcard).
package-aid=E82B0601040181C31F0201
applet-aid=E82B0601040181C31F0201
instance-aid=E82B0601040181C31F0201
privileges=00
install-params=
delete-before-load=true

[initialize]
ship=initialised
pin-export-key=customer.pem
# 0001: RESET RETRY COUNTER with the SO-PIN allowed
options=0001
pin-source=fixed
pin-length=6
pin=648219
so-pin-source=fixed
so-pin=3537363231383830
retry-counter=3
dkek-shares=1

[certificate]
# DE + CL + batch name + 5-digit sequence in the batch
holder-reference=DECL{batch}{seq:05}
dica-key-label=DICA
dica-cvc=certs/dica.cvc
srca-cvc=certs/srca.cvc

[face]
template=faces/smartcard-hsm.svg
