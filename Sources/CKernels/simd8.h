// Eight Double lanes (`D8`) and their operations for the kernel bodies compiled once per instruction
// set (linear_impl.h, rows_impl.h, through per_isa.h, which defines GW_ISA: the name suffix, GW_TARGET:
// the target attribute, and GW_WIDE: 1 for one zmm register, 0 for two ymm registers, which changes
// nothing per lane). The body's end undefines FN, D8, INL, GW_CAT and GW_CAT2.

#define GW_CAT2(a, b) a##_##b
#define GW_CAT(a, b) GW_CAT2(a, b)
#define FN(name) GW_CAT(name, GW_ISA)
#define D8 FN(d8)
#define INL static inline __attribute__((always_inline)) GW_TARGET

// MARK: - Eight Double lanes and eight Float lanes

#if GW_WIDE
typedef __m512d D8;
INL D8 FN(dzero)(void) { return _mm512_setzero_pd(); }
INL D8 FN(dset)(double v) { return _mm512_set1_pd(v); }
INL D8 FN(dload)(const double *p) { return _mm512_loadu_pd(p); }
INL void FN(dstore)(double *p, D8 v) { _mm512_storeu_pd(p, v); }
INL D8 FN(dadd)(D8 a, D8 b) { return _mm512_add_pd(a, b); }
INL D8 FN(dsub)(D8 a, D8 b) { return _mm512_sub_pd(a, b); }
INL D8 FN(dmul)(D8 a, D8 b) { return _mm512_mul_pd(a, b); }
INL D8 FN(ddiv)(D8 a, D8 b) { return _mm512_div_pd(a, b); }
INL D8 FN(widen)(__m256 f) { return _mm512_cvtps_pd(f); }
INL __m256 FN(narrow)(D8 v) { return _mm512_cvtpd_ps(v); }
#else
typedef struct { __m256d lo, hi; } D8;
INL D8 FN(dzero)(void) { D8 r = {_mm256_setzero_pd(), _mm256_setzero_pd()}; return r; }
INL D8 FN(dset)(double v) { D8 r = {_mm256_set1_pd(v), _mm256_set1_pd(v)}; return r; }
INL D8 FN(dload)(const double *p) { D8 r = {_mm256_loadu_pd(p), _mm256_loadu_pd(p + 4)}; return r; }
INL void FN(dstore)(double *p, D8 v) { _mm256_storeu_pd(p, v.lo); _mm256_storeu_pd(p + 4, v.hi); }
INL D8 FN(dadd)(D8 a, D8 b) { D8 r = {_mm256_add_pd(a.lo, b.lo), _mm256_add_pd(a.hi, b.hi)}; return r; }
INL D8 FN(dsub)(D8 a, D8 b) { D8 r = {_mm256_sub_pd(a.lo, b.lo), _mm256_sub_pd(a.hi, b.hi)}; return r; }
INL D8 FN(dmul)(D8 a, D8 b) { D8 r = {_mm256_mul_pd(a.lo, b.lo), _mm256_mul_pd(a.hi, b.hi)}; return r; }
INL D8 FN(ddiv)(D8 a, D8 b) { D8 r = {_mm256_div_pd(a.lo, b.lo), _mm256_div_pd(a.hi, b.hi)}; return r; }
INL D8 FN(widen)(__m256 f) {
    D8 r = {_mm256_cvtps_pd(_mm256_castps256_ps128(f)), _mm256_cvtps_pd(_mm256_extractf128_ps(f, 1))};
    return r;
}
INL __m256 FN(narrow)(D8 v) { return _mm256_set_m128(_mm256_cvtpd_ps(v.hi), _mm256_cvtpd_ps(v.lo)); }
#endif

/// Swift's `RobustKernels.lanesSum`: ((a0 + a4) + (a2 + a6)) + ((a1 + a5) + (a3 + a7)).
INL double FN(lanes_sum)(D8 v) {
    double a[8];
    FN(dstore)(a, v);
    return ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]));
}

INL __m256 FN(fload)(const float *p) { return _mm256_loadu_ps(p); }
