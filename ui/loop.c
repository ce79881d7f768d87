/*
 * loop.c - a poll() loop over a few descriptors and periodic timers.
 * The timeout of each poll() is the time to the nearest timer, so an idle
 * program sleeps; a busy descriptor never starves the timers because timers
 * that are due run after every wake-up.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "loop.h"
#include "mem-alloc.h"

struct loop_fd {
	int fd;
	loop_fd_fn fn;
	void *ctx;
};

struct loop_timer {
	int64_t period_ms, next_ms;
	loop_timer_fn fn;
	void *ctx;
};

struct loop {
	struct loop_fd fds[LOOP_MAX_FDS];
	int nfds;
	struct loop_timer timers[LOOP_MAX_TIMERS];
	int ntimers;
};

static volatile sig_atomic_t stop_signalled;

int64_t loop_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct loop *loop_new(void)
{
	return xcalloc(1, sizeof(struct loop));
}

void loop_free(struct loop *l)
{
	free(l);
}

int loop_add_fd(struct loop *l, int fd, loop_fd_fn fn, void *ctx)
{
	if (l->nfds == LOOP_MAX_FDS)
		return -1;
	l->fds[l->nfds++] = (struct loop_fd){fd, fn, ctx};
	return 0;
}

void loop_remove_fd(struct loop *l, int fd)
{
	for (int i = 0; i < l->nfds; i++)
		if (l->fds[i].fd == fd) {
			l->fds[i] = l->fds[--l->nfds];
			return;
		}
}

int loop_add_timer(struct loop *l, int64_t period_ms, loop_timer_fn fn, void *ctx)
{
	if (l->ntimers == LOOP_MAX_TIMERS)
		return -1;
	l->timers[l->ntimers] = (struct loop_timer){period_ms, loop_now_ms() + period_ms, fn, ctx};
	return l->ntimers++;
}

void loop_stop_from_signal(void)
{
	stop_signalled = 1;
}

static bool loop_stopping(void)
{
	return stop_signalled;
}

/* Milliseconds until the nearest timer is due (-1: no timers, wait for input). */
static int next_timeout(const struct loop *l, int64_t now)
{
	int64_t best = -1;
	for (int i = 0; i < l->ntimers; i++) {
		int64_t wait = l->timers[i].next_ms - now;
		if (wait < 0)
			wait = 0;
		if (best < 0 || wait < best)
			best = wait;
	}
	return best > 60000 ? 60000 : (int)best;
}

static int run_due_timers(struct loop *l)
{
	int64_t now = loop_now_ms();
	for (int i = 0; i < l->ntimers; i++) {
		struct loop_timer *t = &l->timers[i];
		if (now < t->next_ms)
			continue;
		t->next_ms = now + t->period_ms;
		if (t->fn(t->ctx) == LOOP_STOP)
			return LOOP_STOP;
	}
	return 0;
}

int loop_run(struct loop *l)
{
	while (!loop_stopping()) {
		struct pollfd pfd[LOOP_MAX_FDS];
		int n = l->nfds;
		for (int i = 0; i < n; i++)
			pfd[i] = (struct pollfd){.fd = l->fds[i].fd, .events = POLLIN};
		int rc = poll(pfd, (nfds_t)n, next_timeout(l, loop_now_ms()));
		if (rc < 0 && errno != EINTR)
			return -1;
		for (int i = 0; rc > 0 && i < n && !loop_stopping(); i++) {
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			/* The table may change inside a callback: find the descriptor again. */
			for (int j = 0; j < l->nfds; j++)
				if (l->fds[j].fd == pfd[i].fd) {
					if (l->fds[j].fn(l->fds[j].ctx, pfd[i].fd) == LOOP_STOP)
						return 0;
					break;
				}
		}
		if (!loop_stopping() && run_due_timers(l) == LOOP_STOP)
			return 0;
	}
	return 0;
}
