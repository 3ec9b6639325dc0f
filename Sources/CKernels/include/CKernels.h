// Runtime-dispatched SIMD kernels of the robust aggregation rules (x86-64 AVX-512 and AVX2).
//
// Swift builds for the baseline x86-64 target (SSE2), and per-function target attributes are a C
// feature, so the hot loops that gain from wide vectors live here, each compiled once per
// instruction set and chosen at run time from the CPU's features. Every kernel has a Swift
// counterpart in `Sim` that computes the same bits (same operations in the same order per value):
// that path runs where no kernel applies (other CPUs, GRADWIRE_SIMD=0) and is the tests' oracle.
// See docs/simd-kernels.md.
#ifndef GRADWIRE_CKERNELS_H
#define GRADWIRE_CKERNELS_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The instruction set the kernels use: 0 none (callers take their Swift path), 2 AVX2, 3 AVX-512.
/// Read once; the environment variable GRADWIRE_SIMD caps it (0, 2 or 3) for comparisons and tests.
int gw_simd_level(void);

/// Lowers the level for the rest of the process (tests compare both paths); never raises it above
/// what the CPU supports. Returns the level now in force.
int gw_simd_set_level(int level);

// MARK: BLAS

/// Before the process's first BLAS call: when a DYNAMIC_ARCH OpenBLAS fell back to its generic
/// "Prescott" kernels on a CPU with AVX2 or AVX-512 (a model newer than the library), re-selects the
/// matching core ("SkylakeX", "Haswell", "Sandybridge") through OPENBLAS_CORETYPE and
/// gotoblas_dynamic_init. Leaves the library alone when OPENBLAS_CORETYPE is set, when it chose
/// another core, or when it lacks those entry points. Writes the core in force to `name` (empty
/// when unknown). Returns 1 when it switched, 0 when it left the library alone, -1 when the
/// re-initialisation did not give the wanted core. Not thread-safe: call it once, first.
int gw_blas_select_core(char *name, int capacity);

// MARK: networks

/// Blocks of 16 columns `gw_network_sort` handles per call for a network on `size` positions
/// (1, 2 or 4: several blocks share one pass over the comparators).
int gw_network_blocks(int size);

/// Sorts, per the comparator list `network` (`pairs` (i, j) pairs, i < j: min to i, max to j), the
/// columns k ..< k + columns (at most 16 · gw_network_blocks(size)) of the n rows starting at the
/// element offsets `rowOffsets` of `x`. Block b (16 columns) lands at scratch + b · (size + 1) · 16,
/// position p of lane l at [p · 16 + l]; positions n ..< size hold +∞ and lanes past `columns` 0.
/// `ahead` > 0 prefetches that many Floats ahead in every row. `prefix` > 0 says that the first
/// `prefix` comparators are exactly Batcher's first four stages (each aligned group of 16 positions
/// sorted) less comparators against +∞ padding: the AVX-512 kernel then sorts those groups in
/// registers. `scratch` must be 64-byte aligned. Returns a bit mask of the blocks holding a NaN
/// (their order is unspecified), or −1 when no kernel applies (Swift path).
int64_t gw_network_sort(const float *x, const int64_t *rowOffsets, int n, int size, int64_t k, int columns,
                        const int32_t *network, int pairs, float *scratch, int ahead, int prefix);

/// out[l] = Σ_{p = lo}^{hi − 1} (double) block[p · 16 + l] for the 16 lanes, in position order.
/// Returns false when no kernel applies (Swift path).
bool gw_lane_sums(const float *block, int lo, int hi, double *out);

// MARK: Gram tiles

/// tile[i · width + c] = (float)((double)x[i · ld + c] − center[c]) (x[i · ld + c] when center is
/// NULL) for n rows, and rowMax[i] = the largest |tile| value of row i, NaN if the row holds a NaN.
/// Returns false when no kernel applies (Swift path, same values).
bool gw_center_tile(const float *x, int64_t ld, int n, int width, const double *center, float *tile, float *rowMax);

// MARK: rows

/// out[i] = Σ over 2048-column blocks (in order) of the eight-lane sum (lanes combined
/// ((0+4)+(2+6))+((1+5)+(3+7))) of (x_ik − v_k)² (`squares`; v NULL for 0) or x_ik · v_k, each block's
/// last width mod 8 columns added one by one: `RobustKernels.rowReduce` for n rows of d Floats.
bool gw_row_reduce(const float *x, int64_t n, int64_t d, const double *vector, bool squares, double *out);

/// out[k] = ((0 + t_0) + t_1) + … with t_q = ((double)x[rows[q] · d + k] − center_k) · weights_q
/// (center / weights NULL: none), q in order: `RobustKernels.accumulate`. rows are row indices.
bool gw_accumulate(const float *x, int64_t d, const int64_t *rows, int64_t m, const double *weights,
                   const double *center, double *out);
/// `RobustKernels.sumOfDisjointRows` on Float rows: output row r has the members
/// rows[starts[r] ..< starts[r + 1]]; out[k] = Σ_r v_r(k) from 0 in r order, v_r = (double)(x ⊗ (float)f_r)
/// when exact[r] (one member, Float-exact factor), else t = Σ members in Double (in order), · f_r when
/// scaled[r], rounded to Float when scaled or with several members.
bool gw_sum_groups(const float *x, int64_t d, const int64_t *rows, const int32_t *starts, int64_t groups,
                   const double *factors, const uint8_t *scaled, const uint8_t *exact, double *out);

// MARK: linear rules

/// Σ of `count` Floats in vector lanes (any order, not a rule's order): the one-pass memory-read
/// ceiling the linear rules are judged against (benchmarks). A scalar loop at level 0.
float gw_sum_floats(const float *values, int64_t count);

/// The mean of n rows of d Floats (row-major): out_k = (float)((((0 + x_0k) + x_1k) + …) · (1/n)) in
/// Double, rows in order — `RobustKernels.meanOfRows` rounded to Float. Every `bool` kernel here
/// returns false, writing nothing, when gw_simd_level() < 2 (or n, d ≤ 0, or scratch memory is not
/// available): the caller then runs its Swift path, which gives the same bits.
bool gw_mean_rows(const float *x, int64_t n, int64_t d, float *out);

/// out_k = (float)(scale · Σ_i (double)(x_ik ⊗ factors_i)) with Float products, summed from 0 in row
/// order (factor 1 for an unscaled row): the mean of clipped rows (`sumOfDisjointRows`).
bool gw_scaled_mean(const float *x, int64_t n, int64_t d, const float *factors, double scale, float *out);

/// Each row's squared norm as `RobustKernels.clipSquaredNorm` computes it (Float squares in eight
/// lanes per 64-column block carried in Double; blocks out of Float's range redone in Double).
bool gw_clip_squared_norms(const float *x, int64_t n, int64_t d, double *out);

/// Static clipping at threshold c, then the mean: rows with ‖x_i‖ > c scaled by (float)(c / ‖x_i‖)
/// (norms as gw_clip_squared_norms), as gw_scaled_mean with scale 1/n.
bool gw_clipped_mean(const float *x, int64_t n, int64_t d, double c, float *out);

/// One centered-clipping step: w_i = min(1, τ / ‖x_i − c‖) (1 when the distance is 0; distances as
/// `RobustKernels.rowSquaredDistances`), then v_k + (Σ_i (x_ik − c_k) · w_i) / n with rows in order.
/// center: c, or NULL for zero (then x − c is x); v: NULL for +0 everywhere. Writes the result to
/// next (d Doubles) and/or out (rounded to Float); either may be NULL.
bool gw_centered_clipping_step(const float *x, int64_t n, int64_t d, const double *center, const double *v,
                               double tau, double *next, float *out);

#ifdef __cplusplus
}
#endif

#endif
