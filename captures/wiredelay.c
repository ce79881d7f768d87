/*
 * wiredelay.c - a fixed delay on a piece of wire, for kernels without netem.
 *
 * record.sh runs it in the wire namespace between two interfaces that are
 * not bridged: every frame that arrives on one is sent out of the other
 * --delay microseconds later, in both directions, in the order it came.
 * Nothing is dropped on purpose (the scenario's drops stay in nftables): a
 * frame the relay cannot keep or send is counted, and a non-zero count is
 * reported when it ends (SIGINT or SIGTERM), with exit status 1.
 *
 * usage: wiredelay [--delay US] IFACE_A IFACE_B   (default 2500 us)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FRAME_MAX 2048
#define QUEUE_LEN 8192 /* frames in flight per direction */

struct frame {
	long long due_ns;
	unsigned short len;
	unsigned char data[FRAME_MAX];
};

/* One direction: frames read from `in`, waiting to go out of `out`. */
struct lane {
	int in, out;
	struct frame *q;
	size_t head, count;
	unsigned long lost;
};

static volatile sig_atomic_t stop;

static void wiredelay_on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static long long wiredelay_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A raw socket on one interface that sees what arrives there, not what it
 * sends itself, with room for a burst. */
static int wiredelay_open(const char *name)
{
	int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	int one = 1, big = 8 << 20;
	struct sockaddr_ll sll;

	if (fd == -1) {
		perror("wiredelay: socket");
		exit(2);
	}
	memset(&sll, 0, sizeof sll);
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex(name);
	if (sll.sll_ifindex == 0 || bind(fd, (struct sockaddr *)&sll, sizeof sll) == -1 ||
	    setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) == -1) {
		fprintf(stderr, "wiredelay: %s: %s\n", name, strerror(errno));
		exit(2);
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big) == -1)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big) == -1)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
	return fd;
}

/* Takes every frame waiting on the lane's input. */
static void wiredelay_take(struct lane *l, long long delay_ns)
{
	for (;;) {
		unsigned char buf[FRAME_MAX];
		ssize_t n = recv(l->in, buf, sizeof buf, MSG_DONTWAIT | MSG_TRUNC);
		struct frame *f;

		if (n == -1)
			return;
		if (n > FRAME_MAX || l->count == QUEUE_LEN) {
			l->lost++;
			continue;
		}
		f = &l->q[(l->head + l->count++) % QUEUE_LEN];
		f->due_ns = wiredelay_now_ns() + delay_ns;
		f->len = (unsigned short)n;
		memcpy(f->data, buf, (size_t)n);
	}
}

/* Sends the frames that are due; returns when the next one is, or -1. */
static long long wiredelay_give(struct lane *l)
{
	while (l->count > 0) {
		struct frame *f = &l->q[l->head];

		if (f->due_ns > wiredelay_now_ns())
			return f->due_ns;
		while (send(l->out, f->data, f->len, 0) == -1) {
			if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
				l->lost++;
				break;
			}
		}
		l->head = (l->head + 1) % QUEUE_LEN;
		l->count--;
	}
	return -1;
}

int main(int argc, char **argv)
{
	long long delay_ns = 2500 * 1000LL;
	struct lane lanes[2];
	int a, b, i = 1;

	if (argc == 5 && strcmp(argv[1], "--delay") == 0) {
		delay_ns = atoll(argv[2]) * 1000LL;
		i = 3;
	}
	if (argc - i != 2 || delay_ns < 0) {
		fputs("usage: wiredelay [--delay US] IFACE_A IFACE_B\n", stderr);
		return 2;
	}
	a = wiredelay_open(argv[i]);
	b = wiredelay_open(argv[i + 1]);
	lanes[0] = (struct lane){a, b, calloc(QUEUE_LEN, sizeof(struct frame)), 0, 0, 0};
	lanes[1] = (struct lane){b, a, calloc(QUEUE_LEN, sizeof(struct frame)), 0, 0, 0};
	if (lanes[0].q == NULL || lanes[1].q == NULL) {
		fputs("wiredelay: out of memory\n", stderr);
		return 2;
	}
	signal(SIGINT, wiredelay_on_signal);
	signal(SIGTERM, wiredelay_on_signal);
	fprintf(stderr, "wiredelay: relaying %s <-> %s\n", argv[i], argv[i + 1]);
	while (!stop) {
		struct pollfd pfd[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
		long long next = -1, now;
		struct timespec ts, *tsp = NULL;

		for (int k = 0; k < 2; k++) {
			long long due = wiredelay_give(&lanes[k]);

			if (due >= 0 && (next < 0 || due < next))
				next = due;
		}
		if (next >= 0) {
			now = wiredelay_now_ns();
			next = next > now ? next - now : 0;
			ts.tv_sec = (time_t)(next / 1000000000LL);
			ts.tv_nsec = (long)(next % 1000000000LL);
			tsp = &ts;
		}
		if (ppoll(pfd, 2, tsp, NULL) > 0) {
			wiredelay_take(&lanes[0], delay_ns);
			wiredelay_take(&lanes[1], delay_ns);
		}
	}
	if (lanes[0].lost + lanes[1].lost > 0) {
		fprintf(stderr, "wiredelay: lost %lu frames\n", lanes[0].lost + lanes[1].lost);
		return 1;
	}
	return 0;
}
