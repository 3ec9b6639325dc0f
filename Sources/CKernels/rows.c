// Row reductions (norms, distances, dot products), weighted row sums, grouped sums and centred Gram
// tiles on Float rows: the kernels of `RobustKernels.rowReduce`, `accumulate`, `sumOfDisjointRows`
// and `centerTile` (see rows_impl.h and CKernels.h): geometric median, MoNNA, centered clipping's
// distances, means and weighted means of chosen rows, bucketing's fused mean, CAF's covariance.
#include "CKernels.h"
#include "internal.h"

#include <math.h>

#define GW_IMPL "rows_impl.h"
#include "per_isa.h"

bool gw_row_reduce(const float *x, int64_t n, int64_t d, const double *vector, bool squares, double *out) {
#if GW_X86
    if (n < 0 || d < 0 || (!squares && vector == NULL)) return false;
    int level = gw_simd_level();
    if (level >= 3) { row_reduce_avx512(x, n, d, vector, squares, out); return true; }
    if (level >= 2) { row_reduce_avx2(x, n, d, vector, squares, out); return true; }
#endif
    (void)x; (void)n; (void)d; (void)vector; (void)squares; (void)out;
    return false;
}

bool gw_accumulate(const float *x, int64_t d, const int64_t *rows, int64_t m, const double *weights,
                   const double *center, double *out) {
#if GW_X86
    if (d < 0 || m < 0) return false;
    int level = gw_simd_level();
    if (level >= 3) { accumulate_avx512(x, d, rows, m, weights, center, out); return true; }
    if (level >= 2) { accumulate_avx2(x, d, rows, m, weights, center, out); return true; }
#endif
    (void)x; (void)d; (void)rows; (void)m; (void)weights; (void)center; (void)out;
    return false;
}

bool gw_sum_groups(const float *x, int64_t d, const int64_t *rows, const int32_t *starts, int64_t groups,
                   const double *factors, const uint8_t *scaled, const uint8_t *exact, double *out) {
#if GW_X86
    if (d < 0 || groups < 0) return false;
    int level = gw_simd_level();
    if (level >= 3) { sum_groups_avx512(x, d, rows, starts, groups, factors, scaled, exact, out); return true; }
    if (level >= 2) { sum_groups_avx2(x, d, rows, starts, groups, factors, scaled, exact, out); return true; }
#endif
    (void)x; (void)d; (void)rows; (void)starts; (void)groups; (void)factors; (void)scaled; (void)exact; (void)out;
    return false;
}

bool gw_center_tile(const float *x, int64_t ld, int n, int width, const double *center, float *tile, float *rowMax) {
#if GW_X86
    int level = gw_simd_level();
    if (level >= 3) { center_tile_avx512(x, ld, n, width, center, tile, rowMax); return true; }
    if (level >= 2) { center_tile_avx2(x, ld, n, width, center, tile, rowMax); return true; }
#endif
    (void)x; (void)ld; (void)n; (void)width; (void)center; (void)tile; (void)rowMax;
    return false;
}
