/*
 * mem-poison.h - marking memory that is kept for reuse but must not be
 * touched meanwhile (a flow slot given back, a cached block), so that
 * AddressSanitizer reports a use after it was given back although the
 * memory stays mapped. Outside AddressSanitizer builds the marks are no-ops.
 */
#ifndef TCPSCOPE_MEM_POISON_H
#define TCPSCOPE_MEM_POISON_H

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#else
#define ASAN_POISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#endif

#endif
