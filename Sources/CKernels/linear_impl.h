// Kernel bodies of the linear rules (linear.c), compiled once per instruction set through per_isa.h
// (GW_ISA: the name suffix, GW_TARGET: the target attribute, GW_WIDE: 1 for 512-bit registers).
//
// Every value is computed with the operations and the order of the Swift path it replaces (see
// linear.c and docs/simd-kernels.md): eight Double lanes (`D8`) are one zmm register or two ymm
// registers, which changes nothing per lane, and each output coordinate adds its rows' terms one
// after the other, in row order, from +0.

#include "simd8.h"

// MARK: - The one-pass sum (the benchmarks' memory-read ceiling)

static GW_TARGET float FN(sum_floats)(const float *x, int64_t count) {
    int64_t i = 0;
#if GW_WIDE
    __m512 a = _mm512_setzero_ps(), b = a, c = a, e = a;
    for (; i + 64 <= count; i += 64) {
        GW_PREFETCH(x + i + GW_PREFETCH_FLOATS);
        GW_PREFETCH(x + i + GW_PREFETCH_FLOATS + 16);
        GW_PREFETCH(x + i + GW_PREFETCH_FLOATS + 32);
        GW_PREFETCH(x + i + GW_PREFETCH_FLOATS + 48);
        a = _mm512_add_ps(a, _mm512_loadu_ps(x + i));
        b = _mm512_add_ps(b, _mm512_loadu_ps(x + i + 16));
        c = _mm512_add_ps(c, _mm512_loadu_ps(x + i + 32));
        e = _mm512_add_ps(e, _mm512_loadu_ps(x + i + 48));
    }
    float s = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(a, b), _mm512_add_ps(c, e)));
#else
    __m256 a = _mm256_setzero_ps(), b = a, c = a, e = a;
    for (; i + 32 <= count; i += 32) {
        GW_PREFETCH(x + i + GW_PREFETCH_FLOATS);
        GW_PREFETCH(x + i + GW_PREFETCH_FLOATS + 16);
        a = _mm256_add_ps(a, _mm256_loadu_ps(x + i));
        b = _mm256_add_ps(b, _mm256_loadu_ps(x + i + 8));
        c = _mm256_add_ps(c, _mm256_loadu_ps(x + i + 16));
        e = _mm256_add_ps(e, _mm256_loadu_ps(x + i + 24));
    }
    float lanes[8];
    _mm256_storeu_ps(lanes, _mm256_add_ps(_mm256_add_ps(a, b), _mm256_add_ps(c, e)));
    float s = 0;
    for (int l = 0; l < 8; l++) s += lanes[l];
#endif
    for (; i < count; i++) s += x[i];
    return s;
}

// MARK: - Row reductions

/// `clipBlocks` of RobustKernels+ClipNorms.swift for the 64-column blocks in [from, to): eight Float
/// lanes of squares per block, redone in Double when a lane leaves [2⁻¹⁰⁰, 2¹⁰⁰], added to the carry.
INL void FN(clip_blocks)(const float *row, int64_t from, int64_t to, D8 *carry, int64_t prefetch) {
    const __m256 high = _mm256_set1_ps(0x1p100f), low = _mm256_set1_ps(0x1p-100f);
    for (int64_t k = from; k < to; k += 64) {
        if (prefetch) {
            GW_PREFETCH(row + k + prefetch);
            GW_PREFETCH(row + k + prefetch + 16);
            GW_PREFETCH(row + k + prefetch + 32);
            GW_PREFETCH(row + k + prefetch + 48);
        }
        __m256 lanes = _mm256_setzero_ps();
        for (int j = 0; j < 64; j += 8) {
            __m256 v = FN(fload)(row + k + j);
            lanes = _mm256_add_ps(lanes, _mm256_mul_ps(v, v));
        }
        __m256 out = _mm256_or_ps(_mm256_cmp_ps(lanes, high, _CMP_GT_OQ), _mm256_cmp_ps(lanes, low, _CMP_LT_OQ));
        if (__builtin_expect(_mm256_movemask_ps(out) != 0, 0)) {
            D8 exact = FN(dzero)();
            for (int j = 0; j < 64; j += 8) {
                D8 v = FN(widen)(FN(fload)(row + k + j));
                exact = FN(dadd)(exact, FN(dmul)(v, v));
            }
            *carry = FN(dadd)(*carry, exact);
        } else {
            *carry = FN(dadd)(*carry, FN(widen)(lanes));
        }
    }
}

/// `clipSquaredNorm`: the carry's lanes summed, then the last d mod 64 squares in Double.
INL double FN(clip_finish)(const float *row, int64_t d, D8 carry) {
    double total = FN(lanes_sum)(carry);
    for (int64_t k = d & ~(int64_t)63; k < d; k++) {
        double t = (double)row[k];
        total += t * t;
    }
    return total;
}

/// `clipSquaredNorm` of rows [first, end), two rows at a time (two independent dependency chains),
/// from the last rows to the first: a sweep that follows (ARC's) starts on rows still in L3.
static GW_TARGET void FN(clip_norms)(const float *x, int64_t d, int64_t first, int64_t end, double *out) {
    const int64_t blocks = d & ~(int64_t)63;
    int64_t stop = end;
    for (; stop - 2 >= first; stop -= 2) {
        const int64_t i = stop - 2;
        const float *r0 = x + i * d, *r1 = r0 + d;
        D8 c0 = FN(dzero)(), c1 = FN(dzero)();
        for (int64_t k = 0; k < blocks; k += 64) {
            FN(clip_blocks)(r0, k, k + 64, &c0, GW_PREFETCH_FLOATS);
            FN(clip_blocks)(r1, k, k + 64, &c1, GW_PREFETCH_FLOATS);
        }
        out[i] = FN(clip_finish)(r0, d, c0);
        out[i + 1] = FN(clip_finish)(r1, d, c1);
    }
    if (stop > first) {
        const float *r0 = x + first * d;
        D8 c0 = FN(dzero)();
        FN(clip_blocks)(r0, 0, blocks, &c0, GW_PREFETCH_FLOATS);
        out[first] = FN(clip_finish)(r0, d, c0);
    }
}

// MARK: - Accumulating sweeps

/// The term row r adds at column k (`kind` is a constant at every call, so each kind compiles to
/// its own loop): x; the Float product x ⊗ f_r; (x − c_k) · w_r; x · w_r.
INL D8 FN(term)(int kind, const float *p, const double *c, __m256 f, D8 w) {
    switch (kind) {
    case GW_TERM_PLAIN: return FN(widen)(FN(fload)(p));
    case GW_TERM_FLOAT_SCALED: return FN(widen)(_mm256_mul_ps(FN(fload)(p), f));
    case GW_TERM_CENTERED: return FN(dmul)(FN(dsub)(FN(widen)(FN(fload)(p)), FN(dload)(c)), w);
    default: return FN(dmul)(FN(widen)(FN(fload)(p)), w);
    }
}

INL double FN(scalar_term)(int kind, float x, double c, float f, double w) {
    switch (kind) {
    case GW_TERM_PLAIN: return (double)x;
    case GW_TERM_FLOAT_SCALED: return (double)(x * f);
    case GW_TERM_CENTERED: return ((double)x - c) * w;
    default: return (double)x * w;
    }
}

/// Columns [k, k + 8) of the finished result written out (see GwSweep): the mean kinds scale and
/// round, the centered kinds form v + sum / count.
INL void FN(finish8)(int kind, const GwSweep *s, int64_t k, D8 sum) {
    if (kind == GW_TERM_PLAIN || kind == GW_TERM_FLOAT_SCALED) {
        _mm256_storeu_ps(s->out + k, FN(narrow)(FN(dmul)(sum, FN(dset)(s->scale))));
        return;
    }
    D8 base = s->v ? FN(dload)(s->v + k) : FN(dzero)();
    D8 t = FN(dadd)(base, FN(ddiv)(sum, FN(dset)(s->count)));
    if (s->next) FN(dstore)(s->next + k, t);
    if (s->out) _mm256_storeu_ps(s->out + k, FN(narrow)(t));
}

INL void FN(finish1)(int kind, const GwSweep *s, int64_t k, double sum) {
    if (kind == GW_TERM_PLAIN || kind == GW_TERM_FLOAT_SCALED) {
        s->out[k] = (float)(sum * s->scale);
        return;
    }
    double t = (s->v ? s->v[k] : 0.0) + sum / s->count;
    if (s->next) s->next[k] = t;
    if (s->out) s->out[k] = (float)t;
}

/// One pass of m ≤ 4 rows over columns [k0, k0 + width): a[k] ← (((a[k] + t_0) + t_1) + …) with the
/// rows in order; `zero`: a starts at +0 instead of its stored values; `last`: the sums are finished
/// into the outputs (`finish8`) instead of stored. kind, zero, last and m are constants at every call.
INL void FN(add_pass)(int kind, int zero, int last, int m, const GwSweep *s, const float *const *p,
                      const float *g, const double *w, const double *c, int64_t k0, int64_t width, double *a) {
    __m256 f[4];
    D8 e[4];
    for (int q = 0; q < m; q++) {
        f[q] = _mm256_set1_ps(g[q]);
        e[q] = FN(dset)(w[q]);
    }
    const int64_t v16 = width & ~(int64_t)15, v8 = width & ~(int64_t)7;
    int64_t k = 0;
    for (; k < v16; k += 16) {
        for (int q = 0; q < m; q++) GW_PREFETCH(p[q] + k + GW_PREFETCH_FLOATS);
        D8 lo = zero ? FN(dzero)() : FN(dload)(a + k), hi = zero ? FN(dzero)() : FN(dload)(a + k + 8);
        for (int q = 0; q < m; q++) {
            lo = FN(dadd)(lo, FN(term)(kind, p[q] + k, c ? c + k : NULL, f[q], e[q]));
            hi = FN(dadd)(hi, FN(term)(kind, p[q] + k + 8, c ? c + k + 8 : NULL, f[q], e[q]));
        }
        if (last) {
            FN(finish8)(kind, s, k0 + k, lo);
            FN(finish8)(kind, s, k0 + k + 8, hi);
        } else {
            FN(dstore)(a + k, lo);
            FN(dstore)(a + k + 8, hi);
        }
    }
    for (; k < v8; k += 8) {
        D8 v = zero ? FN(dzero)() : FN(dload)(a + k);
        for (int q = 0; q < m; q++) v = FN(dadd)(v, FN(term)(kind, p[q] + k, c ? c + k : NULL, f[q], e[q]));
        if (last) {
            FN(finish8)(kind, s, k0 + k, v);
        } else {
            FN(dstore)(a + k, v);
        }
    }
    for (; k < width; k++) {
        double v = zero ? 0.0 : a[k];
        for (int q = 0; q < m; q++) v += FN(scalar_term)(kind, p[q][k], c ? c[k] : 0, g[q], w[q]);
        if (last) {
            FN(finish1)(kind, s, k0 + k, v);
        } else {
            a[k] = v;
        }
    }
}

#define GW_PASS(z, l, m) FN(add_pass)(kind, z, l, m, s, p, g, w, c, k0, width, a)
#define GW_PASSES(z, l) \
    switch (m) { \
    case 4: GW_PASS(z, l, 4); break; \
    case 3: GW_PASS(z, l, 3); break; \
    case 2: GW_PASS(z, l, 2); break; \
    default: GW_PASS(z, l, 1); break; \
    }

/// Rows [first, end) added to a (columns [k0, k0 + width); rows start at x + r·d + k0, c is the
/// center at k0) in passes of four rows, the last pass of a group of three or fewer; `zero`: a
/// starts at +0; `last`: the final pass finishes the sums into the outputs.
INL void FN(add_rows)(int kind, const float *x, int64_t d, int64_t k0, int64_t width, int64_t first, int64_t end,
                      const GwSweep *s, double *a, int zero, int last) {
    const double *c = s->center ? s->center + k0 : NULL;
    for (int64_t r = first; r < end;) {
        const int m = end - r >= 4 ? 4 : (int)(end - r);
        const float *p[4] = {NULL, NULL, NULL, NULL};
        float g[4] = {1, 1, 1, 1};
        double w[4] = {1, 1, 1, 1};
        for (int q = 0; q < m; q++) {
            p[q] = x + (r + q) * d + k0;
            g[q] = kind == GW_TERM_FLOAT_SCALED ? s->factors[r + q] : 1;
            w[q] = (kind == GW_TERM_CENTERED || kind == GW_TERM_SCALED) ? s->weights[r + q] : 1;
        }
        r += m;
        const int finishing = last && r == end;
        if (zero && finishing) {
            GW_PASSES(1, 1)
        } else if (zero) {
            GW_PASSES(1, 0)
        } else if (finishing) {
            GW_PASSES(0, 1)
        } else {
            GW_PASSES(0, 0)
        }
        zero = 0;
    }
}

#undef GW_PASSES
#undef GW_PASS

INL void FN(sweep_kind)(int kind, const float *x, int64_t n, int64_t d, const GwSweep *s, double *acc,
                        int64_t group, int64_t chunk) {
    const int single = group >= n;
    for (int64_t g = 0; g < n; g += group) {
        const int64_t end = g + group < n ? g + group : n;
        for (int64_t k0 = 0; k0 < d; k0 += chunk) {
            const int64_t width = d - k0 < chunk ? d - k0 : chunk;
            double *a = single ? acc : acc + k0;
            FN(add_rows)(kind, x, d, k0, width, g, end, s, a, g == 0, end == n);
        }
    }
}

/// Σ over the rows in order of each column's terms, then `finish`: rows in groups of `group`, each
/// group swept over the columns in chunks of `chunk` (acc: d Doubles, or `chunk` when group ≥ n).
static GW_TARGET void FN(sweep)(const float *x, int64_t n, int64_t d, const GwSweep *s, double *acc,
                                int64_t group, int64_t chunk) {
    switch (s->kind) {
    case GW_TERM_PLAIN: FN(sweep_kind)(GW_TERM_PLAIN, x, n, d, s, acc, group, chunk); break;
    case GW_TERM_FLOAT_SCALED: FN(sweep_kind)(GW_TERM_FLOAT_SCALED, x, n, d, s, acc, group, chunk); break;
    case GW_TERM_CENTERED: FN(sweep_kind)(GW_TERM_CENTERED, x, n, d, s, acc, group, chunk); break;
    default: FN(sweep_kind)(GW_TERM_SCALED, x, n, d, s, acc, group, chunk); break;
    }
}

// MARK: - Reductions of the next rows interleaved with the sums of the current ones

#define CURSOR FN(cursor)

/// The reduction (`GW_REDUCE_CLIP`: clipping's squared norm; `GW_REDUCE_DISTANCE`: the squared
/// distance to `center`) of rows [row, end) in row order, resumable after any number of columns.
typedef struct {
    const float *x;
    const double *center;
    double *squares;  // squares[row] once a row is done
    int64_t d, row, end, k;
    int reduce;
    D8 lanes;         // clip: the carry; distance: the current 2048-column block's lanes
    double total;     // distance: the finished blocks' sum
} CURSOR;

INL void FN(cursor_start)(CURSOR *u, int64_t first, int64_t end) {
    u->row = first;
    u->end = end;
    u->k = 0;
    u->lanes = FN(dzero)();
    u->total = 0;
}

/// Reduces about `columns` more columns (whole 64-column blocks, 16-column steps), then stops;
/// `columns` > d: every remaining row.
INL void FN(cursor_advance)(CURSOR *u, int64_t columns) {
    const int64_t d = u->d;
    const int all = columns > d;  // to the end of the last row
    while (u->row < u->end && (all || columns > 0)) {
        if (all) columns = d;     // each step as wide as it can be (no overflow in the rounding)
        const float *r = u->x + u->row * d;
        if (u->reduce == GW_REDUCE_CLIP) {
            const int64_t blocks = d & ~(int64_t)63;
            if (u->k < blocks) {
                int64_t stop = u->k + ((columns + 63) & ~(int64_t)63);
                if (stop > blocks) stop = blocks;
                FN(clip_blocks)(r, u->k, stop, &u->lanes, GW_STREAM_PREFETCH_FLOATS);
                columns -= stop - u->k;
                u->k = stop;
            }
            if (u->k >= blocks) {
                u->squares[u->row] = FN(clip_finish)(r, d, u->lanes);
                columns -= d - blocks;
                u->row++;
                u->k = 0;
                u->lanes = FN(dzero)();
            }
            continue;
        }
        // Distances: `rowReduce`'s 2048-column blocks, eight Double lanes each, blocks added in order.
        const int64_t b0 = u->k - u->k % GW_COLUMN_BLOCK;
        const int64_t width = d - b0 < GW_COLUMN_BLOCK ? d - b0 : GW_COLUMN_BLOCK;
        const int64_t vector_end = width & ~(int64_t)7;
        const float *p = r + b0;
        const double *c = u->center ? u->center + b0 : NULL;
        int64_t q = u->k - b0;
        if (q < vector_end) {
            int64_t stop = q + ((columns + 15) & ~(int64_t)15);
            if (stop > vector_end) stop = vector_end;
            const int64_t done = q;
            D8 a = u->lanes;
            for (; q < stop; q += 8) {
                if ((q & 15) == 0) GW_PREFETCH(p + q + GW_STREAM_PREFETCH_FLOATS);
                D8 t = FN(widen)(FN(fload)(p + q));
                if (c) t = FN(dsub)(t, FN(dload)(c + q));
                a = FN(dadd)(a, FN(dmul)(t, t));
            }
            u->lanes = a;
            columns -= stop - done;
            u->k = b0 + stop;
        }
        if (q >= vector_end) {
            double sum = FN(lanes_sum)(u->lanes);
            for (int64_t j = vector_end; j < width; j++) {
                double t = (double)p[j] - (c ? c[j] : 0);
                sum += t * t;
            }
            u->total += sum;
            u->lanes = FN(dzero)();
            columns -= width - vector_end;
            u->k = b0 + width;
            if (u->k >= d) {
                u->squares[u->row] = u->total;
                u->total = 0;
                u->row++;
                u->k = 0;
            }
        }
    }
}

/// Row i's factor from its reduction (static clipping's Float factor, or centered clipping's weight).
INL void FN(set_factor)(int reduce, int64_t i, const double *squares, double threshold, float *factors,
                        double *weights) {
    double norm = sqrt(squares[i]);
    if (reduce == GW_REDUCE_CLIP) {
        factors[i] = norm > threshold ? (float)(threshold / norm) : 1.0f;
    } else {
        double w = 1;
        if (norm > 0) {
            double q = threshold / norm;
            w = q < 1 ? q : 1;
        }
        weights[i] = w;
    }
}

/// Reduce, factor and sum in one streaming read where the rows allow it: rows go in groups of
/// `group`; while group g is added (its rows reread from L3, in chunks of `GW_PIPE_CHUNK` columns and
/// four-row passes over `GW_PIPE_STEP`-column steps), the next group's reductions advance in
/// proportion, one memory stream, so the memory reads of group g + 1 overlap the adding of group g.
/// Each row's reduction and each column's sum keep their order (same bits as reduce-then-sweep).
INL void FN(pipelined_kind)(int kind, int reduce, const float *x, int64_t n, int64_t d, const GwSweep *s,
                            CURSOR *u, double *acc, int64_t group, double threshold, float *factors, double *weights) {
    int64_t g0 = 0, g1 = group < n ? group : n;
    FN(cursor_start)(u, 0, g1);
    FN(cursor_advance)(u, INT64_MAX);
    for (int64_t i = 0; i < g1; i++) FN(set_factor)(reduce, i, u->squares, threshold, factors, weights);
    while (g0 < n) {
        const int64_t g2 = g1 + group < n ? g1 + group : n;
        FN(cursor_start)(u, g1, g2);
        const int64_t current = g1 - g0, next = g2 - g1;
        for (int64_t k0 = 0; k0 < d; k0 += GW_PIPE_CHUNK) {
            const int64_t width = d - k0 < GW_PIPE_CHUNK ? d - k0 : GW_PIPE_CHUNK;
            for (int64_t r = g0; r < g1; r += 4) {
                const int64_t m = g1 - r < 4 ? g1 - r : 4;
                for (int64_t j = 0; j < width; j += GW_PIPE_STEP) {
                    const int64_t step = width - j < GW_PIPE_STEP ? width - j : GW_PIPE_STEP;
                    FN(add_rows)(kind, x, d, k0 + j, step, r, r + m, s, acc + k0 + j, g0 == 0 && r == g0,
                                 g1 == n && r + m == g1);
                    if (next > 0) FN(cursor_advance)(u, (m * step * next + current - 1) / current);
                }
            }
        }
        FN(cursor_advance)(u, INT64_MAX);
        for (int64_t i = g1; i < g2; i++) FN(set_factor)(reduce, i, u->squares, threshold, factors, weights);
        g0 = g1;
        g1 = g2;
    }
}

/// Static clipping + mean (reduce GW_REDUCE_CLIP, kind GW_TERM_FLOAT_SCALED) or one centered-clipping
/// step (GW_REDUCE_DISTANCE, GW_TERM_CENTERED / GW_TERM_SCALED) through `pipelined_kind`; `s` names
/// `factors` / `weights` as its per-row factors; `squares`: n Doubles, acc: d Doubles.
static GW_TARGET void FN(pipelined)(const float *x, int64_t n, int64_t d, const GwSweep *s, double *squares,
                                    double *acc, int64_t group, double threshold, float *factors, double *weights) {
    CURSOR u = {.x = x, .center = s->center, .squares = squares, .d = d};
    switch (s->kind) {
    case GW_TERM_FLOAT_SCALED:
        u.reduce = GW_REDUCE_CLIP;
        FN(pipelined_kind)(GW_TERM_FLOAT_SCALED, GW_REDUCE_CLIP, x, n, d, s, &u, acc, group, threshold, factors,
                           weights);
        break;
    case GW_TERM_CENTERED:
        u.reduce = GW_REDUCE_DISTANCE;
        FN(pipelined_kind)(GW_TERM_CENTERED, GW_REDUCE_DISTANCE, x, n, d, s, &u, acc, group, threshold, factors,
                           weights);
        break;
    default:
        u.reduce = GW_REDUCE_DISTANCE;
        FN(pipelined_kind)(GW_TERM_SCALED, GW_REDUCE_DISTANCE, x, n, d, s, &u, acc, group, threshold, factors, weights);
        break;
    }
}

#undef CURSOR
#undef INL
#undef D8
#undef FN
#undef GW_CAT
#undef GW_CAT2
