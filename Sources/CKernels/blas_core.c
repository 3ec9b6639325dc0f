// OpenBLAS core selection on CPUs newer than the installed OpenBLAS (see CKernels.h).
//
// A DYNAMIC_ARCH OpenBLAS picks its kernels from the CPU model when the library loads. A model it
// does not know (e.g. Emerald Rapids under Debian 12's 0.3.21) gets the generic "Prescott" (SSE3)
// kernels, about half the speed of the AVX-512 ones on the Gram matrices of the robust rules and the
// products of training. OpenBLAS's own remedy is the OPENBLAS_CORETYPE variable, read by
// gotoblas_dynamic_init; this file sets it from the CPU's features and re-runs that initialisation,
// once, before the process's first BLAS call. The library is reached through dlsym, so a BLAS
// without these entry points (a single-target build, another vendor) is left as it is.
#define _GNU_SOURCE
#include "CKernels.h"
#include "internal.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void copyName(const char *from, char *to, int capacity) {
    if (to == NULL || capacity <= 0) return;
    strncpy(to, from != NULL ? from : "", (size_t)capacity - 1);
    to[capacity - 1] = '\0';
}

/// The OpenBLAS core the CPU's features call for, or NULL when the generic one is all it has.
static const char *wantedCore(void) {
#if GW_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512cd"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
    if (__builtin_cpu_supports("avx")) return "Sandybridge";
#endif
    return NULL;
}

int gw_blas_select_core(char *name, int capacity) {
    copyName("", name, capacity);
    typedef char *(*CoreName)(void);
    typedef void (*Hook)(void);
    CoreName coreName = (CoreName)dlsym(RTLD_DEFAULT, "openblas_get_corename");
    if (coreName == NULL) return 0;
    const char *current = coreName();
    copyName(current, name, capacity);
    const char *forced = getenv("OPENBLAS_CORETYPE");
    if (forced != NULL && forced[0] != '\0') return 0;  // the user's choice stands
    if (current == NULL || strcasecmp(current, "Prescott") != 0) return 0;
    const char *wanted = wantedCore();
    Hook quit = (Hook)dlsym(RTLD_DEFAULT, "gotoblas_dynamic_quit");
    Hook init = (Hook)dlsym(RTLD_DEFAULT, "gotoblas_dynamic_init");
    if (wanted == NULL || quit == NULL || init == NULL) return 0;
    if (setenv("OPENBLAS_CORETYPE", wanted, 1) != 0) return 0;
    quit();
    init();
    unsetenv("OPENBLAS_CORETYPE");
    current = coreName();
    copyName(current, name, capacity);
    return current != NULL && strcasecmp(current, wanted) == 0 ? 1 : -1;
}
