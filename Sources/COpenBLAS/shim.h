#ifndef GRADWIRE_COPENBLAS_SHIM_H
#define GRADWIRE_COPENBLAS_SHIM_H
#include <stddef.h>
#include <cblas.h>
/* Declared by OpenBLAS's cblas.h; repeated here so the module exposes it even if a header differs. */
void openblas_set_num_threads(int num_threads);
/* LAPACK's symmetric eigensolver (MRRR), shipped inside libopenblas; Fortran calling convention with
   the hidden lengths of the three character arguments last. */
void dsyevr_(const char *jobz, const char *range, const char *uplo, const int *n, double *a, const int *lda,
             const double *vl, const double *vu, const int *il, const int *iu, const double *abstol,
             int *m, double *w, double *z, const int *ldz, int *isuppz, double *work, const int *lwork,
             int *iwork, const int *liwork, int *info, size_t jobz_len, size_t range_len, size_t uplo_len);
#endif
