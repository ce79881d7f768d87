/*
 * floor.c - the physical floor of bench/run: a bare libpcap loop that reads
 * every record of a capture file and touches its bytes, and does nothing
 * else.  No analysis can read a file faster than this, so bench/run reports
 * tcpscope's time as a multiple of it (SPEC §12: within 5x).
 *
 * Usage: floor FILE.  Prints the record count and a checksum of the
 * captured bytes (so that the compiler cannot drop the reads); exits 2 on
 * error.  Built by bench/run with the system compiler, never installed.
 */
#define _DEFAULT_SOURCE /* libpcap's headers use u_int and u_char */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const unsigned char *data;
	uint64_t records = 0, bytes = 0, sum = 0;
	pcap_t *p;
	int rc;

	if (argc != 2) {
		fputs("usage: floor FILE\n", stderr);
		return 2;
	}
	p = pcap_open_offline(argv[1], err);
	if (!p) {
		fprintf(stderr, "floor: %s\n", err);
		return 2;
	}
	while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
		records++;
		bytes += hdr->caplen;
		/* One byte per 64-byte line is enough to bring the record in. */
		for (uint32_t i = 0; i < hdr->caplen; i += 64)
			sum += data[i];
	}
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "floor: %s\n", pcap_geterr(p));
		pcap_close(p);
		return 2;
	}
	pcap_close(p);
	printf("%llu records, %llu bytes, checksum %llu\n", (unsigned long long)records, (unsigned long long)bytes,
	       (unsigned long long)sum);
	return 0;
}
