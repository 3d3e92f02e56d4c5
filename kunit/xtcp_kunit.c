// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for xtcp.  They reach the module's internals through
 * EXPORT_SYMBOL_IF_KUNIT and run when this module is loaded after xtcp.ko.
 */
#include <kunit/test.h>
#include <linux/ip.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/checksum.h>
#include <net/ip.h>
#include "xtcp.h"
#include "xtcp_kunit_util.h"

XTCP_IMPORT_KUNIT_NS();

/* --- module parameter: which IP protocol numbers may be owned */

struct xtcp_proto_case {
	int protocol;
	int expect;
};

static const struct xtcp_proto_case xtcp_proto_cases[] = {
	{ -1, -EINVAL },	/* negative */
	{ 0, -EINVAL },		/* IPPROTO_IP, socket()'s wildcard */
	{ 1, 0 },		/* lowest; inet_add_protocol() finds ICMP owns it */
	{ 6, 0 },		/* in range; inet_add_protocol() finds TCP owns it */
	{ 200, 0 },
	{ 253, 0 },		/* the default, RFC 3692 experimental */
	{ 254, 0 },
	{ 255, -EINVAL },	/* IPPROTO_RAW, reserved */
	{ 256, -EINVAL },	/* does not fit the IP header */
};

static void xtcp_proto_case_desc(const struct xtcp_proto_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "protocol=%d", c->protocol);
}

KUNIT_ARRAY_PARAM(xtcp_proto, xtcp_proto_cases, xtcp_proto_case_desc);

static void xtcp_check_protocol_test(struct kunit *test)
{
	const struct xtcp_proto_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, xtcp_check_protocol(c->protocol), c->expect);
}

/* --- input validation: crafted segments fed to xtcp_rcv() */

/*
 * @hdr_bytes of header with data offset @doff, @payload data bytes, checksummed with
 * @csum_proto.  The segments are RSTs, which nothing answers, so each test sees only its
 * own segment in the counters.
 */
static struct sk_buff *xtcp_test_segment(struct kunit *test, unsigned int hdr_bytes,
					 u8 doff, unsigned int payload, u8 csum_proto)
{
	struct xtcp_test_seg seg = { .sport = 40000, .dport = 5001, .seq = 1,
				     .flags = TCPHDR_RST, .hdr_bytes = hdr_bytes,
				     .doff = doff, .payload = payload,
				     .csum_proto = csum_proto };

	return xtcp_test_skb(test, &seg);
}

struct xtcp_counts {
	unsigned long in, errs, csum, nosock;
};

static void xtcp_counts_read(struct xtcp_counts *c)
{
	c->in = xtcp_mib_read(&init_net, XTCP_MIB_INSEGS);
	c->errs = xtcp_mib_read(&init_net, XTCP_MIB_INERRS);
	c->csum = xtcp_mib_read(&init_net, XTCP_MIB_INCSUMERRORS);
	c->nosock = xtcp_mib_read(&init_net, XTCP_MIB_NOSOCKET);
}

/* Feed @skb and check how each counter moved. */
static void xtcp_expect_rcv(struct kunit *test, struct sk_buff *skb, unsigned long errs,
			    unsigned long csum, unsigned long nosock)
{
	struct xtcp_counts before, after;

	xtcp_counts_read(&before);
	/* the IP layer calls the handler from softirq, under rcu_read_lock() */
	local_bh_disable();
	rcu_read_lock();
	KUNIT_EXPECT_EQ(test, xtcp_rcv(skb), 0);
	rcu_read_unlock();
	local_bh_enable();
	xtcp_counts_read(&after);

	KUNIT_EXPECT_EQ(test, after.in - before.in, 1UL);
	KUNIT_EXPECT_EQ(test, after.errs - before.errs, errs);
	KUNIT_EXPECT_EQ(test, after.csum - before.csum, csum);
	KUNIT_EXPECT_EQ(test, after.nosock - before.nosock, nosock);
}

static void xtcp_rcv_valid_test(struct kunit *test)
{
	xtcp_expect_rcv(test, xtcp_test_segment(test, 20, 5, 0, xtcp_protocol), 0, 0, 1);
}

static void xtcp_rcv_valid_payload_options_test(struct kunit *test)
{
	/* 40-byte header (options are zero, i.e. End of Option List) and 100 data bytes */
	xtcp_expect_rcv(test, xtcp_test_segment(test, 40, 10, 100, xtcp_protocol), 0, 0, 1);
}

static void xtcp_rcv_truncated_header_test(struct kunit *test)
{
	xtcp_expect_rcv(test, xtcp_test_segment(test, 12, 0, 0, xtcp_protocol), 1, 0, 0);
}

static void xtcp_rcv_doff_too_small_test(struct kunit *test)
{
	xtcp_expect_rcv(test, xtcp_test_segment(test, 20, 4, 0, xtcp_protocol), 1, 0, 0);
}

static void xtcp_rcv_doff_beyond_segment_test(struct kunit *test)
{
	/* data offset claims 60 bytes of header, the datagram holds 24 */
	xtcp_expect_rcv(test, xtcp_test_segment(test, 20, 15, 4, xtcp_protocol), 1, 0, 0);
}

static void xtcp_rcv_tcp_pseudo_header_test(struct kunit *test)
{
	/* checksummed as real TCP (protocol 6 in the pseudo-header): not ours */
	xtcp_expect_rcv(test, xtcp_test_segment(test, 20, 5, 10, IPPROTO_TCP), 1, 1, 0);
}

static void xtcp_rcv_corrupted_test(struct kunit *test)
{
	struct sk_buff *skb = xtcp_test_segment(test, 20, 5, 10, xtcp_protocol);

	skb->data[25] ^= 0x40;	/* flip one payload bit after the checksum was made */
	xtcp_expect_rcv(test, skb, 1, 1, 0);
}

static struct kunit_case xtcp_module_cases[] = {
	KUNIT_CASE_PARAM(xtcp_check_protocol_test, xtcp_proto_gen_params),
	{}
};

static struct kunit_suite xtcp_module_suite = {
	.name = "xtcp_module",
	.test_cases = xtcp_module_cases,
};

static struct kunit_case xtcp_input_cases[] = {
	KUNIT_CASE(xtcp_rcv_valid_test),
	KUNIT_CASE(xtcp_rcv_valid_payload_options_test),
	KUNIT_CASE(xtcp_rcv_truncated_header_test),
	KUNIT_CASE(xtcp_rcv_doff_too_small_test),
	KUNIT_CASE(xtcp_rcv_doff_beyond_segment_test),
	KUNIT_CASE(xtcp_rcv_tcp_pseudo_header_test),
	KUNIT_CASE(xtcp_rcv_corrupted_test),
	{}
};

static struct kunit_suite xtcp_input_suite = {
	.name = "xtcp_input",
	.test_cases = xtcp_input_cases,
};

kunit_test_suites(&xtcp_module_suite, &xtcp_input_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for xtcp");
