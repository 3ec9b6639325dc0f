// Kernel bodies of the row reductions, weighted row sums, grouped sums and CAF's centred Gram tiles
// (rows.c), compiled once per instruction set through per_isa.h (GW_ISA, GW_TARGET, GW_WIDE: simd8.h).
//
// Each value is computed with the operations and order of the Swift path it replaces
// (`RobustKernels.rowReduce`, `accumulate`, `sumOfDisjointRows`): eight Double lanes are one zmm
// or two ymm registers, which changes nothing per lane; no fused multiply-add.

#include "simd8.h"

/// One 2048-column block of one row (`rowReduce`): eight lanes of (x − c)² or x · c, lanesSum, then
/// the block's last (width mod 8) columns one by one.
INL double FN(block)(const float *p, const double *c, int width, bool squares) {
    int end = width & ~7;
    D8 a = FN(dzero)();
    if (squares) {
        for (int k = 0; k < end; k += 8) {
            D8 u = FN(widen)(FN(fload)(p + k));
            if (c != NULL) u = FN(dsub)(u, FN(dload)(c + k));
            a = FN(dadd)(a, FN(dmul)(u, u));
        }
    } else {
        for (int k = 0; k < end; k += 8) a = FN(dadd)(a, FN(dmul)(FN(widen)(FN(fload)(p + k)), FN(dload)(c + k)));
    }
    double s = FN(lanes_sum)(a);
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

static GW_TARGET void FN(row_reduce)(const float *x, int64_t n, int64_t d, const double *c, bool squares, double *out) {
    int64_t i = 0;
    // Four rows at a time: four independent lane chains (each row still sums in its own order).
    for (; i + 4 <= n; i += 4) {
        double total[4] = {0.0, 0.0, 0.0, 0.0};
        for (int64_t k0 = 0; k0 < d; k0 += 2048) {
            int width = (int)(d - k0 < 2048 ? d - k0 : 2048);
            int end = width & ~7;
            const double *cb = c != NULL ? c + k0 : NULL;
            D8 a[4] = {FN(dzero)(), FN(dzero)(), FN(dzero)(), FN(dzero)()};
            for (int k = 0; k < end; k += 8) {
                if ((k & 15) == 0)
                    for (int r = 0; r < 4; r++) _mm_prefetch((const char *)(x + (i + r) * d + k0 + k + 512), _MM_HINT_T0);
                D8 cv = cb != NULL ? FN(dload)(cb + k) : FN(dzero)();
                for (int r = 0; r < 4; r++) {
                    D8 u = FN(widen)(FN(fload)(x + (i + r) * d + k0 + k));
                    if (squares) {
                        if (cb != NULL) u = FN(dsub)(u, cv);
                        a[r] = FN(dadd)(a[r], FN(dmul)(u, u));
                    } else {
                        a[r] = FN(dadd)(a[r], FN(dmul)(u, cv));
                    }
                }
            }
            for (int r = 0; r < 4; r++) {
                const float *p = x + (i + r) * d + k0;
                double s = FN(lanes_sum)(a[r]);
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
            total += FN(block)(row + k0, c != NULL ? c + k0 : NULL, width, squares);
        }
        out[i] = total;
    }
}

/// out[k] = ((0 + t_0) + t_1) + … with t_q = (x_{rows[q], k} − c_k) · w_q, rows in order
/// (`accumulate`); columns in blocks of 1024 (an 8 KiB accumulator block in L1).
static GW_TARGET void FN(accumulate)(const float *x, int64_t d, const int64_t *rows, int64_t m,
                                        const double *weights, const double *c, double *out) {
    // Rows in groups of four, each group added over the whole row into the d-long accumulator: four
    // long sequential streams at a time, prefetched 2 KiB ahead (the traversal linear.c measured
    // best for sums; docs/simd-kernels.md). The order per coordinate is unchanged.
    int64_t end = d & ~(int64_t)7;
    for (int64_t k = 0; k < d; k++) out[k] = 0.0;
    for (int64_t q0 = 0; q0 < m; q0 += 4) {
        int count = (int)(m - q0 < 4 ? m - q0 : 4);
        const float *p[4];
        D8 w[4];
        for (int q = 0; q < count; q++) {
            p[q] = x + rows[q0 + q] * d;
            w[q] = FN(dset)(weights != NULL ? weights[q0 + q] : 1.0);
        }
        for (int64_t k = 0; k < end; k += 8) {
            if ((k & 15) == 0)
                for (int q = 0; q < count; q++) _mm_prefetch((const char *)(p[q] + k + 512), _MM_HINT_T0);
            D8 s = FN(dload)(out + k);
            D8 cv = c != NULL ? FN(dload)(c + k) : FN(dzero)();
            for (int q = 0; q < count; q++) {
                D8 t = FN(widen)(FN(fload)(p[q] + k));
                if (c != NULL) t = FN(dsub)(t, cv);
                if (weights != NULL) t = FN(dmul)(t, w[q]);
                s = FN(dadd)(s, t);
            }
            FN(dstore)(out + k, s);
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
INL D8 FN(group_value)(const float *const *members, int count, int64_t k, D8 factor, float single,
                              bool scaled, bool exact) {
    if (exact) return FN(widen)(_mm256_mul_ps(FN(fload)(members[0] + k), _mm256_set1_ps(single)));
    D8 t = FN(widen)(FN(fload)(members[0] + k));
    for (int q = 1; q < count; q++) t = FN(dadd)(t, FN(widen)(FN(fload)(members[q] + k)));
    if (scaled) t = FN(dmul)(t, factor);
    if (!scaled && count == 1) return t;
    return FN(widen)(FN(narrow)(t));
}

/// The same value for one column, in scalar arithmetic, from the members' row indices (any count).
INL double FN(group_scalar)(const float *x, int64_t d, const int64_t *rows, int count, int64_t k, double factor,
                            bool scaled, bool exact) {
    if (exact) return (double)(x[rows[0] * d + k] * (float)factor);
    double t = (double)x[rows[0] * d + k];
    for (int q = 1; q < count; q++) t += (double)x[rows[q] * d + k];
    if (scaled) t *= factor;
    return scaled || count > 1 ? (double)(float)t : t;
}

/// out[k] = Σ_r v_r(k) from 0 in output-row order (`sumOfDisjointRows`): output rows are taken over
/// the whole row, as many per pass as keep at most four member rows in flight (`accumulate`'s
/// traversal), their member pointers and flags in locals.
static GW_TARGET void FN(sum_groups)(const float *x, int64_t d, const int64_t *rows, const int32_t *starts, int64_t groups,
                                        const double *factors, const uint8_t *scaled, const uint8_t *exact, double *out) {
    enum { STREAMS = 4, GROUPS = 4, MEMBERS = 8 };
    int64_t end = d & ~(int64_t)7;
    for (int64_t k = 0; k < d; k++) out[k] = 0.0;
    for (int64_t r0 = 0; r0 < groups;) {
        const float *mem[GROUPS][MEMBERS];
        int cnt[GROUPS];
        double fac[GROUPS];
        D8 fv[GROUPS];
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
            fv[count] = FN(dset)(factors[g]);
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
            for (int64_t k = 0; k < d; k++)
                out[k] += FN(group_scalar)(x, d, rows + first, members, k, factors[g], scaled[g] != 0, exact[g] != 0);
            r0 += 1;
            continue;
        }
        for (int64_t k = 0; k < end; k += 8) {
            if ((k & 15) == 0)
                for (int r = 0; r < count; r++)
                    for (int q = 0; q < cnt[r]; q++) _mm_prefetch((const char *)(mem[r][q] + k + 512), _MM_HINT_T0);
            D8 s = FN(dload)(out + k);
            for (int r = 0; r < count; r++) s = FN(dadd)(s, FN(group_value)(mem[r], cnt[r], k, fv[r], fs[r], sc[r], ex[r]));
            FN(dstore)(out + k, s);
        }
        for (int64_t k = end; k < d; k++) {
            double s = out[k];
            for (int r = 0; r < count; r++)
                s += FN(group_scalar)(x, d, rows + starts[r0 + r], cnt[r], k, fac[r], sc[r], ex[r]);
            out[k] = s;
        }
        r0 += count;
    }
}

/// The scalar end of a centred tile row from column `from`: its values and its maximum (NaN if the
/// row holds one, else the larger of `m`, the vector part's, and theirs).
INL float FN(center_tail)(const float *src, float *dst, const double *center, int from, int width, float m, bool sawNaN) {
    for (int c = from; c < width; c++) {
        float v = center != NULL ? (float)((double)src[c] - center[c]) : src[c];
        dst[c] = v;
        if (v != v) sawNaN = true;
        else if (fabsf(v) > m) m = fabsf(v);
    }
    return sawNaN ? NAN : m;
}

/// CAF's centred Float Gram tile (`gw_center_tile`): tile = (float)((double)x − c) per value, eight at
/// a time, and every row's largest |value| (NaN if it holds one).
static GW_TARGET void FN(center_tile)(const float *x, int64_t ld, int n, int width, const double *center,
                                      float *tile, float *rowMax) {
    __m256 signless = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    for (int i = 0; i < n; i++) {
        const float *src = x + (int64_t)i * ld;
        float *dst = tile + (int64_t)i * width;
        __m256 top = _mm256_setzero_ps();
        int nan = 0, c = 0;
        for (; c + 8 <= width; c += 8) {
            __m256 v = FN(fload)(src + c);
            if (center != NULL) v = FN(narrow)(FN(dsub)(FN(widen)(v), FN(dload)(center + c)));
            _mm256_storeu_ps(dst + c, v);
            top = _mm256_max_ps(top, _mm256_and_ps(v, signless));
            nan |= _mm256_movemask_ps(_mm256_cmp_ps(v, v, _CMP_UNORD_Q));
        }
        float lanes[8];
        _mm256_storeu_ps(lanes, top);
        float m = 0;
        for (int l = 0; l < 8; l++) m = lanes[l] > m ? lanes[l] : m;
        rowMax[i] = FN(center_tail)(src, dst, center, c, width, m, nan != 0);
    }
}

#undef INL
#undef D8
#undef FN
#undef GW_CAT
#undef GW_CAT2
