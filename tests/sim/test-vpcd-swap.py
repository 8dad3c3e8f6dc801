#!/usr/bin/python3
"""vpcd-swap: a card put in right after a torn card's SCardDisconnect is seen by pcscd.

A client holding a card that vanishes gets a failed transmit and disconnects with SCARD_UNPOWER_CARD; pcscd 1.9.9
then marks the reader absent itself, outside its reader thread, which still counts the card as present. A card that
reaches vpcd before that thread's next poll (every 400 ms) is polled as "still present": pcscd never powers it nor
reports it, and the reader stays empty for every client. The simulated card notices (polled three times, never powered)
and is put in again (tests/sim/cl-vpcd-link.c). Every round here makes that race: card A torn under a connected
client, the disconnect, card B started at once; B must be reported present and answer, within a bounded wait.

    test-vpcd-swap.py CARDLINE-TESTCARD      (under rig-run --readers 1 --parts pcsc)
"""
import os
import signal
import subprocess
import sys
import time

from smartcard import scard

ROUNDS = 8
# bounds on the waits for pcscd's events; they only guard a hang, nothing waits for them to pass
EVENT_TIMEOUT_MS = 10000
SELECT = [0x00, 0xA4, 0x04, 0x00, 0x08, 0xF0, 0x43, 0x4C, 0x54, 0x45, 0x53, 0x54, 0x01]


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def check(rv, what):
    if rv != scard.SCARD_S_SUCCESS:
        fail("%s: %s" % (what, scard.SCardGetErrorMessage(rv)))


def wait_state(context, reader, want_present, what):
    """Waits (SCardGetStatusChange, bounded) until pcscd reports the reader with a card or empty."""
    deadline = time.monotonic() + EVENT_TIMEOUT_MS / 1000
    current = scard.SCARD_STATE_UNAWARE
    while True:
        left = int((deadline - time.monotonic()) * 1000)
        if left <= 0:
            fail("%s: pcscd did not report the reader %s within %d ms"
                 % (what, "with a card" if want_present else "empty", EVENT_TIMEOUT_MS))
        rv, states = scard.SCardGetStatusChange(context, left, [(reader, current)])
        if rv == scard.SCARD_E_TIMEOUT:
            continue
        check(rv, what)
        event = states[0][1]
        present = bool(event & scard.SCARD_STATE_PRESENT)
        if present == want_present:
            return
        current = event & ~scard.SCARD_STATE_CHANGED


def insert(testcard, port):
    return subprocess.Popen([testcard, "--port", str(port)])


def pull(card):
    card.send_signal(signal.SIGTERM)
    card.wait(timeout=EVENT_TIMEOUT_MS / 1000)


def connect_and_select(context, reader, what):
    rv, card, _ = scard.SCardConnect(context, reader, scard.SCARD_SHARE_SHARED,
                                     scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1)
    check(rv, what + ": SCardConnect")
    rv, response = scard.SCardTransmit(card, scard.SCARD_PCI_T1, SELECT)
    check(rv, what + ": SELECT")
    if response[-2:] != [0x90, 0x00]:
        fail("%s: SELECT answered %s" % (what, bytes(response).hex()))
    return card


def main():
    testcard = sys.argv[1]
    port = int(os.environ["CARDLINE_VPCD_PORTS"].split(",")[0])
    reader = os.environ["CARDLINE_READER_NAMES"].split(",")[0]
    rv, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    check(rv, "SCardEstablishContext")

    card = insert(testcard, port)
    try:
        wait_state(context, reader, True, "the first card")
        for n in range(1, ROUNDS + 1):
            handle = connect_and_select(context, reader, "round %d, card A" % n)
            pull(card)
            # the card is gone under the client: its transmit fails, and it lets go with SCARD_UNPOWER_CARD
            rv, _ = scard.SCardTransmit(handle, scard.SCARD_PCI_T1, SELECT)
            if rv == scard.SCARD_S_SUCCESS:
                fail("round %d: a transmit to the pulled card succeeded" % n)
            scard.SCardDisconnect(handle, scard.SCARD_UNPOWER_CARD)
            # card B at once, before pcscd's reader thread polls again
            card = insert(testcard, port)
            wait_state(context, reader, True, "round %d, card B put in after the torn card" % n)
            handle = connect_and_select(context, reader, "round %d, card B" % n)
            scard.SCardDisconnect(handle, scard.SCARD_LEAVE_CARD)
            print("ok: round %d: card B seen and answering after card A was torn" % n)
    finally:
        if card.poll() is None:
            pull(card)
    scard.SCardReleaseContext(context)


if __name__ == "__main__":
    main()
