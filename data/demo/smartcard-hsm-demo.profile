# The demo line's profile: SmartCard-HSM tokens on the virtual cards of the rig (SCP03, AES-128).
# Read by lib/production (ClProductionConfig); relative paths are relative to this file.
[profile]
name=smartcard-hsm-demo
description=SmartCard-HSM emulation on cardline-vcard cards, demo keys and demo PKI

[card]
# The virtual card's ATR; the mask keeps the historical bytes' product name and ignores the rest.
atr=3BF81300008131FE454A434F5076323431B7
atr_mask=FFFFFFFFFFFFFFFFFF000000000000000000
isd_aid=A000000151000000
timeout=60

[scp]
version=03
level=03

[keys]
kst=KST
kst_version=30
kmc=KMC
kmc_version=01
card_version=31
diversification=aes-ecb
put_key_inner_length=true

[configure]
# GP STORE DATA blocks (BER-TLV) and the card life cycle to reach (0F SECURED); both optional.
store_data=9F6E0A434C44454D4F30303031
life_cycle=0F

[applet]
cap=smartcard-hsm-standin.cap
load_file_aid=E82B0601040181C31F02
module_aid=E82B0601040181C31F0201
application_aid=E82B0601040181C31F0201
privileges=00
delete_previous=true

[init]
options=0001
# Demo values: a real profile takes them from the batch's PIN policy (mailer), never from a file.
user_pin=648219
so_pin=3537363231383830
retry_counter=3
dkek_shares=-1

[certify]
dica_key=DICA
dica_cvc=dica.cvc
srca_cvc=srca.cvc
# Where dica_cvc and srca_cvc are when relative: $CARDLINE_PKI_DIR, else this directory (cardline-admin
# demo-setup writes them there).
#pki_dir=
# {serial}: the chip's IC serial number (CPLC) in 8 hex digits. OpenSC's serial is the CHR minus its last 5.
chr_pattern=CL{serial}00001
validity_days=3650
