// Centred Float tiles for the Float Gram route of CAF (see CKernels.h and
// Sources/Sim/Robust/RobustKernels+FloatGram.swift, whose Swift loop computes the same bits).
#include "CKernels.h"
#include "internal.h"

#include <math.h>

/// The row's last columns from `from` (scalar), and its maximum: NaN if it holds one, else the larger
/// of `m` (the vector part's) and theirs.
static float centerTail(const float *src, float *dst, const double *center, int from, int width, float m, bool sawNaN) {
    for (int c = from; c < width; c++) {
        float v = center != NULL ? (float)((double)src[c] - center[c]) : src[c];
        dst[c] = v;
        if (v != v) sawNaN = true;
        else if (fabsf(v) > m) m = fabsf(v);
    }
    return sawNaN ? NAN : m;
}

#if GW_X86
GW_AVX512 static void centerTile512(const float *x, int64_t ld, int n, int width, const double *center,
                                    float *tile, float *rowMax) {
    __m512 signless = _mm512_castsi512_ps(_mm512_set1_epi32(0x7fffffff));
    for (int i = 0; i < n; i++) {
        const float *src = x + (int64_t)i * ld;
        float *dst = tile + (int64_t)i * width;
        __m512 top = _mm512_setzero_ps();
        __mmask16 nan = 0;
        int c = 0;
        for (; c + 16 <= width; c += 16) {
            __m512 v = _mm512_loadu_ps(src + c);
            if (center != NULL) {
                __m256 lo = _mm512_cvtpd_ps(_mm512_sub_pd(_mm512_cvtps_pd(_mm512_castps512_ps256(v)), _mm512_loadu_pd(center + c)));
                __m256 hi = _mm512_cvtpd_ps(_mm512_sub_pd(
                    _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1))), _mm512_loadu_pd(center + c + 8)));
                v = _mm512_insertf32x8(_mm512_castps256_ps512(lo), hi, 1);
            }
            _mm512_storeu_ps(dst + c, v);
            top = _mm512_max_ps(top, _mm512_and_ps(v, signless));
            nan |= _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
        }
        float m = _mm512_reduce_max_ps(top);
        bool sawNaN = nan != 0;
        rowMax[i] = centerTail(src, dst, center, c, width, m, sawNaN);
    }
}

GW_AVX2 static void centerTile256(const float *x, int64_t ld, int n, int width, const double *center,
                                  float *tile, float *rowMax) {
    __m256 signless = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    for (int i = 0; i < n; i++) {
        const float *src = x + (int64_t)i * ld;
        float *dst = tile + (int64_t)i * width;
        __m256 top = _mm256_setzero_ps();
        int nan = 0;
        int c = 0;
        for (; c + 8 <= width; c += 8) {
            __m256 v = _mm256_loadu_ps(src + c);
            if (center != NULL) {
                __m128 lo = _mm256_cvtpd_ps(_mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)), _mm256_loadu_pd(center + c)));
                __m128 hi = _mm256_cvtpd_ps(_mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)), _mm256_loadu_pd(center + c + 4)));
                v = _mm256_insertf128_ps(_mm256_castps128_ps256(lo), hi, 1);
            }
            _mm256_storeu_ps(dst + c, v);
            top = _mm256_max_ps(top, _mm256_and_ps(v, signless));
            nan |= _mm256_movemask_ps(_mm256_cmp_ps(v, v, _CMP_UNORD_Q));
        }
        float lanes[8];
        _mm256_storeu_ps(lanes, top);
        float m = 0;
        for (int l = 0; l < 8; l++) m = lanes[l] > m ? lanes[l] : m;
        bool sawNaN = nan != 0;
        rowMax[i] = centerTail(src, dst, center, c, width, m, sawNaN);
    }
}
#endif

bool gw_center_tile(const float *x, int64_t ld, int n, int width, const double *center, float *tile, float *rowMax) {
#if GW_X86
    int level = gw_simd_level();
    if (level >= 3) { centerTile512(x, ld, n, width, center, tile, rowMax); return true; }
    if (level >= 2) { centerTile256(x, ld, n, width, center, tile, rowMax); return true; }
#endif
    (void)x; (void)ld; (void)n; (void)width; (void)center; (void)tile; (void)rowMax;
    return false;
}
