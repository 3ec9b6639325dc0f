// Shared by the kernel files of CKernels; not part of the module's interface.
#ifndef GRADWIRE_CKERNELS_INTERNAL_H
#define GRADWIRE_CKERNELS_INTERNAL_H

// Bit-identity with the Swift paths: no a·b + c fused into one rounding.
#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define GW_X86 1
#include <immintrin.h>
#define GW_AVX512 __attribute__((target("avx512f,avx512dq")))
#define GW_AVX2 __attribute__((target("avx2")))
#else
#define GW_X86 0
#endif

#endif
