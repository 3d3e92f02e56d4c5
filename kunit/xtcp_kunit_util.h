/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the xtcp KUnit suites: crafted segments from 127.0.0.1 to 127.0.0.1,
 * shaped as ip_local_deliver_finish() hands them to xtcp_v4_rcv().
 */
#ifndef _XTCP_KUNIT_UTIL_H
#define _XTCP_KUNIT_UTIL_H

#include <kunit/test.h>
#include <linux/skbuff.h>

/*
 * struct xtcp_test_seg - what to put in a crafted segment
 * @sport: source port
 * @dport: destination port
 * @seq: sequence number
 * @ack: acknowledgment number
 * @flags: TCPHDR_* flags
 * @mss: an MSS option if non-zero
 * @hdr_bytes: bytes of header to write (0: a whole header with its options); fewer
 *	than 20 make a truncated header
 * @doff: the data offset field (0: the true header length)
 * @payload: bytes of zero data after the header
 * @csum_proto: protocol number in the checksum's pseudo-header (0: ours)
 */
struct xtcp_test_seg {
	u16 sport, dport;
	u32 seq, ack;
	u8 flags;
	u16 mss;
	unsigned int hdr_bytes;
	u8 doff;
	unsigned int payload;
	u8 csum_proto;
};

struct sk_buff *xtcp_test_skb(struct kunit *test, const struct xtcp_test_seg *seg);
struct sk_buff *xtcp_test_set_ack(struct sk_buff *skb, u32 ack);

#endif
