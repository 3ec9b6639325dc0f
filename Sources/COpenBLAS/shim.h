#ifndef GRADWIRE_COPENBLAS_SHIM_H
#define GRADWIRE_COPENBLAS_SHIM_H
#include <cblas.h>
/* Declared by OpenBLAS's cblas.h; repeated here so the module exposes it even if a header differs. */
void openblas_set_num_threads(int num_threads);
#endif
