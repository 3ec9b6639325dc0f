#ifndef GRADWIRE_CZLIB_SHIM_H
#define GRADWIRE_CZLIB_SHIM_H
#include <zlib.h>
#endif
