// The rules linear in n·d on Float batches: mean, static clipping + mean, ARC's weighted mean and
// centered clipping (CKernels.h, "linear rules"; docs/simd-kernels.md, "Linear rules").
//
// Each kernel reproduces its Swift counterpart bit for bit, so the two paths are interchangeable:
// - Sums over rows (Swift: `RobustKernels.accumulate`, `sumOfDisjointRows`, `rowPass`): every output
//   coordinate is ((0 + t_0) + t_1) + … with the rows in order, in Double. Rows are added four per
//   pass over a chunk of columns whose Double accumulator stays in L1/L2, and the rows are cut into
//   groups swept one after the other (a group's rows stream from memory side by side; fewer
//   streams keep the DRAM pages open). The lanes are independent columns, so vector width changes
//   nothing.
// - Clipping norms (`RobustKernels.clipSquaredNorm`): eight Float lanes of squares per 64-column
//   block, blocks out of Float's safe range redone in Double, carried in eight Double lanes,
//   `lanesSum`, then the last d mod 64 squares in Double.
// - Distances of centered clipping (`RobustKernels.rowReduce`): per 2048-column block eight Double
//   lanes of (x − c)², `lanesSum`, the block's last width mod 8 squares, blocks added in order.
// - Factors: static clipping's c/‖x‖ rounded to Float (`PreAggregators.clipFactor`), so the clipped
//   value is the Float product x ⊗ factor; centered clipping's min(1, τ/‖x − v‖) (1 for a zero
//   distance) in Double, Swift's `min` (y < x ? y : x).
// - Outputs: (float)(sum · (1/n)) for the means, v + sum / n (then rounded to Float) for a
//   centered-clipping step.
// No a·b + c is fused (internal.h). The benchmarks' memory-read ceiling, `gw_sum_floats`, lives here
// too: it is the pass the linear rules are judged against.
#include "CKernels.h"
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { GW_TERM_PLAIN, GW_TERM_FLOAT_SCALED, GW_TERM_CENTERED, GW_TERM_SCALED };
enum { GW_FINISH_MEAN, GW_FINISH_STEP };
enum { GW_REDUCE_CLIP, GW_REDUCE_DISTANCE };

/// What a sweep adds and where its result goes.
typedef struct {
    int kind;               // GW_TERM_*: x, x ⊗ factors[r], (x − center) · weights[r], x · weights[r]
    const float *factors;   // GW_TERM_FLOAT_SCALED: one Float factor per row (1: unscaled)
    const double *weights;  // GW_TERM_CENTERED, GW_TERM_SCALED: one Double factor per row
    const double *center;   // GW_TERM_CENTERED: d values
    int finish;             // GW_FINISH_MEAN: out = (float)(sum · scale); GW_FINISH_STEP: next = v + sum / count
    double scale, count;
    const double *v;        // GW_FINISH_STEP: d values, NULL for +0
    double *next;           // GW_FINISH_STEP: d Doubles or NULL
    float *out;             // d Floats (NULL allowed for GW_FINISH_STEP)
} GwSweep;

/// Columns per lane block of the distances (`RobustKernels.columnBlock`).
#define GW_COLUMN_BLOCK 2048

// Sizes of the traversal (no effect on the results; -D overrides them for measurements).
/// How far ahead of its reads a row stream prefetches (in Floats, 2 KB).
#ifndef GW_PREFETCH_FLOATS
#define GW_PREFETCH_FLOATS 512
#endif
#define GW_PREFETCH(p) _mm_prefetch((const char *)(p), _MM_HINT_T0)
/// Prefetch distance of the one memory stream of the pipelined reductions (in Floats).
#ifndef GW_STREAM_PREFETCH_FLOATS
#define GW_STREAM_PREFETCH_FLOATS 2048
#endif
/// Columns per accumulator chunk (16 KB of Doubles, L1) and per interleaving step of the pipeline.
#ifndef GW_PIPE_CHUNK
#define GW_PIPE_CHUNK 2048
#endif
#ifndef GW_PIPE_STEP
#define GW_PIPE_STEP 256
#endif
/// Bytes of rows per pipeline group (at least one row). Measured on Zen 5 (1 MB L2, 32 MB L3 shared
/// with other VMs): three rows at d = 10^5 beat 2, 8 or 16; one row at d = 10^6 beats 2 or 3.
#ifndef GW_PIPE_BYTES
#define GW_PIPE_BYTES (1536 << 10)
#endif

/// The sums: groups of four rows, each group added over whole rows (a chunk wider than any d) into
/// the d-long Double accumulator. Four long row streams keep DRAM pages open; measured against 8- and
/// 16-row groups with 64–128 KB chunks and against all rows per 16–32 KB chunk (accumulator in L1).
#ifndef GW_SWEEP_GROUP
#define GW_SWEEP_GROUP 4
#endif
#ifndef GW_SWEEP_CHUNK
#define GW_SWEEP_CHUNK ((int64_t)1 << 40)
#endif
static const int64_t sweep_group = GW_SWEEP_GROUP;
static const int64_t sweep_chunk = GW_SWEEP_CHUNK;

#define GW_IMPL "linear_impl.h"
#include "per_isa.h"

// MARK: - Dispatch

float gw_sum_floats(const float *values, int64_t count) {
#if GW_X86
    int level = gw_simd_level();
    if (level >= 3) return sum_floats_avx512(values, count);
    if (level == 2) return sum_floats_avx2(values, count);
#endif
    float s = 0;
    for (int64_t i = 0; i < count; i++) s += values[i];
    return s;
}

/// Per-thread scratch memory of the kernels (an accumulator of d Doubles and n-long row arrays),
/// kept between calls: a fresh 8 MB block per call would be mapped and zeroed by the kernel again
/// every time (page faults cost about a tenth of a pass at d = 10^6). Grows to the largest request
/// and lives as long as the thread. NULL when the allocation fails (the caller then reports "not
/// handled" and the Swift path runs).
static _Thread_local double *scratch_memory;
static _Thread_local size_t scratch_count;

static double *scratch(size_t count) {
    if (count > scratch_count) {
        size_t bytes = (count * sizeof(double) + 63) & ~(size_t)63;
        double *grown = aligned_alloc(64, bytes);
        if (grown == NULL) return NULL;
        free(scratch_memory);
        scratch_memory = grown;
        scratch_count = bytes / sizeof(double);
    }
    return scratch_memory;
}

static bool run_sweep(const float *x, int64_t n, int64_t d, const GwSweep *s) {
#if GW_X86
    int level = gw_simd_level();
    if (level < 2 || n <= 0 || d <= 0) return false;
    int64_t count = sweep_group >= n ? (d < sweep_chunk ? d : sweep_chunk) : d;
    double *acc = scratch((size_t)count);
    if (acc == NULL) return false;
    if (level >= 3) {
        sweep_avx512(x, n, d, s, acc, sweep_group, sweep_chunk);
    } else {
        sweep_avx2(x, n, d, s, acc, sweep_group, sweep_chunk);
    }
    return true;
#else
    (void)x; (void)n; (void)d; (void)s;
    return false;
#endif
}

bool gw_mean_rows(const float *x, int64_t n, int64_t d, float *out) {
    GwSweep s = {.kind = GW_TERM_PLAIN, .finish = GW_FINISH_MEAN, .scale = 1.0 / (double)(n > 1 ? n : 1), .out = out};
    return run_sweep(x, n, d, &s);
}

bool gw_scaled_mean(const float *x, int64_t n, int64_t d, const float *factors, double scale, float *out) {
    GwSweep s = {.kind = GW_TERM_FLOAT_SCALED, .factors = factors, .finish = GW_FINISH_MEAN, .scale = scale,
                 .out = out};
    return run_sweep(x, n, d, &s);
}

bool gw_clip_squared_norms(const float *x, int64_t n, int64_t d, double *out) {
#if GW_X86
    int level = gw_simd_level();
    if (level < 2 || n < 0 || d < 0) return false;
    if (level >= 3) {
        clip_norms_avx512(x, d, 0, n, out);
    } else {
        clip_norms_avx2(x, d, 0, n, out);
    }
    return true;
#else
    (void)x; (void)n; (void)d; (void)out;
    return false;
#endif
}

/// Static clipping + mean or a centered-clipping step: each row's reduction, its factor, and the
/// sum, with the reductions of the next rows interleaved with the adding of the current ones
/// (`pipelined`): groups of about GW_PIPE_BYTES of rows (three rows at d = 10^5, one at d = 10^6).
static bool run_reduce_and_sweep(const float *x, int64_t n, int64_t d, GwSweep *s, double threshold) {
#if GW_X86
    int level = gw_simd_level();
    if (level < 2 || n <= 0 || d <= 0) return false;
    // Scratch: accumulator (d), squares (n), weights (n), factors (n Floats in n Doubles' room).
    double *memory = scratch((size_t)d + 3 * (size_t)n + 24);
    if (memory == NULL) return false;
    double *acc = memory, *squares = acc + ((d + 7) & ~(int64_t)7), *weights = squares + ((n + 7) & ~(int64_t)7);
    float *factors = (float *)(weights + ((n + 7) & ~(int64_t)7));
    s->factors = factors;
    s->weights = weights;
    int64_t group = (int64_t)GW_PIPE_BYTES / (d * (int64_t)sizeof(float));
    if (group < 1) group = 1;
    if (level >= 3) {
        pipelined_avx512(x, n, d, s, squares, acc, group, threshold, factors, weights);
    } else {
        pipelined_avx2(x, n, d, s, squares, acc, group, threshold, factors, weights);
    }
    return true;
#else
    (void)x; (void)n; (void)d; (void)s; (void)threshold;
    return false;
#endif
}

bool gw_clipped_mean(const float *x, int64_t n, int64_t d, double c, float *out) {
    GwSweep s = {.kind = GW_TERM_FLOAT_SCALED, .finish = GW_FINISH_MEAN, .scale = 1.0 / (double)(n > 1 ? n : 1),
                 .out = out};
    return run_reduce_and_sweep(x, n, d, &s, c);
}

bool gw_centered_clipping_step(const float *x, int64_t n, int64_t d, const double *center, const double *v,
                               double tau, double *next, float *out) {
    GwSweep s = {.kind = center ? GW_TERM_CENTERED : GW_TERM_SCALED, .center = center, .finish = GW_FINISH_STEP,
                 .count = (double)n, .v = v, .next = next, .out = out};
    return run_reduce_and_sweep(x, n, d, &s, tau);
}
