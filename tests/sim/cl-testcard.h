/* cl-testcard.h: what cardline-testcard answers, for the tests that talk to it. */
#pragma once

/* T=1, historical bytes "Cardline", TCK. */
#define CL_TESTCARD_DEFAULT_ATR "3B888001436172646C696E6533"
/* A proprietary AID (RID F0...): "CLTEST" 01. SELECT of any other AID answers 6A82. */
#define CL_TESTCARD_AID "F0434C5445535401"
