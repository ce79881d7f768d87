/*
 * check-packetdrill.c - Check suite for packetdrill scripts (src/packetdrill-
 * parse.c, src/packetdrill-match.c, the notation rule of script_load()).
 *
 * The grammar: a script with every construct packetdrill's parser takes
 * parses into the events it should, with their times, options and the
 * system under test they tell; bad scripts fail with "t.pkt:LINE:COLUMN:".
 * The meaning: hand-made packets, as a capture of the run would show them,
 * go through the matcher: packetdrill's sequence mapping on both sides in a
 * passive and an active open, the TS ecr mapping, TSO segments gathered
 * (and not with --strict-segments), the clock that counts from system
 * calls, several connections, --peer-from-trace, and a line left unmatched.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "packetdrill.h"
#include "script.h"

static char err[512];

static struct packetdrill_script *parse(const char *text)
{
	struct packetdrill_script *s = packetdrill_parse(text, "t.pkt", err, sizeof err);
	ck_assert_msg(s != NULL, "should parse: %s", err);
	return s;
}

/* ---- Grammar ------------------------------------------------------------ */

static const char everything[] =
	"--tolerance_usecs=10000\n"					 /* 1 */
	"--local_ip=192.168.0.1\n"					 /* 2 */
	"`../common/defaults.sh\n"					 /* 3 */
	" sysctl -q net.ipv4.tcp_ecn=1`\n"				 /* 4 */
	"/* a C comment\n"						 /* 5 */
	"   over two lines */\n"					 /* 6 */
	"    0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3 // a comment\n" /* 7 */
	"   +0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n"	 /* 8 */
	"   +0 bind(3, ..., ...) = 0\n"					 /* 9 */
	"   +0 listen(3, 1) = 0\n"					 /* 10 */
	"+0...0.200 accept(3, ..., ...) = 4\n"				 /* 11 */
	"  +.1 < [ect0] SEW 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,FOEXP TFO_COOKIE,md5 "
	"0123456789abcdef0123456789abcdef>\n"							 /* 12 */
	"   +0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8,FO abcd1234>\n"		 /* 13 */
	"--tolerance_percent=50\n"								 /* 14 */
	"+.1~+.2 > . 1:1(0) ack 1 <...>\n"							 /* 15 */
	"    1.5 < P. 1:11(10) ack 1 win 257 urg 3 <nop,nop,TS val 7 ecr 100,sack 5:10 20:30>\n" /* 16 */
	"    * > - 1:1(0)\n"									 /* 17 */
	"   +0 < icmp unreachable frag_needed mtu 840 [0:1000(1000)]\n"				 /* 18 */
	"   +0 < udp (100)\n"									 /* 19 */
	"   +0 %{ assert tcpi_rtt > 0; print(tcpi_rtt) }%\n"					 /* 20 */
	"   +0 recvmsg(4, {msg_name(...)=...,\n"						 /* 21 */
	"                  msg_iov(1)=[{...,0}],\n"						 /* 22 */
	"                  msg_flags=MSG_ERRQUEUE|MSG_TRUNC}, MSG_ERRQUEUE) = -1 EAGAIN (Resource "
	"temporarily unavailable)\n"									   /* 23 */
	"   +0 `tc qdisc show; true`\n"									   /* 24 */
	"   +0 > [ce] F. 1:1(0) ack 11 <mpcapable v1 flags[flag_h] key[skey],nop,ECN e1b 1 ceb 0 e0b 1>\n" /* 25 */
	"`/tmp/cleanup.sh`\n";										   /* 26 */

START_TEST(test_grammar_whole)
{
	struct packetdrill_script *s = parse(everything);
	static const struct {
		unsigned line;
		enum packetdrill_event_kind kind;
		enum packetdrill_time time;
	} want[] = {
		{3, PD_EV_COMMAND, PD_TIME_NONE}, {7, PD_EV_SYSCALL, PD_TIME_ABS},  {8, PD_EV_SYSCALL, PD_TIME_REL},
		{9, PD_EV_SYSCALL, PD_TIME_REL},  {10, PD_EV_SYSCALL, PD_TIME_REL}, {11, PD_EV_SYSCALL, PD_TIME_REL},
		{12, PD_EV_TCP, PD_TIME_REL},	  {13, PD_EV_TCP, PD_TIME_REL},	    {15, PD_EV_TCP, PD_TIME_REL_RANGE},
		{16, PD_EV_TCP, PD_TIME_ABS},	  {17, PD_EV_TCP, PD_TIME_ANY},	    {18, PD_EV_ICMP, PD_TIME_REL},
		{19, PD_EV_UDP, PD_TIME_REL},	  {20, PD_EV_CODE, PD_TIME_REL},    {21, PD_EV_SYSCALL, PD_TIME_REL},
		{24, PD_EV_COMMAND, PD_TIME_REL}, {25, PD_EV_TCP, PD_TIME_REL},	    {26, PD_EV_COMMAND, PD_TIME_NONE},
	};
	ck_assert_uint_eq(s->count, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < s->count; i++) {
		ck_assert_uint_eq(s->events[i].line, want[i].line);
		ck_assert_int_eq(s->events[i].kind, want[i].kind);
		ck_assert_int_eq(s->events[i].time_kind, want[i].time);
	}
	ck_assert_uint_eq(s->npackets, 6);
	ck_assert_uint_eq(s->nconns, 1);
	ck_assert_int_eq(s->role, PD_ROLE_SERVER);
	ck_assert(s->has_local_ip);
	ck_assert_uint_eq(s->local_ip[0], 192);
	ck_assert_uint_eq(s->local_ip[3], 1);
	/* Option lines apply from where they stand. */
	ck_assert_int_eq(s->events[6].tolerance_ns, 10000000);
	ck_assert(s->events[6].tolerance_percent == 12.5);
	ck_assert(s->events[8].tolerance_percent == 50);
	ck_assert_int_eq(s->events[8].time_ns, 100000000);
	ck_assert_int_eq(s->events[8].end_ns, 200000000);
	ck_assert_int_eq(s->events[9].time_ns, 1500000000);

	const struct packetdrill_packet *syn = &s->events[6].pkt;
	ck_assert(!syn->outbound);
	ck_assert_uint_eq(syn->flags, TCP_SYN | TCP_ECE | TCP_CWR);
	ck_assert_int_eq(syn->ecn, PD_ECN_ECT0);
	ck_assert(syn->has_win && !syn->has_ack);
	ck_assert_uint_eq(syn->win, 32792);
	ck_assert_uint_eq(syn->nopts, 6);
	ck_assert_uint_eq(syn->opts[4].kind, TCPOPT_EXPERIMENTAL);
	ck_assert(syn->opts[4].symbolic); /* TFO_COOKIE is a --define: any cookie */
	ck_assert_uint_eq(syn->opts[5].kind, TCPOPT_MD5);
	ck_assert_uint_eq(syn->opts[5].bytes, 16);
	const struct packetdrill_packet *synack = &s->events[7].pkt;
	ck_assert(synack->outbound && synack->has_ack && !synack->has_win);
	ck_assert_uint_eq(synack->opts[6].kind, TCPOPT_TFO);
	ck_assert_uint_eq(synack->opts[6].bytes, 4);
	ck_assert(!synack->opts[6].symbolic);
	ck_assert(s->events[8].pkt.options_any);
	const struct packetdrill_packet *data = &s->events[9].pkt;
	ck_assert(data->has_urg);
	ck_assert_uint_eq(data->urg, 3);
	ck_assert_uint_eq(data->seq, 1);
	ck_assert_uint_eq(data->len, 10);
	ck_assert_uint_eq(data->opts[2].val[0], 7);
	ck_assert_uint_eq(data->opts[2].val[1], 100);
	ck_assert_uint_eq(data->opts[3].nsack, 2);
	ck_assert_uint_eq(data->opts[3].sack[1][1], 30);
	ck_assert_uint_eq(s->events[10].pkt.flags, 0);
	const struct packetdrill_packet *fin = &s->events[16].pkt;
	ck_assert_int_eq(fin->ecn, PD_ECN_CE);
	ck_assert_uint_eq(fin->opts[0].kind, TCPOPT_MPTCP);
	ck_assert_uint_eq(fin->opts[1].kind, TCPOPT_NOP);
	ck_assert_uint_eq(fin->opts[2].kind, TCPOPT_ACCECN1);
	ck_assert_str_eq(s->events[1].text, "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3");
	ck_assert_str_eq(s->events[14].text, "+0 recvmsg(4, {msg_name(...)=..., msg_iov(1)=[{...,0}], "
					     "msg_flags=MSG_ERRQUEUE|MSG_TRUNC}, MSG_ERRQUEUE) = -1 EAGAIN "
					     "(Resource temporarily unavailable)");
	packetdrill_free(s);
}
END_TEST

START_TEST(test_grammar_connections_and_roles)
{
	struct packetdrill_script *s = parse("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
					     "+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)\n"
					     "+0 > S 0:0(0) <mss 1460>\n"
					     "+1 > S 0:0(0) <mss 1460>\n" /* a retransmission: a new connection too */
					     "+0 < S. 0:0(0) ack 1 win 100\n"
					     "+0 close(3) = 0\n"
					     "+0 sendto(4, ..., 100, MSG_FASTOPEN, ..., ...) = 100\n"
					     "+0 > S 0:100(100) <FO 0011223344556677>\n");
	ck_assert_int_eq(s->role, PD_ROLE_CLIENT);
	ck_assert_uint_eq(s->nconns, 3);
	ck_assert_uint_eq(s->events[4].pkt.conn, 1);
	ck_assert_uint_eq(s->events[7].pkt.conn, 2);
	ck_assert_uint_eq(s->events[7].pkt.opts[0].bytes, 8);
	packetdrill_free(s);
	/* A sendto without MSG_FASTOPEN says nothing; an accept later does. */
	s = parse("0 sendto(3, ..., 10, 0, ..., ...) = 10\n+0 accept(3, ..., ...) = 4\n+0 < S 0:0(0) win 1\n");
	ck_assert_int_eq(s->role, PD_ROLE_SERVER);
	packetdrill_free(s);
}
END_TEST

static const struct {
	const char *text;
	const char *error;
} bad[] = {
	{"0 socket(..., SOCK_STREAM) = 3\n/* never closed\n+0 > S 0:0(0)\n",
	 "t.pkt:2:1: this /* comment is never closed"},
	{"`defaults.sh\n0 > S 0:0(0)\n", "t.pkt:1:1: this ` is never closed"},
	{"0 %{ print(1)\n+0 > S 0:0(0)\n", "t.pkt:1:3: this %{ python block is never closed by }%"},
	{"0 > SX 0:0(0)\n",
	 "t.pkt:1:6: unknown flag 'X' (flags are F S R P . E W U A, an ACE digit 0-7, or - for none)"},
	{"0 > P8. 1:1(0)\n",
	 "t.pkt:1:6: unknown flag '8' (flags are F S R P . E W U A, an ACE digit 0-7, or - for none)"},
	{"0 > S 0:0(0)\n+0 < [1:1(0)] S 1:1(0)\n", "t.pkt:2:15: expected icmp after the echoed packet [...], not 'S'"},
	{"0 > S 0:0(0)\n+0 < addr[caddr1] > addr[saddr1] S 0:0(0)\n",
	 "t.pkt:2:6: per-packet addresses (addr[NAME] > addr[NAME]) of MPTCP subflows are not supported; tcpscope "
	 "checks the packets to and from one address of the system under test"},
	{"0 > S 0:0(0)\n+0 < > addr[saddr1] F. 1:1(0)\n",
	 "t.pkt:2:6: per-packet addresses (addr[NAME] > addr[NAME]) of MPTCP subflows are not supported; tcpscope "
	 "checks the packets to and from one address of the system under test"},
	{"0 > S 0:0(0)\n+0 > encap psp spi 23 P. 1:11(10) ack 1\n",
	 "t.pkt:2:6: PSP-encapsulated packets (encap psp spi N ...) are not supported; on the wire they are UDP with "
	 "the TCP segment inside PSP, which tcpscope does not decode"},
	{"0 > E.5 1:1(0)\n", "t.pkt:1:7: conflicting flag '5' (the ACE digit stands for the E, W and A flags)"},
	{"0 > 5W. 1:1(0)\n", "t.pkt:1:6: conflicting flag 'W' (the ACE digit stands for the E, W and A flags)"},
	{"0 > P56. 1:1(0)\n", "t.pkt:1:7: conflicting flag '6' (the ACE digit stands for the E, W and A flags)"},
	{"0 > S 0:10(0)\n", "t.pkt:1:7: 0:10(0): END must be START + LEN"},
	{"0 > S 0:0(0) <mss 1460,bogus 3>\n", "t.pkt:1:24: unknown TCP option 'bogus' (nop, eol, mss, wscale, sackOK, "
					      "sack, TS, FO, FOEXP, md5, mptcp options, ECN, AccECNEXP0/1)"},
	{"0 > S 0:0(0) <mss 1460\n+0 > . 1:1(0)\n", "t.pkt:2:1: expected ',' or '>' in the option list, not '+'"},
	{"0 listen(3, 1) 0\n", "t.pkt:1:16: expected '=' after the system call's arguments, not '0'"},
	{"0 poll([{fd=3, events=POLLIN)], 1, 0) = 1\n", "t.pkt:1:29: ')' where '}' was expected"},
	{"* write(4, ..., 10) = 10\n0 > S 0:0(0)\n", "t.pkt:1:1: a time * or T~T can only be used with outbound ('>') "
						     "packets"},
	{"0 > S 0:0(0)\n+0 < ipv4 1.1.1.1 > 2.2.2.2: S 0:0(0)\n",
	 "t.pkt:2:6: encapsulated packets (ipv4 ... :) are not supported; tcpscope reads the inner TCP packets of a "
	 "trace directly"},
	{"--tolerance_usecs=8000\n", "t.pkt: the script has no events"},
	{"0 > S 0:0(0)\n+x > . 1:1(0)\n", "t.pkt:2:2: expected a time (T, +T, * or T~T), not 'x'"},
	{"--tolerance_usecs=fast\n0 > S 0:0(0)\n", "t.pkt:1:1: --tolerance_usecs takes microseconds (> 0)"},
	{"0 > S 0:0(0) win 65536\n", "t.pkt:1:18: a window (the raw 16-bit field) 65536 is above 65535"},
};

START_TEST(test_grammar_errors)
{
	ck_assert_ptr_null(packetdrill_parse(bad[_i].text, "t.pkt", err, sizeof err));
	ck_assert_str_eq(err, bad[_i].error);
}
END_TEST

/* Which notation: packet lines alone are tcpscope's, anything else packetdrill's, --sut forces it. */
START_TEST(test_notation_rule)
{
	struct script *s = script_load("0 > S 0:0(0)\n+0 < S. 0:0(0) ack 1\n", "t.pkt", false, err, sizeof err);
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_null(s->packetdrill);
	ck_assert_uint_eq(s->count, 2);
	script_free(s);
	s = script_load("0 > S 0:0(0)\n+0 < S. 0:0(0) ack 1\n", "t.pkt", true, err, sizeof err);
	ck_assert_ptr_nonnull(s->packetdrill);
	script_free(s);
	s = script_load("0 connect(3, ..., ...) = 0\n+0 > S 0:0(0)\n", "t.pkt", false, err, sizeof err);
	ck_assert_ptr_nonnull(s->packetdrill);
	script_free(s);
	/* Neither reads it: the error is that of the reading that got further. */
	ck_assert_ptr_null(script_load("0 > S 0:0(0)\n+0 > Q 1:1(0)\n", "t.pkt", false, err, sizeof err));
	ck_assert_str_eq(err, "t.pkt:2:6: unknown flag 'Q' (flags are S F R P . U E W)");
	ck_assert_ptr_null(
		script_load("0 listen(3, 1) = 0\n+0 < S 0:0(0)\n+0 > Q 1:1(0)\n", "t.pkt", false, err, sizeof err));
	ck_assert_str_eq(err,
			 "t.pkt:3:6: unknown flag 'Q' (flags are F S R P . E W U A, an ACE digit 0-7, or - for none)");
}
END_TEST

/* The ACE digit (RFC 9768): E, W and A as a 3-bit counter, ECE its low bit, wherever packetdrill takes it. */
START_TEST(test_grammar_ace_digit)
{
	struct packetdrill_script *s = parse("0 > [ect0] P5. 1:1001(1000) ack 1\n"
					     "+0 > .6 1:1(0) ack 1\n"
					     "+0 > P.3 1:1(0) ack 1\n"
					     "+0 > F0. 1:1(0) ack 1\n");
	ck_assert_uint_eq(s->npackets, 4);
	const struct packetdrill_packet *pk = &s->events[0].pkt;
	ck_assert(pk->ace_digit);
	ck_assert_uint_eq(pk->flags, TCP_PSH | TCP_ACK | TCP_ECE);
	ck_assert(pk->ae);
	pk = &s->events[1].pkt;
	ck_assert_uint_eq(pk->flags, TCP_ACK | TCP_CWR);
	ck_assert(pk->ae);
	pk = &s->events[2].pkt;
	ck_assert_uint_eq(pk->flags, TCP_PSH | TCP_ACK | TCP_CWR | TCP_ECE);
	ck_assert(!pk->ae);
	pk = &s->events[3].pkt;
	ck_assert(pk->ace_digit);
	ck_assert_uint_eq(pk->flags, TCP_FIN | TCP_ACK);
	ck_assert(!pk->ae);
	packetdrill_free(s);
}
END_TEST

/* An ICMP line's echoed packet after icmp or, as in packetdrill's first grammar, before it: the same event. */
START_TEST(test_grammar_icmp_echoed_first)
{
	static const char text[] = "0 > S 0:0(0)\n"
				   "0.250 < [1:14601(14600)] icmp unreachable frag_needed mtu 1500\n"
				   "+0 < [udp (100)] icmp unreachable port_unreachable\n"
				   "+0 < icmp packet_too_big mtu 1400 [0:1440(1440)]\n";
	struct packetdrill_script *s = parse(text);
	for (size_t i = 1; i < s->count; i++)
		ck_assert_int_eq(s->events[i].kind, PD_EV_ICMP);
	ck_assert_uint_eq(s->count, 4);
	ck_assert_int_eq(s->events[1].time_kind, PD_TIME_ABS);
	ck_assert_int_eq(s->events[1].time_ns, 250000000);
	ck_assert_str_eq(s->events[1].text, "0.250 < [1:14601(14600)] icmp unreachable frag_needed mtu 1500");
	packetdrill_free(s);
}
END_TEST

/* MPTCP v0's mp_capable_no_cs and the MP_JOIN options: MPTCP options (kind 30), their values read. */
START_TEST(test_grammar_mptcp_join)
{
	struct packetdrill_script *s =
		parse("0 > S 0:0(0) <mp_capable_no_cs key1,nop>\n"
		      "+0 < S. 0:0(0) ack 1 win 1 <mp_capable_no_cs ckey skey>\n"
		      "+0 > S 0:0(0) <wscale 8,mp_join_syn backup=1 address_id=2 token=sha256_32(skey)>\n"
		      "+0 < S. 0:0(0) ack 1 win 1 <mp_join_syn_ack backup=1 address_id=1 sender_hmac=auto>\n"
		      "+0 > . 1:1(0) ack 1 <nop,nop,mp_join_ack sender_hmac=auto>\n");
	ck_assert_uint_eq(s->npackets, 5);
	ck_assert_uint_eq(s->events[0].pkt.opts[0].kind, TCPOPT_MPTCP);
	ck_assert_uint_eq(s->events[0].pkt.opts[1].kind, TCPOPT_NOP);
	ck_assert_uint_eq(s->events[1].pkt.opts[0].kind, TCPOPT_MPTCP);
	ck_assert_uint_eq(s->events[2].pkt.nopts, 2);
	ck_assert_uint_eq(s->events[2].pkt.opts[1].kind, TCPOPT_MPTCP);
	ck_assert_uint_eq(s->events[3].pkt.opts[0].kind, TCPOPT_MPTCP);
	ck_assert_uint_eq(s->events[4].pkt.opts[2].kind, TCPOPT_MPTCP);
	packetdrill_free(s);
}
END_TEST

/* mss NAME: a value packetdrill is given on its command line (-D MSS=1460), so any value. */
START_TEST(test_grammar_mss_name)
{
	struct packetdrill_script *s = parse("0 > S. 0:0(0) ack 1 <mss MSS,nop,wscale 8>\n");
	const struct packetdrill_option *o = &s->events[0].pkt.opts[0];
	ck_assert_uint_eq(o->kind, TCPOPT_MSS);
	ck_assert(o->symbolic);
	ck_assert_uint_eq(s->events[0].pkt.nopts, 3);
	packetdrill_free(s);
}
END_TEST

/* System calls and commands but no packet line: packetdrill's notation, a script that expects no packets. */
START_TEST(test_grammar_no_packet_lines)
{
	static const char text[] =
		"`../../common/defaults.sh`\n"
		"0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
		"+0 sendto(3, ..., 0, MSG_FASTOPEN, AF_UNSPEC, ...) = -1 EOPNOTSUPP (Operation not supported)\n";
	struct script *s = script_load(text, "t.pkt", false, err, sizeof err);
	ck_assert_msg(s != NULL, "should load: %s", err);
	ck_assert_ptr_nonnull(s->packetdrill);
	ck_assert_uint_eq(s->packetdrill->count, 3);
	ck_assert_uint_eq(s->packetdrill->npackets, 0);
	struct packetdrill_config c;
	memset(&c, 0, sizeof c);
	ck_assert_int_eq(packetdrill_config_check(s->packetdrill, &c, err, sizeof err), 0);
	script_free(s);
}
END_TEST

/* ---- Meaning: hand-made packets of a run -------------------------------- */

#define SUT "192.168.0.1"
#define PEER "192.0.2.1"

struct run {
	struct packetdrill_script *s;
	struct packetdrill_matcher *m;
	struct packetdrill_config cfg;
	uint64_t frame;
	struct script_result r;
	size_t flows;
	uint32_t flow;
};

static void run_start(struct run *run, const char *text, bool strict)
{
	memset(run, 0, sizeof *run);
	run->s = parse(text);
	run->cfg.strict_segments = strict;
	ck_assert_int_eq(packetdrill_config_sut(&run->cfg, SUT, err, sizeof err), 0);
	run->m = packetdrill_matcher_new(run->s, &run->cfg);
}

/* One packet at t seconds, sent by the SUT or injected, on the peer's port (one port, one flow). */
static struct packet wire(struct run *run, double t, bool from_sut, uint16_t peer_port, uint8_t flags, uint32_t seq,
			  uint32_t ack, uint32_t len)
{
	struct packet p;
	memset(&p, 0, sizeof p);
	p.frame = ++run->frame;
	p.time_ns = 1700000000000000000 + (int64_t)(t * 1e9);
	p.ip_version = 4;
	inet_pton(AF_INET, from_sut ? SUT : PEER, p.src);
	inet_pton(AF_INET, from_sut ? PEER : SUT, p.dst);
	p.sport = from_sut ? 8080 : peer_port;
	p.dport = from_sut ? peer_port : 8080;
	p.flags = flags;
	p.seq = seq;
	p.ack = ack;
	p.window = 1000;
	p.payload_len = len;
	return p;
}

static void feed(struct run *run, const struct packet *p)
{
	struct packet_view v;
	memset(&v, 0, sizeof v);
	v.pkt = p;
	v.flow_id = p->dport == 8080 ? p->sport : p->dport;
	v.from_server = p->sport == 8080;
	packetdrill_matcher_packet(run->m, &v);
}

static void send_(struct run *run, double t, bool from_sut, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len)
{
	struct packet p = wire(run, t, from_sut, 40000, flags, seq, ack, len);
	feed(run, &p);
}

static void run_finish(struct run *run)
{
	packetdrill_matcher_finish(run->m, &run->r, &run->flows, &run->flow);
	packetdrill_matcher_free(run->m);
	packetdrill_free(run->s);
}

/* Finishes the run, which must fail at line with frame and message. */
static void run_differs(struct run *run, unsigned line, uint64_t frame, const char *message)
{
	run_finish(run);
	ck_assert(!run->r.pass);
	ck_assert_uint_eq(run->r.line, line);
	ck_assert_uint_eq(run->r.frame, frame);
	ck_assert_str_eq(run->r.message, message);
}

/* A passive open: the injected side's numbers as written, the SUT's from its live ISN. */
static const char passive[] = "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
			      "+0 listen(3, 1) = 0\n"
			      "+.1 < S 0:0(0) win 1000\n"
			      "+0 > S. 0:0(0) ack 1 win 1000\n"
			      "+.01 < . 1:1(0) ack 1 win 1000\n"
			      "+0 write(4, ..., 100) = 100\n"
			      "+0 > P. 1:101(100) ack 1 win 1000\n"
			      "+.01 < . 1:1(0) ack 101 win 1000\n";

START_TEST(test_passive_open)
{
	struct run run;
	run_start(&run, passive, false);
	send_(&run, 0, false, TCP_SYN, 0, 0, 0);
	send_(&run, 0.0001, true, TCP_SYN | TCP_ACK, 5000000, 1, 0);
	send_(&run, 0.0101, false, TCP_ACK, 1, 5000001, 0);
	send_(&run, 0.0102, true, TCP_PSH | TCP_ACK, 5000001, 1, 100);
	send_(&run, 0.0202, false, TCP_ACK, 1, 5000101, 0);
	run_finish(&run);
	ck_assert_msg(run.r.pass, "%u: %s", run.r.line, run.r.message);
	ck_assert_uint_eq(run.r.matched, 5);
	ck_assert_uint_eq(run.flows, 1);
	/* The SUT's data one byte further on: named with the line and the frame. */
	run_start(&run, passive, false);
	send_(&run, 0, false, TCP_SYN, 0, 0, 0);
	send_(&run, 0.0001, true, TCP_SYN | TCP_ACK, 5000000, 1, 0);
	send_(&run, 0.0101, false, TCP_ACK, 1, 5000001, 0);
	send_(&run, 0.0102, true, TCP_PSH | TCP_ACK, 5000002, 1, 100);
	run_finish(&run);
	ck_assert(!run.r.pass);
	ck_assert_uint_eq(run.r.line, 7);
	ck_assert_uint_eq(run.r.frame, 4);
	ck_assert_str_eq(run.r.message, "seq 2, expected 1");
	ck_assert_str_eq(run.r.expected, "+0 > P. 1:101(100) ack 1 win 1000");
	ck_assert_str_eq(run.r.actual, "+0.0001 > P. 2:102(100) ack 1 win 1000");
}
END_TEST

/* An active open: the injected SYN-ACK's ISN is as written, later numbers count from it. */
START_TEST(test_active_open)
{
	struct run run;
	run_start(&run,
		  "0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)\n"
		  "+0 > S 0:0(0) win 1000\n"
		  "+.01 < S. 123:123(0) ack 1 win 1000\n"
		  "+0 > . 1:1(0) ack 1 win 1000\n"
		  "+0 < P. 1:11(10) ack 1 win 1000 <sack 1:1>\n"
		  "+0 > . 1:1(0) ack 11 win 1000\n",
		  false);
	send_(&run, 0, true, TCP_SYN, 777, 0, 0);
	send_(&run, 0.01, false, TCP_SYN | TCP_ACK, 123, 778, 0);
	send_(&run, 0.0101, true, TCP_ACK, 778, 124, 0);
	struct packet p = wire(&run, 0.0102, false, 40000, TCP_PSH | TCP_ACK, 124, 778, 10);
	p.opt.count = 1; /* a SACK block is the SUT's bytes: mapped as the ack is */
	p.opt.kinds[0] = TCPOPT_SACK;
	p.opt.sack_count = 1;
	p.opt.sack[0] = (struct sack_block){778, 778};
	feed(&run, &p);
	send_(&run, 0.0103, true, TCP_ACK, 778, 134, 0);
	run_finish(&run);
	ck_assert_msg(run.r.pass, "%u: %s", run.r.line, run.r.message);
	ck_assert_uint_eq(run.r.matched, 5);
}
END_TEST

static void with_timestamps(struct packet *p, uint32_t val, uint32_t ecr)
{
	p->opt.count = 1;
	p->opt.kinds[0] = TCPOPT_TIMESTAMP;
	p->opt.has_timestamps = true;
	p->opt.tsval = val;
	p->opt.tsecr = ecr;
}

/* The SUT's TS vals are mapped, not checked; an injected ecr must echo the live val its script val stands for. */
START_TEST(test_timestamps)
{
	static const char text[] = "0 connect(3, ..., ...) = 0\n"
				   "+0 > S 0:0(0) <TS val 100 ecr 0>\n"
				   "+0 < S. 0:0(0) ack 1 win 1000 <TS val 700 ecr 100>\n";
	for (int echo_live = 0; echo_live < 2; echo_live++) {
		struct run run;
		run_start(&run, text, false);
		struct packet p = wire(&run, 0, true, 40000, TCP_SYN, 1, 0, 0);
		with_timestamps(&p, 55555, 0);
		feed(&run, &p);
		p = wire(&run, 0.001, false, 40000, TCP_SYN | TCP_ACK, 0, 2, 0);
		with_timestamps(&p, 700, echo_live ? 55555 : 100);
		feed(&run, &p);
		run_finish(&run);
		ck_assert_int_eq(run.r.pass, echo_live);
		if (!echo_live) {
			ck_assert_uint_eq(run.r.line, 3);
			ck_assert_str_eq(run.r.message, "options <TS val 700 ecr 100>, not as written");
		}
	}
}
END_TEST

/* One '>' line of 3000 bytes sent as three segments: gathered, or not with --strict-segments. */
START_TEST(test_segments_gathered)
{
	static const char text[] = "0 connect(3, ..., ...) = 0\n"
				   "+0 > P. 1:3001(3000) ack 1 win 1000\n"
				   "+0 < . 1:1(0) ack 3001 win 1000\n";
	for (int strict = 0; strict < 2; strict++) {
		struct run run;
		run_start(&run, text, strict);
		send_(&run, 0, true, TCP_PSH | TCP_ACK, 1, 1, 1000);
		send_(&run, 0.00001, true, TCP_PSH | TCP_ACK, 1001, 1, 1000);
		send_(&run, 0.00002, true, TCP_PSH | TCP_ACK, 2001, 1, 1000);
		send_(&run, 0.001, false, TCP_ACK, 1, 3001, 0);
		run_finish(&run);
		ck_assert_int_eq(run.r.pass, !strict);
		if (strict) {
			ck_assert_uint_eq(run.r.frame, 1);
			ck_assert_str_eq(run.r.message, "len 1000, expected 3000");
		}
	}
}
END_TEST

/* +T counts from the previous event, a system call included; an event the trace cannot see keeps its time. */
START_TEST(test_clock_counts_from_syscalls)
{
	static const char text[] = "0 connect(3, ..., ...) = 0\n"
				   "+0 > S 0:0(0) win 1000\n"
				   "+1 write(3, ..., 10) = 10\n"
				   "+.5 > P 1:11(10) win 1000\n";
	struct run run;
	run_start(&run, text, false);
	send_(&run, 0, true, TCP_SYN, 1, 0, 0);
	send_(&run, 1.5, true, TCP_PSH, 2, 0, 10);
	run_finish(&run);
	ck_assert_msg(run.r.pass, "%u: %s", run.r.line, run.r.message);
	run_start(&run, text, false);
	send_(&run, 0, true, TCP_SYN, 1, 0, 0);
	send_(&run, 0.5, true, TCP_PSH, 2, 0, 10); /* +.5 after the SYN, not after the write */
	run_differs(&run, 4, 2, "sent +-0.5 s after line 3, expected +0.5 s +/- 0.0625 s");
}
END_TEST

/* A second SYN line opens a second connection; the first one's later packets are passed over. */
START_TEST(test_several_connections)
{
	struct run run;
	run_start(&run,
		  "0 connect(3, ..., ...) = 0\n"
		  "+0 > S 0:0(0) win 1000\n"
		  "+0 < R. 0:0(0) ack 1 win 1000\n"
		  "+0 connect(4, ..., ...) = 0\n"
		  "+0 > S 0:0(0) win 1000\n"
		  "+0 < S. 0:0(0) ack 1 win 1000\n",
		  false);
	struct packet p = wire(&run, 0, true, 40000, TCP_SYN, 900, 0, 0);
	feed(&run, &p);
	p = wire(&run, 0.0001, false, 40000, TCP_RST | TCP_ACK, 0, 901, 0);
	feed(&run, &p);
	p = wire(&run, 0.0002, true, 40001, TCP_SYN, 3000, 0, 0);
	feed(&run, &p);
	p = wire(&run, 0.0003, true, 40000, TCP_ACK, 901, 1, 0); /* the old connection: not the script's now */
	feed(&run, &p);
	p = wire(&run, 0.0004, false, 40001, TCP_SYN | TCP_ACK, 0, 3001, 0);
	feed(&run, &p);
	run_finish(&run);
	ck_assert_msg(run.r.pass, "%u: %s", run.r.line, run.r.message);
	ck_assert_uint_eq(run.flows, 2);
	ck_assert_uint_eq(run.r.matched, 4);
}
END_TEST

/* --peer-from-trace: the injected ISN is the trace's, the script's numbers count from it. */
START_TEST(test_peer_from_trace)
{
	static const char text[] = "0 listen(3, 1) = 0\n"
				   "+0 < S 0:0(0) win 1000\n"
				   "+0 > S. 0:0(0) ack 1 win 1000\n"
				   "+0 < . 1:1(0) ack 1 win 1000\n";
	for (int from_trace = 0; from_trace < 2; from_trace++) {
		struct run run;
		run_start(&run, text, false);
		run.cfg.peer_from_trace = from_trace;
		packetdrill_matcher_free(run.m);
		run.m = packetdrill_matcher_new(run.s, &run.cfg);
		send_(&run, 0, false, TCP_SYN, 424242, 0, 0);
		send_(&run, 0.0001, true, TCP_SYN | TCP_ACK, 9, 424243, 0);
		send_(&run, 0.0002, false, TCP_ACK, 424243, 10, 0);
		run_finish(&run);
		ck_assert_int_eq(run.r.pass, from_trace);
		if (!from_trace)
			ck_assert_str_eq(run.r.message, "seq 424242, expected 0");
	}
}
END_TEST

/* The capture ends before the script: the first line no packet matched. */
START_TEST(test_line_unmatched)
{
	struct run run;
	run_start(&run, passive, false);
	send_(&run, 0, false, TCP_SYN, 0, 0, 0);
	send_(&run, 0.0001, true, TCP_SYN | TCP_ACK, 5000000, 1, 0);
	run_finish(&run);
	ck_assert(!run.r.pass);
	ck_assert_uint_eq(run.r.line, 5);
	ck_assert_uint_eq(run.r.frame, 0);
	ck_assert_str_eq(run.r.message, "no injected packet matched this line (the capture's last packet of the system "
					"under test is frame 2; 2 of 5 packet lines matched)");
	run_start(&run, passive, false); /* no packet of the SUT at all */
	run_finish(&run);
	ck_assert_uint_eq(run.r.line, 3);
	ck_assert_str_eq(
		run.r.message,
		"the capture has no packet to or from the system under test 192.168.0.1 (--sut names another)");
}
END_TEST

/* A script without packet lines: every packet of the trace comes after it, unchecked. */
START_TEST(test_no_packet_lines)
{
	struct run run;
	run_start(&run, "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 close(3) = 0\n", false);
	send_(&run, 0, false, TCP_SYN, 0, 0, 0);
	send_(&run, 0.0001, true, TCP_RST | TCP_ACK, 0, 1, 0);
	run_finish(&run);
	ck_assert_msg(run.r.pass, "%u: %s", run.r.line, run.r.message);
	ck_assert_uint_eq(run.r.matched, 0);
	ck_assert_uint_eq(run.flows, 0);
}
END_TEST

/* One packet with the AE bit as given. */
static void send_ae(struct run *run, double t, bool from_sut, uint8_t flags, uint32_t seq, uint32_t ack, bool ae)
{
	struct packet p = wire(run, t, from_sut, 40000, flags, seq, ack, 0);
	p.ae = ae;
	feed(run, &p);
}

/* An ACE digit matches the segment's AE, CWR and ECE bits and is reported as one. */
START_TEST(test_ace_digit)
{
	static const char text[] = "0 listen(3, 1) = 0\n"
				   "+.1 < SEWA 0:0(0) win 1000\n"
				   "+0 > S.4 0:0(0) ack 1 win 1000\n";
	struct run run;
	run_start(&run, text, false);
	send_ae(&run, 0, false, TCP_SYN | TCP_ECE | TCP_CWR, 0, 0, true);
	send_ae(&run, 0.0001, true, TCP_SYN | TCP_ACK, 5000000, 1, true);
	run_finish(&run);
	ck_assert_msg(run.r.pass, "%u: %s", run.r.line, run.r.message);
	run_start(&run, text, false); /* AE clear: ACE 0 where the line wants 4 */
	send_ae(&run, 0, false, TCP_SYN | TCP_ECE | TCP_CWR, 0, 0, true);
	send_ae(&run, 0.0001, true, TCP_SYN | TCP_ACK, 5000000, 1, false);
	run_differs(&run, 3, 2, "flags S.0, expected S.4");
}
END_TEST

/* An MP_JOIN option matches an MPTCP option of any value; a segment without one differs. */
START_TEST(test_mptcp_join_by_kind)
{
	static const char text[] = "0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)\n"
				   "+0 > S 0:0(0) <mp_join_syn backup=1 address_id=0 token=sha256_32(skey)>\n";
	struct run run;
	for (int with_option = 1; with_option >= 0; with_option--) {
		run_start(&run, text, false);
		struct packet p = wire(&run, 0, true, 40000, TCP_SYN, 777, 0, 0);
		p.opt.count = (uint8_t)with_option;
		p.opt.kinds[0] = TCPOPT_MPTCP;
		p.opt.has_mptcp = with_option;
		feed(&run, &p);
		run_finish(&run);
		ck_assert_int_eq(run.r.pass, with_option);
	}
	ck_assert_uint_eq(run.r.line, 2);
	ck_assert_str_eq(run.r.message, "options <>, not as written");
}
END_TEST

/* mss MSS matches an MSS option of any value, and only an MSS option. */
START_TEST(test_mss_name)
{
	static const char text[] = "0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)\n"
				   "+0 > S 0:0(0) <mss MSS>\n";
	static const uint8_t kinds[] = {TCPOPT_MSS, TCPOPT_WSCALE};
	struct run run;
	for (size_t k = 0; k < sizeof kinds; k++) {
		run_start(&run, text, false);
		struct packet p = wire(&run, 0, true, 40000, TCP_SYN, 777, 0, 0);
		p.opt.count = 1;
		p.opt.kinds[0] = kinds[k];
		p.opt.has_mss = kinds[k] == TCPOPT_MSS;
		p.opt.mss = 1234;
		feed(&run, &p);
		run_finish(&run);
		ck_assert_int_eq(run.r.pass, kinds[k] == TCPOPT_MSS);
	}
	ck_assert_uint_eq(run.r.line, 2);
}
END_TEST

START_TEST(test_sut_argument)
{
	struct packetdrill_config c;
	memset(&c, 0, sizeof c);
	ck_assert_int_eq(packetdrill_config_sut(&c, "server", err, sizeof err), 0);
	ck_assert_int_eq(c.sut_role, PD_ROLE_SERVER);
	ck_assert_int_eq(packetdrill_config_sut(&c, "fd3d:a0b:17d6::1", err, sizeof err), 0);
	ck_assert(c.has_sut_addr);
	ck_assert_uint_eq(c.sut_ip_version, 6);
	ck_assert_int_eq(packetdrill_config_sut(&c, "nobody", err, sizeof err), -1);
	ck_assert_str_eq(err, "--sut takes client, server or an IPv4/IPv6 address, not \"nobody\"");
	struct packetdrill_script *s = parse("0 > S 0:0(0)\n");
	memset(&c, 0, sizeof c);
	ck_assert_int_eq(packetdrill_config_check(s, &c, err, sizeof err), -1);
	c.sut_role = PD_ROLE_CLIENT;
	ck_assert_int_eq(packetdrill_config_check(s, &c, err, sizeof err), 0);
	packetdrill_free(s);
}
END_TEST

static Suite *packetdrill_suite(void)
{
	Suite *s = suite_create("packetdrill");
	TCase *tc = tcase_create("grammar");
	tcase_add_test(tc, test_grammar_whole);
	tcase_add_test(tc, test_grammar_connections_and_roles);
	tcase_add_loop_test(tc, test_grammar_errors, 0, sizeof bad / sizeof bad[0]);
	tcase_add_test(tc, test_notation_rule);
	tcase_add_test(tc, test_grammar_no_packet_lines);
	tcase_add_test(tc, test_grammar_ace_digit);
	tcase_add_test(tc, test_grammar_icmp_echoed_first);
	tcase_add_test(tc, test_grammar_mptcp_join);
	tcase_add_test(tc, test_grammar_mss_name);
	suite_add_tcase(s, tc);
	tc = tcase_create("meaning");
	tcase_add_test(tc, test_passive_open);
	tcase_add_test(tc, test_active_open);
	tcase_add_test(tc, test_timestamps);
	tcase_add_test(tc, test_segments_gathered);
	tcase_add_test(tc, test_clock_counts_from_syscalls);
	tcase_add_test(tc, test_several_connections);
	tcase_add_test(tc, test_peer_from_trace);
	tcase_add_test(tc, test_line_unmatched);
	tcase_add_test(tc, test_no_packet_lines);
	tcase_add_test(tc, test_ace_digit);
	tcase_add_test(tc, test_mptcp_join_by_kind);
	tcase_add_test(tc, test_mss_name);
	tcase_add_test(tc, test_sut_argument);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(packetdrill_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
