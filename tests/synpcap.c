/*
 * synpcap.c - writes a pcap file of COUNT bare TCP SYNs, each from a
 * different client address and port (so each is a distinct flow), for the
 * resource-limit test (tests/limits.sh): batch memory must follow the flows
 * open at once, not the flows in the file.
 *
 *   synpcap FILE COUNT [FLOWS [FLAGS]]
 *
 * Packet i comes from client i, or with FLOWS from client i % FLOWS (and the
 * same ISN each time), with the TCP flags byte FLAGS (default 2, SYN; 3,
 * SYN+FIN, makes a tcp.flags.illegal finding per packet, for the findings
 * cap). Client c has port 1024 + c % 50000 on address 10.0.0.0 + c / 50000
 * (so every 4-tuple differs); the server is 192.0.2.1:80. Frames are Ethernet, 1 ms apart, with correct IPv4
 * and TCP checksums. The file is written by hand (a 24-byte header and a
 * 16-byte header per record) through one large buffer, so two million
 * records take well under a second. Exit 0, or 1 with a message.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { FRAME_LEN = 14 + 20 + 20, RECORD_LEN = 16 + FRAME_LEN };

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32le(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Record i: the pcap record header and an Ethernet/IPv4/TCP segment from client c. */
static void make_record(uint8_t *r, uint32_t i, uint32_t c, uint8_t flags)
{
	uint64_t usec = (uint64_t)i * 1000;
	memset(r, 0, RECORD_LEN);
	put32le(r, (uint32_t)(1700000000 + usec / 1000000));
	put32le(r + 4, (uint32_t)(usec % 1000000));
	put32le(r + 8, FRAME_LEN);
	put32le(r + 12, FRAME_LEN);
	uint8_t *eth = r + 16, *ip = eth + 14, *tcp = ip + 20;
	memcpy(eth, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00", 14);
	ip[0] = 0x45;
	put16(ip + 2, 40);
	ip[8] = 64;
	ip[9] = 6;
	uint32_t host = c / 50000, port = 1024 + c % 50000; /* 50 000 ports per client address */
	ip[12] = 10;
	ip[13] = (uint8_t)(host >> 16);
	ip[14] = (uint8_t)(host >> 8);
	ip[15] = (uint8_t)host;
	memcpy(ip + 16, "\xc0\x00\x02\x01", 4);
	put16(ip + 10, fold(sum16(ip, 20, 0)));
	put16(tcp, port);
	put16(tcp + 2, 80);
	put16(tcp + 4, c * 2654435761u >> 16);
	put16(tcp + 6, c * 2654435761u);
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	put16(tcp + 14, 64240);
	uint8_t pseudo[12];
	memcpy(pseudo, ip + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = 6;
	put16(pseudo + 10, 20);
	put16(tcp + 16, fold(sum16(tcp, 20, sum16(pseudo, sizeof pseudo, 0))));
}

int main(int argc, char **argv)
{
	char *end;
	unsigned long long count = argc >= 3 ? strtoull(argv[2], &end, 10) : 0;
	unsigned long flows = argc >= 4 ? strtoul(argv[3], NULL, 10) : 0;
	unsigned long flags = argc >= 5 ? strtoul(argv[4], NULL, 0) : 2;
	if (argc < 3 || argc > 5 || *end || count == 0 || count > UINT32_MAX || flows > UINT32_MAX || flags > 255) {
		fputs("usage: synpcap FILE COUNT [FLOWS [FLAGS]] (COUNT 1 to 4294967295, FLAGS a byte)\n", stderr);
		return 1;
	}
	FILE *out = fopen(argv[1], "wb");
	if (!out) {
		perror(argv[1]);
		return 1;
	}
	static const uint8_t header[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2,	 0,    4, 0, 0, 0, 0, 0,
					   0,	 0,    0,    0,	   0xff, 0xff, 0, 0, 1, 0, 0, 0};
	enum { BATCH = 4096 };
	static uint8_t buf[BATCH * RECORD_LEN];
	int ok = fwrite(header, sizeof header, 1, out) == 1;
	for (uint64_t i = 0; ok && i < count; i += BATCH) {
		size_t n = count - i < BATCH ? (size_t)(count - i) : BATCH;
		for (size_t k = 0; k < n; k++)
			make_record(buf + k * RECORD_LEN, (uint32_t)(i + k),
				    (uint32_t)(flows ? (i + k) % flows : i + k), (uint8_t)flags);
		ok = fwrite(buf, RECORD_LEN, n, out) == n;
	}
	if (fclose(out) != 0 || !ok) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
