// Lane-parallel sorting networks of the coordinate-wise rules (see CKernels.h and
// Sources/Sim/Robust/ColumnNetworks.swift, whose Swift path computes the same bits).
#include "CKernels.h"
#include "internal.h"

#include <math.h>

#if GW_X86

// Each block of 16 columns occupies `size` positions of 16 Floats in the scratch, blocks one
// position apart (a stride of size + 1 positions: at a power-of-two stride the same position of
// two blocks would be 4 KiB apart, and the CPU's store-to-load check mistakes such addresses for
// one another). B blocks go through one comparator loop, so that every comparator index pair is
// loaded once for B independent min/max pairs and one block's store-to-load chains overlap with
// the other blocks' work.

#define GW_NETWORK_BODY(B, LOAD, LOADTAIL, ISNAN, STORE, SPLAT, MIN, MAX, VEC, HALVES)                 \
    uint32_t nan = 0;                                                                                  \
    for (int b = 0; b < (B); b++) {                                                                    \
        float *s = scratch + (int64_t)b * (size + 1) * 16;                                                \
        int64_t col = k + 16 * b;                                                                      \
        int lanes = columns - 16 * b;                                                                  \
        if (lanes > 16) lanes = 16;                                                                    \
        int bad = 0;                                                                                   \
        for (int r = 0; r < n; r++) {                                                                  \
            const float *p = x + rowOffsets[r] + col;                                                  \
            if (ahead > 0) _mm_prefetch((const char *)(p + ahead), _MM_HINT_T0);                       \
            for (int h = 0; h < (HALVES); h++) {                                                       \
                VEC v = lanes >= 16 ? LOAD(p + h * (16 / (HALVES)))                                    \
                                    : LOADTAIL(p + h * (16 / (HALVES)), lanes - h * (16 / (HALVES)));  \
                bad |= ISNAN(v);                                                                       \
                STORE(s + r * 16 + h * (16 / (HALVES)), v);                                           \
            }                                                                                          \
        }                                                                                              \
        if (bad) nan |= 1u << b;                                                                       \
        VEC inf = SPLAT(INFINITY);                                                                     \
        for (int r = n; r < size; r++)                                                                 \
            for (int h = 0; h < (HALVES); h++) STORE(s + r * 16 + h * (16 / (HALVES)), inf);           \
    }                                                                                                  \
    GW_COMPARE(B, 0, LOAD, STORE, MIN, MAX, VEC, HALVES)                                               \
    return nan;

// The comparators from `from` on, B blocks per pass over the list.
#define GW_COMPARE(B, FROM, LOAD, STORE, MIN, MAX, VEC, HALVES)                                        \
    for (int t = (FROM); t < pairs; t++) {                                                             \
        int i = network[2 * t] * 16, j = network[2 * t + 1] * 16;                                      \
        for (int b = 0; b < (B); b++) {                                                                \
            float *s = scratch + (int64_t)b * (size + 1) * 16;                                         \
            for (int h = 0; h < (HALVES); h++) {                                                       \
                int o = h * (16 / (HALVES));                                                           \
                VEC a = LOAD(s + i + o), c = LOAD(s + j + o);                                          \
                STORE(s + i + o, MIN(a, c));                                                           \
                STORE(s + j + o, MAX(c, a));                                                           \
            }                                                                                          \
        }                                                                                              \
    }

// AVX-512: one zmm per position. MIN(a, c) = a < c ? a : c and MAX(c, a) = c > a ? c : a, the
// Swift path's select on a < c (equal values, ±0 included, keep their places).
#define A5_LOAD(p) _mm512_loadu_ps(p)
#define A5_TAIL(p, m) _mm512_maskz_loadu_ps((__mmask16)((1u << (m)) - 1u), p)
#define A5_ISNAN(v) (_mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q) != 0)
#define A5_STORE(p, v) _mm512_storeu_ps(p, v)

#define GW_A5(B)                                                                                       \
    GW_AVX512 static uint32_t network512_##B(const float *x, const int64_t *rowOffsets, int n, int size, \
        int64_t k, int columns, const int32_t *network, int pairs, float *scratch, int ahead) {        \
        GW_NETWORK_BODY(B, A5_LOAD, A5_TAIL, A5_ISNAN, A5_STORE, _mm512_set1_ps, _mm512_min_ps,       \
                        _mm512_max_ps, __m512, 1)                                                      \
    }
GW_A5(1)
GW_A5(2)
GW_A5(4)

// AVX-512 with the network's first four Batcher stages in registers: those comparators only ever
// pair positions inside one aligned group of 16, so each group's 16 rows are loaded straight into
// 16 zmm registers, sorted there by the full 16-position Batcher network (63 comparators; the ones
// the caller's list dropped met +∞ padding and change nothing) and stored once. Only the
// comparators from `prefix` on then run through the scratch.
static const int8_t sort16Pairs[126] = {
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 2, 1, 3, 4, 6, 5, 7, 8, 10, 9, 11, 12, 14,
    13, 15, 1, 2, 5, 6, 9, 10, 13, 14, 0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14, 11, 15, 2, 4, 3, 5,
    10, 12, 11, 13, 1, 2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 14, 0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6,
    14, 7, 15, 4, 8, 5, 9, 6, 10, 7, 11, 2, 4, 3, 5, 6, 8, 7, 9, 10, 12, 11, 13, 1, 2, 3, 4, 5, 6, 7, 8,
    9, 10, 11, 12, 13, 14};

GW_AVX512 static inline __attribute__((always_inline)) void sort16(__m512 *v) {
#pragma GCC unroll 64
    for (int t = 0; t < 63; t++) {
        int i = sort16Pairs[2 * t], j = sort16Pairs[2 * t + 1];
        __m512 a = v[i], c = v[j];
        v[i] = _mm512_min_ps(a, c);
        v[j] = _mm512_max_ps(c, a);
    }
}

#define GW_A5R(B)                                                                                      \
    GW_AVX512 static uint32_t registers512_##B(const float *x, const int64_t *rowOffsets, int n, int size, \
        int64_t k, int columns, const int32_t *network, int pairs, float *scratch, int ahead, int prefix) { \
        uint32_t nan = 0;                                                                              \
        __m512 inf = _mm512_set1_ps(INFINITY);                                                         \
        for (int b = 0; b < (B); b++) {                                                                \
            float *s = scratch + (int64_t)b * (size + 1) * 16;                                         \
            int64_t col = k + 16 * b;                                                                  \
            int lanes = columns - 16 * b;                                                              \
            __mmask16 mask = lanes >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << lanes) - 1u);        \
            __mmask16 bad = 0;                                                                         \
            for (int g = 0; g < size; g += 16) {                                                       \
                if (g >= n) {                                                                          \
                    for (int q = 0; q < 16; q++) _mm512_store_ps(s + (g + q) * 16, inf);               \
                    continue;                                                                          \
                }                                                                                      \
                __m512 v[16];                                                                          \
                for (int q = 0; q < 16; q++) {                                                         \
                    if (g + q < n) {                                                                   \
                        const float *p = x + rowOffsets[g + q] + col;                                  \
                        if (ahead > 0) _mm_prefetch((const char *)(p + ahead), _MM_HINT_T0);           \
                        v[q] = _mm512_maskz_loadu_ps(mask, p);                                         \
                        bad |= _mm512_cmp_ps_mask(v[q], v[q], _CMP_UNORD_Q);                           \
                    } else {                                                                           \
                        v[q] = inf;                                                                    \
                    }                                                                                  \
                }                                                                                      \
                sort16(v);                                                                             \
                for (int q = 0; q < 16; q++) _mm512_store_ps(s + (g + q) * 16, v[q]);                  \
            }                                                                                          \
            if (bad) nan |= 1u << b;                                                                   \
        }                                                                                              \
        GW_COMPARE(B, prefix, A5_LOAD, A5_STORE, _mm512_min_ps, _mm512_max_ps, __m512, 1)              \
        return nan;                                                                                    \
    }
GW_A5R(1)
GW_A5R(2)
GW_A5R(4)

// AVX2: two ymm per position, the same comparisons on each half.
GW_AVX2 static inline __m256 a2_tail(const float *p, int m) {
    if (m <= 0) return _mm256_setzero_ps();
    __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(m), idx);
    return _mm256_maskload_ps(p, mask);
}
#define A2_LOAD(p) _mm256_loadu_ps(p)
#define A2_ISNAN(v) (_mm256_movemask_ps(_mm256_cmp_ps(v, v, _CMP_UNORD_Q)) != 0)
#define A2_STORE(p, v) _mm256_storeu_ps(p, v)

#define GW_A2(B)                                                                                       \
    GW_AVX2 static uint32_t network256_##B(const float *x, const int64_t *rowOffsets, int n, int size,  \
        int64_t k, int columns, const int32_t *network, int pairs, float *scratch, int ahead) {        \
        GW_NETWORK_BODY(B, A2_LOAD, a2_tail, A2_ISNAN, A2_STORE, _mm256_set1_ps, _mm256_min_ps,       \
                        _mm256_max_ps, __m256, 2)                                                      \
    }
GW_A2(1)
GW_A2(2)
GW_A2(4)

#endif

int gw_network_blocks(int size) {
    return size <= 128 ? 4 : (size <= 256 ? 2 : 1);
}

int64_t gw_network_sort(const float *x, const int64_t *rowOffsets, int n, int size, int64_t k, int columns,
                        const int32_t *network, int pairs, float *scratch, int ahead, int prefix) {
#if GW_X86
    int blocks = (columns + 15) / 16;
    int level = gw_simd_level();
    if (blocks < 1 || blocks > 4 || n < 1 || n > size || prefix < 0 || prefix > pairs) return -1;
    if (((uintptr_t)scratch & 63) != 0) return -1;
    if (level >= 3 && prefix > 0 && size >= 16) {
        switch (blocks) {
        case 1: return registers512_1(x, rowOffsets, n, size, k, columns, network, pairs, scratch, ahead, prefix);
        case 2: return registers512_2(x, rowOffsets, n, size, k, columns, network, pairs, scratch, ahead, prefix);
        default:
            if (blocks == 4) return registers512_4(x, rowOffsets, n, size, k, columns, network, pairs, scratch, ahead, prefix);
            break;
        }
    } else if (level >= 3) {
        switch (blocks) {
        case 1: return network512_1(x, rowOffsets, n, size, k, columns, network, pairs, scratch, ahead);
        case 2: return network512_2(x, rowOffsets, n, size, k, columns, network, pairs, scratch, ahead);
        default:
            if (blocks == 4) return network512_4(x, rowOffsets, n, size, k, columns, network, pairs, scratch, ahead);
            break;
        }
    } else if (level >= 2) {
        switch (blocks) {
        case 1: return network256_1(x, rowOffsets, n, size, k, columns, network, pairs, scratch, ahead);
        case 2: return network256_2(x, rowOffsets, n, size, k, columns, network, pairs, scratch, ahead);
        default:
            if (blocks == 4) return network256_4(x, rowOffsets, n, size, k, columns, network, pairs, scratch, ahead);
            break;
        }
    } else {
        return -1;
    }
    // Three blocks (a ragged end): two, then one.
    int64_t first = gw_network_sort(x, rowOffsets, n, size, k, 32, network, pairs, scratch, ahead, prefix);
    int64_t last = gw_network_sort(x, rowOffsets, n, size, k + 32, columns - 32, network, pairs,
                                   scratch + (int64_t)2 * (size + 1) * 16, ahead, prefix);
    return first | (last << 2);
#else
    (void)x; (void)rowOffsets; (void)n; (void)size; (void)k; (void)columns;
    (void)network; (void)pairs; (void)scratch; (void)ahead; (void)prefix;
    return -1;
#endif
}

#if GW_X86
GW_AVX512 static void laneSums512(const float *s, int lo, int hi, double *out) {
    __m512d a = _mm512_setzero_pd(), b = _mm512_setzero_pd();
    for (int p = lo; p < hi; p++) {
        a = _mm512_add_pd(a, _mm512_cvtps_pd(_mm256_loadu_ps(s + p * 16)));
        b = _mm512_add_pd(b, _mm512_cvtps_pd(_mm256_loadu_ps(s + p * 16 + 8)));
    }
    _mm512_storeu_pd(out, a);
    _mm512_storeu_pd(out + 8, b);
}

GW_AVX2 static void laneSums256(const float *s, int lo, int hi, double *out) {
    __m256d a[4] = {_mm256_setzero_pd(), _mm256_setzero_pd(), _mm256_setzero_pd(), _mm256_setzero_pd()};
    for (int p = lo; p < hi; p++)
        for (int q = 0; q < 4; q++) a[q] = _mm256_add_pd(a[q], _mm256_cvtps_pd(_mm_loadu_ps(s + p * 16 + 4 * q)));
    for (int q = 0; q < 4; q++) _mm256_storeu_pd(out + 4 * q, a[q]);
}
#endif

bool gw_lane_sums(const float *block, int lo, int hi, double *out) {
#if GW_X86
    int level = gw_simd_level();
    if (level >= 3) { laneSums512(block, lo, hi, out); return true; }
    if (level >= 2) { laneSums256(block, lo, hi, out); return true; }
#endif
    (void)block; (void)lo; (void)hi; (void)out;
    return false;
}
