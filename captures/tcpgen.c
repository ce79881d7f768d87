/*
 * tcpgen.c - a small TCP traffic generator for recording test captures.
 *
 * record.sh runs one tcpgen server and one tcpgen client in two network
 * namespaces to make real Linux TCP do one thing at a time (a clean close,
 * an abort, a half-close, a zero window, keep-alive probes, Fast Open...),
 * and the live-capture tests use it the same way.  Each connection follows
 * one fixed plan:
 *
 *   client: connect, [wait], send --send bytes, [shutdown if --close half],
 *           [stall], read --recv bytes, [idle], close as --close says
 *   server: accept, [stall], read --recv bytes, [wait], send --send bytes,
 *           [shutdown if --close half], [idle], close as --close says
 *
 * Close modes: "first" closes at once (active close, FIN), "last" reads until
 * the peer's FIN and then closes (passive close), "abort" closes with
 * SO_LINGER 0 (RST), "half" shuts the write side down right after sending,
 * keeps reading until the peer's FIN, then closes.
 *
 * Every run is bounded: an alarm ends the process after --timeout seconds.
 * Exit codes: 0 success, 1 network error (refused, reset, timed out, peer
 * closed early), 2 usage or local error, 3 --timeout expired.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

enum { EXIT_NET = 1, EXIT_USAGE = 2, EXIT_TIMEOUT = 3 };

enum close_mode { CLOSE_FIRST, CLOSE_LAST, CLOSE_ABORT, CLOSE_HALF };

#define RECV_TO_EOF (-1L)
#define CHUNK 16384

struct plan {
	int is_server;
	const char *addr;
	const char *port;
	int ipv6;
	long send_bytes;
	long recv_bytes; /* RECV_TO_EOF: read until the peer's FIN */
	enum close_mode close_mode;
	long wait_ms;
	long stall_ms;
	long idle_ms;
	long long close_at_ms; /* wall clock, ms since the epoch; 0: unset */
	long interval_ms;
	int count;
	int sport;
	int rcvbuf;
	int keepalive;
	int fastopen;
	int timeout_s;
	int quiet;
};

/* Prints one message prefixed by the role, as every message is. */
static void tcpgen_say(const struct plan *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "tcpgen %s: ", p->is_server ? "server" : "client");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Reports a failed system call and returns the exit code it deserves. */
static int tcpgen_fail(const struct plan *p, const char *what)
{
	int err = errno;

	tcpgen_say(p, "%s: %s", what, strerror(err));
	switch (err) {
	case ECONNREFUSED:
	case ECONNRESET:
	case ETIMEDOUT:
	case EPIPE:
	case EHOSTUNREACH:
	case ENETUNREACH:
		return EXIT_NET;
	default:
		return EXIT_USAGE;
	}
}

static void tcpgen_on_alarm(int sig)
{
	static const char msg[] = "tcpgen: --timeout expired\n";

	(void)sig;
	(void)!write(STDERR_FILENO, msg, sizeof msg - 1);
	_exit(EXIT_TIMEOUT);
}

static void tcpgen_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static long long tcpgen_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Waits until a wall-clock instant.  The last few milliseconds are spun
 * rather than slept so that two processes given the same instant act within
 * microseconds of each other (needed for a simultaneous close on a veth).
 */
static void tcpgen_wait_until(long long at_ms)
{
	long long left = at_ms - tcpgen_now_ms();

	if (left > 5)
		tcpgen_sleep_ms((long)(left - 5));
	while (tcpgen_now_ms() < at_ms)
		;
}

static int tcpgen_resolve(const struct plan *p, struct addrinfo **res)
{
	struct addrinfo hints;
	int rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = p->ipv6 ? AF_INET6 : AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (p->is_server)
		hints.ai_flags |= AI_PASSIVE;
	rc = getaddrinfo(p->addr, p->port, &hints, res);
	if (rc != 0) {
		fprintf(stderr, "tcpgen: %s port %s: %s\n", p->addr, p->port, gai_strerror(rc));
		return -1;
	}
	return 0;
}

static int tcpgen_setopt(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof value);
}

/* Keep-alive after 1 s of idleness, then every 1 s, giving up after 3. */
static int tcpgen_set_keepalive(int fd)
{
	if (tcpgen_setopt(fd, SOL_SOCKET, SO_KEEPALIVE, 1) == -1 ||
	    tcpgen_setopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, 1) == -1 ||
	    tcpgen_setopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, 1) == -1 ||
	    tcpgen_setopt(fd, IPPROTO_TCP, TCP_KEEPCNT, 3) == -1)
		return -1;
	return 0;
}

/* Options wanted before the handshake: SO_RCVBUF decides the window scale. */
static int tcpgen_pre_connect_options(const struct plan *p, int fd)
{
	if (p->rcvbuf > 0 && tcpgen_setopt(fd, SOL_SOCKET, SO_RCVBUF, p->rcvbuf) == -1)
		return -1;
	if (p->keepalive && tcpgen_set_keepalive(fd) == -1)
		return -1;
	return 0;
}

static int tcpgen_send_all(const struct plan *p, int fd, long bytes, long already_sent)
{
	char buf[CHUNK];
	long left = bytes - already_sent;

	memset(buf, 'x', sizeof buf);
	while (left > 0) {
		size_t n = left < CHUNK ? (size_t)left : CHUNK;
		ssize_t w = send(fd, buf, n, MSG_NOSIGNAL);

		if (w == -1) {
			if (errno == EINTR)
				continue;
			return tcpgen_fail(p, "send");
		}
		left -= w;
	}
	return 0;
}

/*
 * Reads `bytes` bytes, or until the peer's FIN with RECV_TO_EOF.  A FIN
 * before `bytes` bytes is an error.
 */
static int tcpgen_recv_all(const struct plan *p, int fd, long bytes)
{
	char buf[CHUNK];
	long got = 0;

	while (bytes == RECV_TO_EOF || got < bytes) {
		size_t want = CHUNK;
		ssize_t r;

		if (bytes != RECV_TO_EOF && bytes - got < CHUNK)
			want = (size_t)(bytes - got);
		r = recv(fd, buf, want, 0);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			return tcpgen_fail(p, "recv");
		}
		if (r == 0) {
			if (bytes == RECV_TO_EOF)
				return 0;
			tcpgen_say(p, "peer closed after %ld of %ld bytes", got, bytes);
			return EXIT_NET;
		}
		got += r;
	}
	return 0;
}

/*
 * Stays idle for `ms` milliseconds, as keep-alive needs, but notices a dead
 * connection: a keep-alive timeout or an RST ends the idle time with an
 * error, the peer's FIN ends it early.  Data that arrives is discarded.
 */
static int tcpgen_idle(const struct plan *p, int fd, long ms, int *peer_fin)
{
	long long end = tcpgen_now_ms() + ms;
	long long left;

	while (!*peer_fin && (left = end - tcpgen_now_ms()) > 0) {
		struct pollfd pfd = {fd, POLLIN, 0};
		char buf[CHUNK];
		ssize_t r;
		int n = poll(&pfd, 1, (int)left);

		if (n == -1 && errno != EINTR)
			return tcpgen_fail(p, "poll");
		if (n <= 0)
			continue;
		r = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
		if (r == -1 && errno != EAGAIN && errno != EINTR)
			return tcpgen_fail(p, "recv while idle");
		if (r == 0)
			*peer_fin = 1;
	}
	return 0;
}

static int tcpgen_close(const struct plan *p, int fd, int peer_fin)
{
	int rc = 0;

	if (p->close_mode == CLOSE_ABORT) {
		struct linger lg = {1, 0};

		if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) == -1)
			rc = tcpgen_fail(p, "SO_LINGER");
	} else if ((p->close_mode == CLOSE_LAST || p->close_mode == CLOSE_HALF) && !peer_fin) {
		rc = tcpgen_recv_all(p, fd, RECV_TO_EOF);
	}
	if (close(fd) == -1 && rc == 0)
		rc = tcpgen_fail(p, "close");
	return rc;
}

/* The part of a connection after the handshake, shared by both roles. */
static int tcpgen_exchange(const struct plan *p, int fd, long already_sent)
{
	int peer_fin = p->recv_bytes == RECV_TO_EOF;
	int rc = 0;

	if (p->is_server) {
		if (p->stall_ms > 0)
			tcpgen_sleep_ms(p->stall_ms);
		rc = tcpgen_recv_all(p, fd, p->recv_bytes);
		if (rc == 0 && p->wait_ms > 0)
			tcpgen_sleep_ms(p->wait_ms);
		if (rc == 0)
			rc = tcpgen_send_all(p, fd, p->send_bytes, already_sent);
		if (rc == 0 && p->close_mode == CLOSE_HALF && shutdown(fd, SHUT_WR) == -1)
			rc = tcpgen_fail(p, "shutdown");
	} else {
		rc = tcpgen_send_all(p, fd, p->send_bytes, already_sent);
		if (rc == 0 && p->close_mode == CLOSE_HALF && shutdown(fd, SHUT_WR) == -1)
			rc = tcpgen_fail(p, "shutdown");
		if (rc == 0 && p->stall_ms > 0)
			tcpgen_sleep_ms(p->stall_ms);
		if (rc == 0)
			rc = tcpgen_recv_all(p, fd, p->recv_bytes);
	}
	if (rc == 0 && p->idle_ms > 0)
		rc = tcpgen_idle(p, fd, p->idle_ms, &peer_fin);
	if (rc == 0 && p->close_at_ms > 0)
		tcpgen_wait_until(p->close_at_ms);
	if (rc != 0) {
		close(fd);
		return rc;
	}
	return tcpgen_close(p, fd, peer_fin);
}

static int tcpgen_serve(const struct plan *p)
{
	struct addrinfo *ai;
	int lfd, rc = 0;

	if (tcpgen_resolve(p, &ai) == -1)
		return EXIT_USAGE;
	lfd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (lfd == -1 || tcpgen_setopt(lfd, SOL_SOCKET, SO_REUSEADDR, 1) == -1 ||
	    tcpgen_pre_connect_options(p, lfd) == -1 ||
	    (p->fastopen && tcpgen_setopt(lfd, IPPROTO_TCP, TCP_FASTOPEN, 16) == -1) ||
	    bind(lfd, ai->ai_addr, ai->ai_addrlen) == -1 || listen(lfd, 128) == -1) {
		rc = tcpgen_fail(p, "listen");
		freeaddrinfo(ai);
		return rc;
	}
	freeaddrinfo(ai);
	if (!p->quiet)
		tcpgen_say(p, "listening on %s port %s", p->addr, p->port);
	for (int i = 0; i < p->count && rc == 0; i++) {
		int fd = accept(lfd, NULL, NULL);

		if (fd == -1)
			rc = tcpgen_fail(p, "accept");
		else
			rc = tcpgen_exchange(p, fd, 0);
	}
	close(lfd);
	return rc;
}

/*
 * Opens one client connection.  With Fast Open the first bytes to send (up
 * to 1000, before any --wait) ride on the SYN: sendto with MSG_FASTOPEN
 * connects and sends at once.  *sent says how many bytes that took.
 */
static int tcpgen_connect(const struct plan *p, const struct addrinfo *ai, int *fdp, long *sent)
{
	int fd = socket(ai->ai_family, SOCK_STREAM, 0);

	*sent = 0;
	if (fd == -1)
		return tcpgen_fail(p, "socket");
	if (tcpgen_pre_connect_options(p, fd) == -1) {
		close(fd);
		return tcpgen_fail(p, "setsockopt");
	}
	if (p->sport > 0) {
		struct sockaddr_storage local;

		memset(&local, 0, sizeof local);
		local.ss_family = (sa_family_t)ai->ai_family;
		if (ai->ai_family == AF_INET6)
			((struct sockaddr_in6 *)&local)->sin6_port = htons((uint16_t)p->sport);
		else
			((struct sockaddr_in *)&local)->sin_port = htons((uint16_t)p->sport);
		if (tcpgen_setopt(fd, SOL_SOCKET, SO_REUSEADDR, 1) == -1 ||
		    bind(fd, (struct sockaddr *)&local, ai->ai_addrlen) == -1) {
			int rc = tcpgen_fail(p, "bind");

			close(fd);
			return rc;
		}
	}
	if (p->fastopen && p->send_bytes > 0) {
		char buf[1000];
		size_t n = p->send_bytes < (long)sizeof buf ? (size_t)p->send_bytes : sizeof buf;
		ssize_t w;

		memset(buf, 'x', n);
		w = sendto(fd, buf, n, MSG_FASTOPEN | MSG_NOSIGNAL, ai->ai_addr, ai->ai_addrlen);
		if (w == -1) {
			int rc = tcpgen_fail(p, "sendto MSG_FASTOPEN");

			close(fd);
			return rc;
		}
		*sent = w;
	} else if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		int rc = tcpgen_fail(p, "connect");

		close(fd);
		return rc;
	}
	*fdp = fd;
	return 0;
}

static int tcpgen_run_client(const struct plan *p)
{
	struct addrinfo *ai;
	int rc = 0;

	if (tcpgen_resolve(p, &ai) == -1)
		return EXIT_USAGE;
	for (int i = 0; i < p->count && rc == 0; i++) {
		int fd = -1;
		long sent;

		if (i > 0 && p->interval_ms > 0)
			tcpgen_sleep_ms(p->interval_ms);
		rc = tcpgen_connect(p, ai, &fd, &sent);
		if (rc != 0)
			break;
		if (p->wait_ms > 0)
			tcpgen_sleep_ms(p->wait_ms);
		rc = tcpgen_exchange(p, fd, sent);
	}
	freeaddrinfo(ai);
	return rc;
}

static void tcpgen_usage(FILE *f)
{
	fputs("usage: tcpgen server|client [options]\n"
	      "  -a, --addr ADDR       server: listen address; client: server "
	      "address\n"
	      "                        (default 127.0.0.1, or ::1 / :: with -6)\n"
	      "  -p, --port PORT       TCP port (default 5000)\n"
	      "  -6, --ipv6            use IPv6\n"
	      "  -s, --send N          bytes to send (default 0)\n"
	      "  -r, --recv N|eof      bytes to read, or until the peer's FIN "
	      "(default 0)\n"
	      "  -c, --close MODE      first | last | abort | half (default: "
	      "client first,\n"
	      "                        server last)\n"
	      "  -w, --wait MS         pause before sending (client: right after "
	      "connect)\n"
	      "  -S, --stall MS        pause before reading (lets the window "
	      "close)\n"
	      "  -i, --idle MS         stay idle before closing\n"
	      "  -t, --close-at MS     close at this wall-clock time (ms since "
	      "the epoch)\n"
	      "  -n, --count N         connections to make or accept (default 1)\n"
	      "  -I, --interval MS     client: pause between connections\n"
	      "  -P, --sport PORT      client: fixed source port (SO_REUSEADDR)\n"
	      "  -b, --rcvbuf BYTES    SO_RCVBUF before the handshake\n"
	      "  -k, --keepalive       SO_KEEPALIVE, idle 1 s, interval 1 s, 3 "
	      "probes\n"
	      "  -f, --fastopen        TCP Fast Open (server TCP_FASTOPEN, client "
	      "MSG_FASTOPEN)\n"
	      "  -T, --timeout S       give up after S seconds (default 15), exit "
	      "3\n"
	      "  -q, --quiet           no progress messages\n"
	      "exit: 0 ok, 1 network error, 2 usage or local error, 3 timeout\n",
	      f);
}

/* Parses a non-negative decimal number no larger than max into *v. */
static int tcpgen_number(const char *name, const char *s, long long max, long long *v)
{
	char *end;

	errno = 0;
	*v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *v < 0 || *v > max) {
		fprintf(stderr, "tcpgen: bad %s '%s'\n", name, s);
		return -1;
	}
	return 0;
}

static int tcpgen_close_mode(const char *s, enum close_mode *mode)
{
	static const char *const names[] = {"first", "last", "abort", "half"};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(s, names[i]) == 0) {
			*mode = (enum close_mode)i;
			return 0;
		}
	}
	fprintf(stderr, "tcpgen: bad --close '%s'\n", s);
	return -1;
}

/* Fills *p from the command line; returns -1 after a message on error. */
static int tcpgen_parse(int argc, char **argv, struct plan *p)
{
	static const struct option longopts[] = {
		{"addr", required_argument, NULL, 'a'},	   {"port", required_argument, NULL, 'p'},
		{"ipv6", no_argument, NULL, '6'},	   {"send", required_argument, NULL, 's'},
		{"recv", required_argument, NULL, 'r'},	   {"close", required_argument, NULL, 'c'},
		{"wait", required_argument, NULL, 'w'},	   {"stall", required_argument, NULL, 'S'},
		{"idle", required_argument, NULL, 'i'},	   {"close-at", required_argument, NULL, 't'},
		{"count", required_argument, NULL, 'n'},   {"interval", required_argument, NULL, 'I'},
		{"sport", required_argument, NULL, 'P'},   {"rcvbuf", required_argument, NULL, 'b'},
		{"keepalive", no_argument, NULL, 'k'},	   {"fastopen", no_argument, NULL, 'f'},
		{"timeout", required_argument, NULL, 'T'}, {"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},	   {NULL, 0, NULL, 0},
	};
	const long long big = 1LL << 40, ms = 3600 * 1000;
	int close_mode_set = 0, opt, bad = 0;
	long long v = 0;

	if (argc < 2 || (strcmp(argv[1], "server") != 0 && strcmp(argv[1], "client") != 0)) {
		tcpgen_usage(stderr);
		return -1;
	}
	p->is_server = strcmp(argv[1], "server") == 0;
	p->port = "5000";
	p->count = 1;
	p->timeout_s = 15;
	optind = 2;
	while (!bad && (opt = getopt_long(argc, argv, "a:p:6s:r:c:w:S:i:t:n:I:P:b:kfT:qh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'a':
			p->addr = optarg;
			break;
		case 'p':
			bad = tcpgen_number("--port", optarg, 65535, &v);
			p->port = optarg;
			break;
		case '6':
			p->ipv6 = 1;
			break;
		case 's':
			bad = tcpgen_number("--send", optarg, big, &v);
			p->send_bytes = (long)v;
			break;
		case 'r':
			if (strcmp(optarg, "eof") == 0)
				v = RECV_TO_EOF;
			else
				bad = tcpgen_number("--recv", optarg, big, &v);
			p->recv_bytes = (long)v;
			break;
		case 'c':
			bad = tcpgen_close_mode(optarg, &p->close_mode);
			close_mode_set = 1;
			break;
		case 'w':
			bad = tcpgen_number("--wait", optarg, ms, &v);
			p->wait_ms = (long)v;
			break;
		case 'S':
			bad = tcpgen_number("--stall", optarg, ms, &v);
			p->stall_ms = (long)v;
			break;
		case 'i':
			bad = tcpgen_number("--idle", optarg, ms, &v);
			p->idle_ms = (long)v;
			break;
		case 't':
			bad = tcpgen_number("--close-at", optarg, big * 1000, &v);
			p->close_at_ms = v;
			break;
		case 'n':
			bad = tcpgen_number("--count", optarg, 1000000, &v);
			p->count = (int)v;
			break;
		case 'I':
			bad = tcpgen_number("--interval", optarg, ms, &v);
			p->interval_ms = (long)v;
			break;
		case 'P':
			bad = tcpgen_number("--sport", optarg, 65535, &v);
			p->sport = (int)v;
			break;
		case 'b':
			bad = tcpgen_number("--rcvbuf", optarg, 1 << 30, &v);
			p->rcvbuf = (int)v;
			break;
		case 'k':
			p->keepalive = 1;
			break;
		case 'f':
			p->fastopen = 1;
			break;
		case 'T':
			bad = tcpgen_number("--timeout", optarg, 86400, &v);
			p->timeout_s = (int)v;
			break;
		case 'q':
			p->quiet = 1;
			break;
		case 'h':
			tcpgen_usage(stdout);
			exit(0);
		default:
			bad = -1;
			break;
		}
	}
	if (bad || optind != argc) {
		tcpgen_usage(stderr);
		return -1;
	}
	if (p->addr == NULL)
		p->addr = p->is_server ? (p->ipv6 ? "::" : "0.0.0.0") : (p->ipv6 ? "::1" : "127.0.0.1");
	else if (strchr(p->addr, ':') != NULL)
		p->ipv6 = 1;
	if (!close_mode_set)
		p->close_mode = p->is_server ? CLOSE_LAST : CLOSE_FIRST;
	return 0;
}

int main(int argc, char **argv)
{
	struct plan p;

	memset(&p, 0, sizeof p);
	if (tcpgen_parse(argc, argv, &p) == -1)
		return EXIT_USAGE;
	signal(SIGALRM, tcpgen_on_alarm);
	alarm((unsigned)p.timeout_s);
	return p.is_server ? tcpgen_serve(&p) : tcpgen_run_client(&p);
}
