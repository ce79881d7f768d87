/*
 * synflood.c - sends COUNT bare TCP SYNs over a raw socket, each from a
 * different source port (and so a distinct 4-tuple), for tests/live.sh: a
 * SYN flood must not grow tcpscope's memory past --max-flows.
 *
 *   synflood DST_IPV4 DST_PORT COUNT
 *
 * The kernel builds the IPv4 header (no IP_HDRINCL); the source address is
 * the one the kernel would use to reach DST, found with a connected UDP
 * socket, because the TCP checksum covers it. Needs CAP_NET_RAW. Only for
 * the network namespaces the test creates. Exit 0 on success, 1 on error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint32_t synflood_sum(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static void synflood_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void synflood_put32(uint8_t *p, uint32_t v)
{
	synflood_put16(p, (uint16_t)(v >> 16));
	synflood_put16(p + 2, (uint16_t)v);
}

/* The local address the kernel routes from towards dst. */
static int synflood_source(const struct sockaddr_in *dst, struct in_addr *src)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in local;
	socklen_t len = sizeof local;
	int rc = fd >= 0 && connect(fd, (const struct sockaddr *)dst, sizeof *dst) == 0 &&
				 getsockname(fd, (struct sockaddr *)&local, &len) == 0
			 ? 0
			 : -1;
	if (fd >= 0)
		close(fd);
	*src = local.sin_addr;
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fputs("usage: synflood DST_IPV4 DST_PORT COUNT\n", stderr);
		return 1;
	}
	struct sockaddr_in dst = {.sin_family = AF_INET};
	long port = strtol(argv[2], NULL, 10), count = strtol(argv[3], NULL, 10);
	if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1 || port < 1 || port > 65535 || count < 1 || count > 60000) {
		fputs("synflood: bad address, port or count (at most 60000)\n", stderr);
		return 1;
	}
	struct in_addr src;
	if (synflood_source(&dst, &src) != 0) {
		perror("synflood: no route");
		return 1;
	}
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_TCP);
	if (fd < 0) {
		perror("synflood: raw socket (needs CAP_NET_RAW)");
		return 1;
	}
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	for (long i = 0; i < count; i++) {
		uint8_t tcp[20] = {0}, pseudo[12];
		synflood_put16(tcp, (uint16_t)(1024 + i));
		synflood_put16(tcp + 2, (uint16_t)port);
		synflood_put32(tcp + 4, (uint32_t)random());
		tcp[12] = 5 << 4; /* 20-byte header, no options */
		tcp[13] = 0x02;	  /* SYN */
		synflood_put16(tcp + 14, 64240);
		memcpy(pseudo, &src, 4);
		memcpy(pseudo + 4, &dst.sin_addr, 4);
		pseudo[8] = 0;
		pseudo[9] = IPPROTO_TCP;
		synflood_put16(pseudo + 10, sizeof tcp);
		uint32_t sum = synflood_sum(tcp, sizeof tcp, synflood_sum(pseudo, sizeof pseudo, 0));
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		synflood_put16(tcp + 16, (uint16_t)~sum);
		if (sendto(fd, tcp, sizeof tcp, 0, (const struct sockaddr *)&dst, sizeof dst) != (ssize_t)sizeof tcp) {
			perror("synflood: sendto");
			return 1;
		}
		if (i % 256 == 255)
			usleep(2000); /* pace it a little: the point is many flows, not drops */
	}
	close(fd);
	return 0;
}
