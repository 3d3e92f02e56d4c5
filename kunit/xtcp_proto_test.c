// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of xtcp's protocol arithmetic: sequence comparisons, options (parsing,
 * writing, malformed input), MSS and window scale choice, ISNs and backoff schedules.
 */
#include <kunit/test.h>
#include <linux/tcp.h>
#include "xtcp.h"

static void xtcp_seq_wrap_test(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, xtcp_before(1, 2));
	KUNIT_EXPECT_FALSE(test, xtcp_before(2, 2));
	KUNIT_EXPECT_TRUE(test, xtcp_before(0xfffffff0, 0x10));	/* across the wrap */
	KUNIT_EXPECT_TRUE(test, xtcp_after(0x10, 0xfffffff0));
	KUNIT_EXPECT_FALSE(test, xtcp_after(0xfffffff0, 0x10));
	KUNIT_EXPECT_TRUE(test, xtcp_between(0xfffffff0, 0x5, 0x10));
	KUNIT_EXPECT_TRUE(test, xtcp_between(0xfffffff0, 0xfffffff0, 0x10));
	KUNIT_EXPECT_TRUE(test, xtcp_between(0xfffffff0, 0x10, 0x10));
	KUNIT_EXPECT_FALSE(test, xtcp_between(0xfffffff0, 0x11, 0x10));
	KUNIT_EXPECT_FALSE(test, xtcp_between(0xfffffff0, 0xffffffef, 0x10));
}

/* A header followed by @optlen option bytes, in a buffer the test owns. */
static struct tcphdr *xtcp_hdr_with(struct kunit *test, const u8 *opts, unsigned int optlen,
				    bool syn)
{
	struct tcphdr *th = kunit_kzalloc(test, sizeof(*th) + 40, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, th);
	KUNIT_ASSERT_LE(test, optlen, 40U);
	memcpy(th + 1, opts, optlen);
	th->doff = (sizeof(*th) + optlen + 3) / 4;
	th->syn = syn;
	return th;
}

static void xtcp_parse_syn_options_test(struct kunit *test)
{
	static const u8 opts[] = {
		TCPOPT_MSS, TCPOLEN_MSS, 0x05, 0xb4,			/* 1460 */
		TCPOPT_SACK_PERM, TCPOLEN_SACK_PERM,
		TCPOPT_TIMESTAMP, TCPOLEN_TIMESTAMP, 0, 0, 1, 0, 0, 0, 0, 7,
		TCPOPT_NOP, TCPOPT_WINDOW, TCPOLEN_WINDOW, 7,
	};
	struct tcphdr *th = xtcp_hdr_with(test, opts, sizeof(opts), true);
	struct xtcp_options_received opt = {};

	xtcp_parse_options(th, th->doff * 4, &opt);
	KUNIT_EXPECT_EQ(test, opt.mss_clamp, 1460);
	KUNIT_EXPECT_TRUE(test, opt.sack_ok);
	KUNIT_EXPECT_TRUE(test, opt.saw_tstamp);
	KUNIT_EXPECT_EQ(test, opt.rcv_tsval, 256U);
	KUNIT_EXPECT_EQ(test, opt.rcv_tsecr, 7U);
	KUNIT_EXPECT_TRUE(test, opt.wscale_ok);
	KUNIT_EXPECT_EQ(test, opt.snd_wscale, 7);
}

static void xtcp_parse_syn_only_options_test(struct kunit *test)
{
	static const u8 opts[] = {
		TCPOPT_MSS, TCPOLEN_MSS, 0x05, 0xb4,
		TCPOPT_NOP, TCPOPT_WINDOW, TCPOLEN_WINDOW, 7,
	};
	struct tcphdr *th = xtcp_hdr_with(test, opts, sizeof(opts), false);
	struct xtcp_options_received opt = {};

	xtcp_parse_options(th, th->doff * 4, &opt);
	KUNIT_EXPECT_EQ(test, opt.mss_clamp, 0);	/* MSS and WS only count in a SYN */
	KUNIT_EXPECT_FALSE(test, opt.wscale_ok);
}

static void xtcp_parse_bad_mss_test(struct kunit *test)
{
	static const u8 zero[] = { TCPOPT_MSS, TCPOLEN_MSS, 0, 0 };
	static const u8 short_mss[] = { TCPOPT_MSS, 3, 0x05, TCPOPT_EOL };
	struct xtcp_options_received opt = {};
	struct tcphdr *th;

	th = xtcp_hdr_with(test, zero, sizeof(zero), true);
	xtcp_parse_options(th, th->doff * 4, &opt);
	KUNIT_EXPECT_EQ(test, opt.mss_clamp, 0);	/* MSS 0 is ignored */

	th = xtcp_hdr_with(test, short_mss, sizeof(short_mss), true);
	xtcp_parse_options(th, th->doff * 4, &opt);
	KUNIT_EXPECT_EQ(test, opt.mss_clamp, 0);	/* wrong length: ignored */
}

static void xtcp_parse_zero_length_test(struct kunit *test)
{
	static const u8 opts[] = {
		TCPOPT_MSS, TCPOLEN_MSS, 0x02, 0x00,			/* 512 */
		TCPOPT_SACK_PERM, 0,					/* length 0 */
		TCPOPT_NOP, TCPOPT_WINDOW, TCPOLEN_WINDOW, 7,
	};
	struct tcphdr *th = xtcp_hdr_with(test, opts, sizeof(opts), true);
	struct xtcp_options_received opt = {};

	xtcp_parse_options(th, th->doff * 4, &opt);
	KUNIT_EXPECT_EQ(test, opt.mss_clamp, 512);	/* parsed before the bad one */
	KUNIT_EXPECT_FALSE(test, opt.sack_ok);		/* the parse stopped there */
	KUNIT_EXPECT_FALSE(test, opt.wscale_ok);
}

static void xtcp_parse_overrun_test(struct kunit *test)
{
	static const u8 opts[] = {
		TCPOPT_NOP, TCPOPT_NOP,
		TCPOPT_TIMESTAMP, 30, 1, 2, 3, 4,			/* claims 30 bytes */
	};
	struct tcphdr *th = xtcp_hdr_with(test, opts, sizeof(opts), true);
	struct xtcp_options_received opt = {};

	xtcp_parse_options(th, th->doff * 4, &opt);
	KUNIT_EXPECT_FALSE(test, opt.saw_tstamp);
}

static void xtcp_parse_big_wscale_test(struct kunit *test)
{
	static const u8 opts[] = { TCPOPT_NOP, TCPOPT_WINDOW, TCPOLEN_WINDOW, 200 };
	struct tcphdr *th = xtcp_hdr_with(test, opts, sizeof(opts), true);
	struct xtcp_options_received opt = {};

	xtcp_parse_options(th, th->doff * 4, &opt);
	KUNIT_EXPECT_TRUE(test, opt.wscale_ok);
	KUNIT_EXPECT_EQ(test, opt.snd_wscale, XTCP_MAX_WSCALE);
}

static void xtcp_options_roundtrip_test(struct kunit *test)
{
	struct xtcp_out_options out = { .mss = 1400, .ws_ok = 1, .ws = 9, .sack_ok = 1,
					.ts_ok = 1, .tsval = 0x01020304, .tsecr = 0x0a0b0c0d };
	struct xtcp_options_received in = {};
	unsigned int size = xtcp_options_size(&out);
	struct tcphdr *th;

	KUNIT_EXPECT_EQ(test, size, 20U);
	th = xtcp_hdr_with(test, NULL, 0, true);
	th->doff = (sizeof(*th) + size) / 4;
	xtcp_options_write((__be32 *)(th + 1), &out);
	xtcp_parse_options(th, th->doff * 4, &in);
	KUNIT_EXPECT_EQ(test, in.mss_clamp, 1400);
	KUNIT_EXPECT_TRUE(test, in.wscale_ok);
	KUNIT_EXPECT_EQ(test, in.snd_wscale, 9);
	KUNIT_EXPECT_TRUE(test, in.sack_ok);
	KUNIT_EXPECT_TRUE(test, in.saw_tstamp);
	KUNIT_EXPECT_EQ(test, in.rcv_tsval, 0x01020304U);
	KUNIT_EXPECT_EQ(test, in.rcv_tsecr, 0x0a0b0c0dU);
}

static void xtcp_options_size_test(struct kunit *test)
{
	struct xtcp_out_options o = {};

	KUNIT_EXPECT_EQ(test, xtcp_options_size(&o), 0U);
	o.mss = 536;
	KUNIT_EXPECT_EQ(test, xtcp_options_size(&o), 4U);
	o.sack_ok = 1;
	KUNIT_EXPECT_EQ(test, xtcp_options_size(&o), 8U);
	o.ts_ok = 1;	/* SACK-permitted shares the timestamps' word */
	KUNIT_EXPECT_EQ(test, xtcp_options_size(&o), 16U);
	o.ws_ok = 1;
	KUNIT_EXPECT_EQ(test, xtcp_options_size(&o), 20U);
}

static void xtcp_mss_wscale_test(struct kunit *test)
{
	/* no option: RFC 9293's 536 over IPv4, 1220 over IPv6, at most ours */
	KUNIT_EXPECT_EQ(test, xtcp_clamp_mss(0, 1460, XTCP_MSS_DEFAULT), 536);
	KUNIT_EXPECT_EQ(test, xtcp_clamp_mss(0, 1460, XTCP6_MSS_DEFAULT), 1220);
	KUNIT_EXPECT_EQ(test, xtcp_clamp_mss(0, 1000, XTCP6_MSS_DEFAULT), 1000);
	KUNIT_EXPECT_EQ(test, xtcp_clamp_mss(1460, 65495, XTCP_MSS_DEFAULT), 1460);
	KUNIT_EXPECT_EQ(test, xtcp_clamp_mss(9000, 1460, XTCP_MSS_DEFAULT), 1460);
	KUNIT_EXPECT_EQ(test, xtcp_clamp_mss(20, 1460, XTCP_MSS_DEFAULT), 88);	/* TCP_MIN_MSS */
	KUNIT_EXPECT_EQ(test, xtcp_select_wscale(65535), 0);
	KUNIT_EXPECT_EQ(test, xtcp_select_wscale(65536), 1);
	KUNIT_EXPECT_EQ(test, xtcp_select_wscale(6 << 20), 7);
	KUNIT_EXPECT_EQ(test, xtcp_select_wscale(INT_MAX), XTCP_MAX_WSCALE);
}

static void xtcp_isn_test(struct kunit *test)
{
	__be32 a = htonl(0x0a000001), b = htonl(0x0a000002);
	u64 t = 1000000000ULL;
	u32 isn = xtcp_secure_isn(a, b, htons(1000), htons(80), t);

	KUNIT_EXPECT_EQ(test, isn, xtcp_secure_isn(a, b, htons(1000), htons(80), t));
	/* the clock part: +1 every 64 ns */
	KUNIT_EXPECT_EQ(test, xtcp_secure_isn(a, b, htons(1000), htons(80), t + 64000) - isn,
			1000U);
	/* the keyed part differs between 4-tuples (collision chance 2^-32 each) */
	KUNIT_EXPECT_NE(test, isn, xtcp_secure_isn(a, b, htons(1001), htons(80), t));
	KUNIT_EXPECT_NE(test, isn, xtcp_secure_isn(b, a, htons(1000), htons(80), t));
}

static void xtcp_backoff_test(struct kunit *test)
{
	static const u32 want[] = { 1, 2, 4, 8, 16, 32, 64, 120, 120 };
	unsigned int n;

	for (n = 0; n < ARRAY_SIZE(want); n++)
		KUNIT_EXPECT_EQ(test, xtcp_backoff(HZ, n, XTCP_RTO_MAX), want[n] * HZ);
	KUNIT_EXPECT_EQ(test, xtcp_backoff(HZ, 40, XTCP_RTO_MAX), (u32)XTCP_RTO_MAX);
}

static void xtcp_cookie_test(struct kunit *test)
{
	__be32 a = htonl(0x0a000001), b = htonl(0x0a000002);
	__be16 pa = htons(8000), pb = htons(51000);
	u32 count = 1000, sseq = 0x12345678, cookie;
	int ind;

	for (ind = 0; ind < 4; ind++) {
		cookie = xtcp_cookie_make(a, b, pa, pb, sseq, ind, count);
		/* valid now and a minute later */
		KUNIT_EXPECT_EQ(test, xtcp_cookie_check(a, b, pa, pb, cookie, sseq, count), ind);
		KUNIT_EXPECT_EQ(test, xtcp_cookie_check(a, b, pa, pb, cookie, sseq, count + 1),
				ind);
		/* stale: two minutes or more */
		KUNIT_EXPECT_EQ(test, xtcp_cookie_check(a, b, pa, pb, cookie, sseq, count + 2),
				-1);
		/* forged: another port, another peer ISN, or a changed bit */
		KUNIT_EXPECT_EQ(test, xtcp_cookie_check(a, b, pa, htons(51001), cookie, sseq,
							count), -1);
		KUNIT_EXPECT_EQ(test, xtcp_cookie_check(a, b, pa, pb, cookie, sseq + 0x10000,
							count), -1);
		KUNIT_EXPECT_EQ(test, xtcp_cookie_check(a, b, pa, pb, cookie ^ 0x100, sseq,
							count), -1);
	}
	KUNIT_EXPECT_EQ(test, xtcp_cookie_mssind(0, false), 0);	/* none: 536 */
	KUNIT_EXPECT_EQ(test, xtcp_cookie_mssind(1299, false), 0);
	KUNIT_EXPECT_EQ(test, xtcp_cookie_mssind(1300, false), 1);
	KUNIT_EXPECT_EQ(test, xtcp_cookie_mssind(1459, false), 2);
	KUNIT_EXPECT_EQ(test, xtcp_cookie_mssind(65495, false), 3);
}

/*
 * IPv6 cookies (net/ipv6/syncookies.c): the same rules over IPv6 4-tuples, with keys of
 * their own, so that an IPv4 cookie of the same ports and numbers says nothing; and
 * IPv6's MSS table, 1220, 1420, 1440, 8940.
 */
static void xtcp_cookie6_test(struct kunit *test)
{
	struct in6_addr a = { .s6_addr32 = { htonl(0xfd000000), 0, 0, htonl(1) } };
	struct in6_addr b = { .s6_addr32 = { htonl(0xfd000000), 0, 0, htonl(2) } };
	struct in6_addr c = { .s6_addr32 = { htonl(0xfd000001), 0, 0, htonl(2) } };
	__be16 pa = htons(8000), pb = htons(51000);
	u32 count = 1000, sseq = 0x12345678, cookie;
	int ind;

	for (ind = 0; ind < 4; ind++) {
		cookie = xtcp_cookie6_make(&a, &b, pa, pb, sseq, ind, count);
		KUNIT_EXPECT_EQ(test, xtcp_cookie6_check(&a, &b, pa, pb, cookie, sseq, count), ind);
		KUNIT_EXPECT_EQ(test, xtcp_cookie6_check(&a, &b, pa, pb, cookie, sseq, count + 1),
				ind);
		KUNIT_EXPECT_EQ(test, xtcp_cookie6_check(&a, &b, pa, pb, cookie, sseq, count + 2),
				-1);
		/* another peer in the high bits of the address, another port, a changed bit */
		KUNIT_EXPECT_EQ(test, xtcp_cookie6_check(&a, &c, pa, pb, cookie, sseq, count), -1);
		KUNIT_EXPECT_EQ(test, xtcp_cookie6_check(&a, &b, pa, htons(51001), cookie, sseq,
							 count), -1);
		KUNIT_EXPECT_EQ(test, xtcp_cookie6_check(&a, &b, pa, pb, cookie ^ 0x100, sseq,
							 count), -1);
		/* the IPv4 cookie of the addresses' last words is another number */
		KUNIT_EXPECT_NE(test, xtcp_cookie_make(a.s6_addr32[3], b.s6_addr32[3], pa, pb,
						       sseq, ind, count), cookie);
	}
	KUNIT_EXPECT_EQ(test, xtcp_cookie_mssind(0, true), 0);	/* none: 1220 */
	KUNIT_EXPECT_EQ(test, xtcp_cookie_mss(0, true), 1220);
	KUNIT_EXPECT_EQ(test, xtcp_cookie_mssind(1419, true), 0);
	KUNIT_EXPECT_EQ(test, xtcp_cookie_mssind(1420, true), 1);
	KUNIT_EXPECT_EQ(test, xtcp_cookie_mssind(1440, true), 2);
	KUNIT_EXPECT_EQ(test, xtcp_cookie_mssind(65475, true), 3);
	KUNIT_EXPECT_EQ(test, xtcp_cookie_mss(3, true), 8940);
}

static struct kunit_case xtcp_proto_cases[] = {
	KUNIT_CASE(xtcp_seq_wrap_test),
	KUNIT_CASE(xtcp_parse_syn_options_test),
	KUNIT_CASE(xtcp_parse_syn_only_options_test),
	KUNIT_CASE(xtcp_parse_bad_mss_test),
	KUNIT_CASE(xtcp_parse_zero_length_test),
	KUNIT_CASE(xtcp_parse_overrun_test),
	KUNIT_CASE(xtcp_parse_big_wscale_test),
	KUNIT_CASE(xtcp_options_roundtrip_test),
	KUNIT_CASE(xtcp_options_size_test),
	KUNIT_CASE(xtcp_mss_wscale_test),
	KUNIT_CASE(xtcp_isn_test),
	KUNIT_CASE(xtcp_backoff_test),
	KUNIT_CASE(xtcp_cookie_test),
	KUNIT_CASE(xtcp_cookie6_test),
	{}
};

static struct kunit_suite xtcp_proto_suite = {
	.name = "xtcp_proto",
	.test_cases = xtcp_proto_cases,
};

kunit_test_suites(&xtcp_proto_suite);
