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
host-derivation=false

[applet]
cap-file=caps/sc-hsm.cap
package-aid=E82B0601040181C31F0201
applet-aid=E82B0601040181C31F0201
instance-aid=E82B0601040181C31F0201
privileges=00
delete-before-load=true

[initialize]
ship=initialised
pin-export-key=customer.pem
options=0001
pin-source=fixed
pin-length=6
pin=648219
so-pin-source=fixed
so-pin=3537363231383830
retry-counter=3

[certificate]
holder-reference=DECL{batch}{seq:05}
dica-key-label=DICA
dica-cvc=certs/dica.cvc
srca-cvc=certs/srca.cvc
