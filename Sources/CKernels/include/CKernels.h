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

#ifdef __cplusplus
}
#endif

#endif
