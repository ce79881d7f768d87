/*
 * tcp-seq.h - sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4).
 * Every comparison of sequence or acknowledgement numbers in tcpscope goes
 * through these macros; a raw < on sequence numbers is a bug.
 */
#ifndef TCPSCOPE_TCP_SEQ_H
#define TCPSCOPE_TCP_SEQ_H

#include <stdint.h>

#define SEQ_DIFF(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)))
#define SEQ_LT(a, b) (SEQ_DIFF(a, b) < 0)
#define SEQ_LEQ(a, b) (SEQ_DIFF(a, b) <= 0)
#define SEQ_GT(a, b) (SEQ_DIFF(a, b) > 0)
#define SEQ_GEQ(a, b) (SEQ_DIFF(a, b) >= 0)
#define SEQ_MAX(a, b) (SEQ_GT(a, b) ? (a) : (b))
#define SEQ_MIN(a, b) (SEQ_LT(a, b) ? (a) : (b))

#endif
