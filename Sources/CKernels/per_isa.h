// Compiles a kernel-body header once per instruction set: the including file defines GW_IMPL (the
// body's file name, e.g. "rows_impl.h") and includes this file; the body is included with GW_ISA
// (the name suffix), GW_TARGET (the target attribute) and GW_WIDE (simd8.h) set for AVX-512, then
// for AVX2. On other CPUs nothing is compiled.
#if GW_X86
#define GW_ISA avx512
#define GW_TARGET GW_AVX512
#define GW_WIDE 1
#include GW_IMPL
#undef GW_ISA
#undef GW_TARGET
#undef GW_WIDE

#define GW_ISA avx2
#define GW_TARGET GW_AVX2
#define GW_WIDE 0
#include GW_IMPL
#undef GW_ISA
#undef GW_TARGET
#undef GW_WIDE
#endif
#undef GW_IMPL
