#ifndef GRADWIRE_CZEROMQ_SHIM_H
#define GRADWIRE_CZEROMQ_SHIM_H
#include <zmq.h>
#endif
