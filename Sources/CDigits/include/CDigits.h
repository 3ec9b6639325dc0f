#ifndef GRADWIRE_CDIGITS_H
#define GRADWIRE_CDIGITS_H

/// The bytes of the bundled digits.csv.gz (gzip-compressed CSV, 1,797 rows of 64 pixels + label).
const unsigned char *gradwire_digits_csv_gz(void);
/// Its length in bytes.
unsigned long gradwire_digits_csv_gz_size(void);

#endif
