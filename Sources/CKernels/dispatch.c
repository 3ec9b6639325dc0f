// CPU feature detection for the kernels (see CKernels.h).
#include "CKernels.h"
#include "internal.h"

#include <stdatomic.h>
#include <stdlib.h>

static _Atomic int level = -1;

static int detect(void) {
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    __builtin_cpu_init();
    int found = 0;
    if (__builtin_cpu_supports("avx2")) found = 2;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) found = 3;
    const char *cap = getenv("GRADWIRE_SIMD");
    if (cap != NULL && cap[0] != '\0') {
        int wanted = atoi(cap);
        if (wanted < found) found = wanted < 2 ? 0 : wanted;
    }
    return found;
#else
    return 0;
#endif
}

int gw_simd_level(void) {
    int current = atomic_load_explicit(&level, memory_order_relaxed);
    if (current < 0) {
        current = detect();
        atomic_store_explicit(&level, current, memory_order_relaxed);
    }
    return current;
}

int gw_simd_set_level(int wanted) {
    int available = detect();
    int chosen = wanted < available ? (wanted < 2 ? 0 : wanted) : available;
    atomic_store_explicit(&level, chosen, memory_order_relaxed);
    return chosen;
}
