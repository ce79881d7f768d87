/*
 * capture-map.c - read-only file mappings and the SIGBUS handler that makes
 * them safe against a file cut short while mapped (capture-map.h). The handler
 * is the program's to install (file_map_guard_sigbus); until it has, no file
 * is mapped.
 *
 * The mappings are listed in a fixed table of atomic pointers, which the
 * handler searches without locks: a mapping is published only once filled
 * in, and withdrawn before it is unmapped. In the handler, only
 * async-signal-safe work: loads, mmap() (a system call on Linux), stores.
 */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "capture-map.h"
#include "mem-alloc.h"

#define MAX_MAPPINGS 64		/* open at once: one per thread of a split report */
#define RELEASE_STEP (8u << 20) /* bytes read between two hand-backs of pages */

struct file_map {
	uint8_t *base;
	size_t len;	 /* bytes mapped: the file's size when mapped */
	size_t released; /* pages before this offset are given back */
	volatile sig_atomic_t cut;
	int slot;
};

static struct file_map *_Atomic mappings[MAX_MAPPINGS];
static struct sigaction previous_sigbus;
static size_t page_size;
static pthread_once_t handler_once = PTHREAD_ONCE_INIT;
static atomic_bool guarded;

static uintptr_t page_down(uintptr_t a)
{
	return a & ~(uintptr_t)(page_size - 1);
}

static uintptr_t page_up(uintptr_t a)
{
	return page_down(a + page_size - 1);
}

static void on_sigbus(int sig, siginfo_t *info, void *context)
{
	(void)sig;
	(void)context;
	uintptr_t at = (uintptr_t)info->si_addr;
	for (int i = 0; i < MAX_MAPPINGS; i++) {
		struct file_map *m = atomic_load(&mappings[i]);
		if (!m || at < (uintptr_t)m->base || at >= (uintptr_t)m->base + m->len)
			continue;
		uintptr_t from = page_down(at), to = page_up((uintptr_t)m->base + m->len);
		if (mmap((void *)from, to - from, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
		    MAP_FAILED)
			break;
		m->cut = 1;
		return; /* the access is made again, and reads zeros */
	}
	/* Not a mapping of ours: the access faults again, now under the handler from before. */
	sigaction(SIGBUS, &previous_sigbus, NULL);
}

static void install_handler(void)
{
	page_size = (size_t)sysconf(_SC_PAGESIZE);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &previous_sigbus);
	atomic_store(&guarded, true);
}

void file_map_guard_sigbus(void)
{
	pthread_once(&handler_once, install_handler);
}

struct file_map *file_map_open(int fd, uint64_t size)
{
	if (size == 0 || size > SIZE_MAX || !atomic_load(&guarded))
		return NULL; /* unguarded, a cut file would kill the process: read() it */
	struct file_map *m = xcalloc(1, sizeof *m);
	m->len = (size_t)size;
	void *p = mmap(NULL, m->len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		free(m);
		return NULL;
	}
	m->base = p;
	madvise(p, m->len, MADV_SEQUENTIAL);
	for (m->slot = 0; m->slot < MAX_MAPPINGS; m->slot++) {
		struct file_map *empty = NULL;
		if (atomic_compare_exchange_strong(&mappings[m->slot], &empty, m))
			return m;
	}
	munmap(p, m->len); /* no room in the table: unprotected, so not mapped */
	free(m);
	return NULL;
}

const uint8_t *file_map_data(const struct file_map *m)
{
	return m->base;
}

const volatile sig_atomic_t *file_map_cut_flag(const struct file_map *m)
{
	return &m->cut;
}

size_t file_map_release(struct file_map *m, size_t done)
{
	size_t upto = page_down(done);
	if (upto > m->released) {
		madvise(m->base + m->released, upto - m->released, MADV_DONTNEED);
		m->released = upto;
	}
	return m->released + RELEASE_STEP;
}

void file_map_close(struct file_map *m)
{
	if (!m)
		return;
	atomic_store(&mappings[m->slot], NULL);
	munmap(m->base, m->len);
	free(m);
}
