/*
 * loop.h - the one event loop of the program (STYLE.md principle 11, after
 * redis's ae.c): file descriptors to watch for input (the capture, the
 * keyboard) and timers (redraw, statistics, stop conditions), served by a
 * single poll(). Callbacks run in the loop's thread; none may block. A
 * callback returns 0 to go on or LOOP_STOP to end loop_run().
 */
#ifndef TCPSCOPE_LOOP_H
#define TCPSCOPE_LOOP_H

#include <stdint.h>

#define LOOP_MAX_FDS 8
#define LOOP_MAX_TIMERS 8
#define LOOP_STOP 1

typedef int (*loop_fd_fn)(void *ctx, int fd);
typedef int (*loop_timer_fn)(void *ctx);

struct loop;

struct loop *loop_new(void);
void loop_free(struct loop *l);
/* Calls fn whenever fd is readable (or hung up). Returns 0, or -1 if full. */
int loop_add_fd(struct loop *l, int fd, loop_fd_fn fn, void *ctx);
void loop_remove_fd(struct loop *l, int fd);
/* Calls fn every period_ms milliseconds. Returns a timer id, or -1 if full. */
int loop_add_timer(struct loop *l, int64_t period_ms, loop_timer_fn fn, void *ctx);
/*
 * Makes every loop_run() return after the current callback, from a signal
 * handler: it only sets a
 * sig_atomic_t, so it is safe at any moment, even after the loop was freed
 * (a second Ctrl-C during shutdown). poll() returns EINTR and the loop ends.
 */
void loop_stop_from_signal(void);
/* Runs until a callback returns LOOP_STOP or loop_stop_from_signal() is called; returns 0, or -1 on a poll error. */
int loop_run(struct loop *l);
/* Monotonic milliseconds, for callers measuring intervals. */
int64_t loop_now_ms(void);

#endif
