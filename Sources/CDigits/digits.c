// The scikit-learn digits data set, compressed, compiled into the binary so that every process
// has it wherever the executable is copied (no resource bundle to ship). See README.md.
#include "CDigits.h"

#pragma clang diagnostic ignored "-Wc23-extensions"

static const unsigned char digits_csv_gz[] = {
#embed "digits.csv.gz"
};

const unsigned char *gradwire_digits_csv_gz(void) { return digits_csv_gz; }
unsigned long gradwire_digits_csv_gz_size(void) { return sizeof(digits_csv_gz); }
