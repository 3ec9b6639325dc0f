// Kernel bodies of the row reductions and weighted row sums (rows.c), compiled once per
// instruction set: rows.c defines ROWS_ISA (name suffix), ROWS_TARGET (target attribute) and
// ROWS_WIDE (1: 512-bit registers) and includes this file twice.
//
// Each value is computed with the operations and order of the Swift path it replaces
// (`RobustKernels.rowReduce`, `accumulate`): eight Double lanes are one zmm or
// two ymm registers, which changes nothing per lane; no fused multiply-add.

#define ROWS_CAT2(a, b) a##_##b
#define ROWS_CAT(a, b) ROWS_CAT2(a, b)
#define RFN(name) ROWS_CAT(name, ROWS_ISA)
#define RINL static inline __attribute__((always_inline)) ROWS_TARGET

#if ROWS_WIDE
typedef __m512d RFN(v8);
RINL RFN(v8) RFN(zero)(void) { return _mm512_setzero_pd(); }
RINL RFN(v8) RFN(splat)(double v) { return _mm512_set1_pd(v); }
RINL RFN(v8) RFN(loadd)(const double *p) { return _mm512_loadu_pd(p); }
RINL void RFN(stored)(double *p, RFN(v8) v) { _mm512_storeu_pd(p, v); }
RINL RFN(v8) RFN(add)(RFN(v8) a, RFN(v8) b) { return _mm512_add_pd(a, b); }
RINL RFN(v8) RFN(sub)(RFN(v8) a, RFN(v8) b) { return _mm512_sub_pd(a, b); }
RINL RFN(v8) RFN(mul)(RFN(v8) a, RFN(v8) b) { return _mm512_mul_pd(a, b); }
RINL RFN(v8) RFN(wide)(const float *p) { return _mm512_cvtps_pd(_mm256_loadu_ps(p)); }
#else
typedef struct { __m256d lo, hi; } RFN(v8);
RINL RFN(v8) RFN(zero)(void) { RFN(v8) r = {_mm256_setzero_pd(), _mm256_setzero_pd()}; return r; }
RINL RFN(v8) RFN(splat)(double v) { RFN(v8) r = {_mm256_set1_pd(v), _mm256_set1_pd(v)}; return r; }
RINL RFN(v8) RFN(loadd)(const double *p) { RFN(v8) r = {_mm256_loadu_pd(p), _mm256_loadu_pd(p + 4)}; return r; }
RINL void RFN(stored)(double *p, RFN(v8) v) { _mm256_storeu_pd(p, v.lo); _mm256_storeu_pd(p + 4, v.hi); }
RINL RFN(v8) RFN(add)(RFN(v8) a, RFN(v8) b) { RFN(v8) r = {_mm256_add_pd(a.lo, b.lo), _mm256_add_pd(a.hi, b.hi)}; return r; }
RINL RFN(v8) RFN(sub)(RFN(v8) a, RFN(v8) b) { RFN(v8) r = {_mm256_sub_pd(a.lo, b.lo), _mm256_sub_pd(a.hi, b.hi)}; return r; }
RINL RFN(v8) RFN(mul)(RFN(v8) a, RFN(v8) b) { RFN(v8) r = {_mm256_mul_pd(a.lo, b.lo), _mm256_mul_pd(a.hi, b.hi)}; return r; }
RINL RFN(v8) RFN(widen8)(__m256 f) {
    RFN(v8) r = {_mm256_cvtps_pd(_mm256_castps256_ps128(f)), _mm256_cvtps_pd(_mm256_extractf128_ps(f, 1))};
    return r;
}
RINL RFN(v8) RFN(wide)(const float *p) { return RFN(widen8)(_mm256_loadu_ps(p)); }
#endif

/// `RobustKernels.lanesSum`: ((a0 + a4) + (a2 + a6)) + ((a1 + a5) + (a3 + a7)).
RINL double RFN(lanes)(RFN(v8) v) {
    double a[8];
    RFN(stored)(a, v);
    return ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]));
}

/// One 2048-column block of one row (`rowReduce`): eight lanes of (x − c)² or x · c, lanesSum, then
/// the block's last (width mod 8) columns one by one.
RINL double RFN(block)(const float *p, const double *c, int width, bool squares) {
    int end = width & ~7;
    RFN(v8) a = RFN(zero)();
    if (squares) {
        for (int k = 0; k < end; k += 8) {
            RFN(v8) u = RFN(wide)(p + k);
            if (c != NULL) u = RFN(sub)(u, RFN(loadd)(c + k));
            a = RFN(add)(a, RFN(mul)(u, u));
        }
    } else {
        for (int k = 0; k < end; k += 8) a = RFN(add)(a, RFN(mul)(RFN(wide)(p + k), RFN(loadd)(c + k)));
    }
    double s = RFN(lanes)(a);
    for (int k = end; k < width; k++) {
        if (squares) {
            double t = (double)p[k] - (c != NULL ? c[k] : 0.0);
            s += t * t;
        } else {
            s += (double)p[k] * c[k];
        }
    }
    return s;
}

static ROWS_TARGET void RFN(row_reduce)(const float *x, int64_t n, int64_t d, const double *c, bool squares, double *out) {
    int64_t i = 0;
    // Four rows at a time: four independent lane chains (each row still sums in its own order).
    for (; i + 4 <= n; i += 4) {
        double total[4] = {0.0, 0.0, 0.0, 0.0};
        for (int64_t k0 = 0; k0 < d; k0 += 2048) {
            int width = (int)(d - k0 < 2048 ? d - k0 : 2048);
            int end = width & ~7;
            const double *cb = c != NULL ? c + k0 : NULL;
            RFN(v8) a[4] = {RFN(zero)(), RFN(zero)(), RFN(zero)(), RFN(zero)()};
            for (int k = 0; k < end; k += 8) {
                if ((k & 15) == 0)
                    for (int r = 0; r < 4; r++) _mm_prefetch((const char *)(x + (i + r) * d + k0 + k + 512), _MM_HINT_T0);
                RFN(v8) cv = cb != NULL ? RFN(loadd)(cb + k) : RFN(zero)();
                for (int r = 0; r < 4; r++) {
                    RFN(v8) u = RFN(wide)(x + (i + r) * d + k0 + k);
                    if (squares) {
                        if (cb != NULL) u = RFN(sub)(u, cv);
                        a[r] = RFN(add)(a[r], RFN(mul)(u, u));
                    } else {
                        a[r] = RFN(add)(a[r], RFN(mul)(u, cv));
                    }
                }
            }
            for (int r = 0; r < 4; r++) {
                const float *p = x + (i + r) * d + k0;
                double s = RFN(lanes)(a[r]);
                for (int k = end; k < width; k++) {
                    if (squares) {
                        double t = (double)p[k] - (cb != NULL ? cb[k] : 0.0);
                        s += t * t;
                    } else {
                        s += (double)p[k] * cb[k];
                    }
                }
                total[r] += s;
            }
        }
        for (int r = 0; r < 4; r++) out[i + r] = total[r];
    }
    for (; i < n; i++) {
        const float *row = x + i * d;
        double total = 0.0;
        for (int64_t k0 = 0; k0 < d; k0 += 2048) {
            int width = (int)(d - k0 < 2048 ? d - k0 : 2048);
            total += RFN(block)(row + k0, c != NULL ? c + k0 : NULL, width, squares);
        }
        out[i] = total;
    }
}

/// out[k] = ((0 + t_0) + t_1) + … with t_q = (x_{rows[q], k} − c_k) · w_q, rows in order
/// (`accumulate`); columns in blocks of 1024 (an 8 KiB accumulator block in L1).
static ROWS_TARGET void RFN(accumulate)(const float *x, int64_t d, const int64_t *rows, int64_t m,
                                        const double *weights, const double *c, double *out) {
    // Rows in groups of four, each group added over the whole row into the d-long accumulator: four
    // long sequential streams at a time, prefetched 2 KiB ahead (the traversal linear.c measured
    // best for sums; docs/simd-kernels.md). The order per coordinate is unchanged.
    int64_t end = d & ~(int64_t)7;
    for (int64_t k = 0; k < d; k++) out[k] = 0.0;
    for (int64_t q0 = 0; q0 < m; q0 += 4) {
        int count = (int)(m - q0 < 4 ? m - q0 : 4);
        const float *p[4];
        RFN(v8) w[4];
        for (int q = 0; q < count; q++) {
            p[q] = x + rows[q0 + q] * d;
            w[q] = RFN(splat)(weights != NULL ? weights[q0 + q] : 1.0);
        }
        for (int64_t k = 0; k < end; k += 8) {
            if ((k & 15) == 0)
                for (int q = 0; q < count; q++) _mm_prefetch((const char *)(p[q] + k + 512), _MM_HINT_T0);
            RFN(v8) s = RFN(loadd)(out + k);
            RFN(v8) cv = c != NULL ? RFN(loadd)(c + k) : RFN(zero)();
            for (int q = 0; q < count; q++) {
                RFN(v8) t = RFN(wide)(p[q] + k);
                if (c != NULL) t = RFN(sub)(t, cv);
                if (weights != NULL) t = RFN(mul)(t, w[q]);
                s = RFN(add)(s, t);
            }
            RFN(stored)(out + k, s);
        }
        for (int64_t k = end; k < d; k++) {
            double s = out[k];
            for (int q = 0; q < count; q++) {
                double t = (double)p[q][k];
                if (c != NULL) t -= c[k];
                if (weights != NULL) t *= weights[q0 + q];
                s += t;
            }
            out[k] = s;
        }
    }
}

/// One output row's value v_r at columns k ..< k + 8 from its members' row pointers (see `sum_groups`).
RINL RFN(v8) RFN(group_value)(const float *const *members, int count, int64_t k, RFN(v8) factor, float single,
                              bool scaled, bool exact) {
#if ROWS_WIDE
    if (exact) return _mm512_cvtps_pd(_mm256_mul_ps(_mm256_loadu_ps(members[0] + k), _mm256_set1_ps(single)));
#else
    if (exact) return RFN(widen8)(_mm256_mul_ps(_mm256_loadu_ps(members[0] + k), _mm256_set1_ps(single)));
#endif
    RFN(v8) t = RFN(wide)(members[0] + k);
    for (int q = 1; q < count; q++) t = RFN(add)(t, RFN(wide)(members[q] + k));
    if (scaled) t = RFN(mul)(t, factor);
    if (!scaled && count == 1) return t;
#if ROWS_WIDE
    return _mm512_cvtps_pd(_mm512_cvtpd_ps(t));
#else
    RFN(v8) r = {_mm256_cvtps_pd(_mm256_cvtpd_ps(t.lo)), _mm256_cvtps_pd(_mm256_cvtpd_ps(t.hi))};
    return r;
#endif
}

/// The same value for one column, in scalar arithmetic.
RINL double RFN(group_scalar)(const float *const *members, int count, int64_t k, double factor, bool scaled, bool exact) {
    if (exact) return (double)(members[0][k] * (float)factor);
    double t = (double)members[0][k];
    for (int q = 1; q < count; q++) t += (double)members[q][k];
    if (scaled) t *= factor;
    return scaled || count > 1 ? (double)(float)t : t;
}

/// out[k] = Σ_r v_r(k) from 0 in output-row order (`sumOfDisjointRows`): output rows are taken over
/// the whole row, as many per pass as keep at most four member rows in flight (`accumulate`'s
/// traversal), their member pointers and flags in locals.
static ROWS_TARGET void RFN(sum_groups)(const float *x, int64_t d, const int64_t *rows, const int32_t *starts, int64_t groups,
                                        const double *factors, const uint8_t *scaled, const uint8_t *exact, double *out) {
    enum { STREAMS = 4, GROUPS = 4, MEMBERS = 8 };
    int64_t end = d & ~(int64_t)7;
    for (int64_t k = 0; k < d; k++) out[k] = 0.0;
    for (int64_t r0 = 0; r0 < groups;) {
        const float *mem[GROUPS][MEMBERS];
        int cnt[GROUPS];
        double fac[GROUPS];
        RFN(v8) fv[GROUPS];
        float fs[GROUPS];
        bool sc[GROUPS], ex[GROUPS];
        int count = 0, streams = 0;
        while (count < GROUPS && r0 + count < groups) {
            int64_t g = r0 + count;
            int first = starts[g], members = starts[g + 1] - first;
            if (members > MEMBERS || (count > 0 && streams + members > STREAMS)) break;
            for (int q = 0; q < members; q++) mem[count][q] = x + rows[first + q] * d;
            cnt[count] = members;
            fac[count] = factors[g];
            fv[count] = RFN(splat)(factors[g]);
            fs[count] = (float)factors[g];
            sc[count] = scaled[g] != 0;
            ex[count] = exact[g] != 0;
            streams += members;
            count += 1;
        }
        if (count == 0) {
            // A group of more than eight members: one column at a time.
            int64_t g = r0;
            int first = starts[g], members = starts[g + 1] - first;
            for (int64_t k = 0; k < d; k++) {
                double t;
                if (exact[g]) {
                    t = (double)(x[rows[first] * d + k] * (float)factors[g]);
                } else {
                    t = (double)x[rows[first] * d + k];
                    for (int q = first + 1; q < first + members; q++) t += (double)x[rows[q] * d + k];
                    if (scaled[g]) t *= factors[g];
                    if (scaled[g] || members > 1) t = (double)(float)t;
                }
                out[k] += t;
            }
            r0 += 1;
            continue;
        }
        for (int64_t k = 0; k < end; k += 8) {
            if ((k & 15) == 0)
                for (int r = 0; r < count; r++)
                    for (int q = 0; q < cnt[r]; q++) _mm_prefetch((const char *)(mem[r][q] + k + 512), _MM_HINT_T0);
            RFN(v8) s = RFN(loadd)(out + k);
            for (int r = 0; r < count; r++) s = RFN(add)(s, RFN(group_value)(mem[r], cnt[r], k, fv[r], fs[r], sc[r], ex[r]));
            RFN(stored)(out + k, s);
        }
        for (int64_t k = end; k < d; k++) {
            double s = out[k];
            for (int r = 0; r < count; r++) s += RFN(group_scalar)(mem[r], cnt[r], k, fac[r], sc[r], ex[r]);
            out[k] = s;
        }
        r0 += count;
    }
}

#undef RINL
#undef RFN
#undef ROWS_CAT
#undef ROWS_CAT2
