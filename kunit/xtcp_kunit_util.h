/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the xtcp KUnit suites: crafted segments from 127.0.0.1 to 127.0.0.1
 * (or over IPv6 to ::1),
 * shaped as ip_local_deliver_finish() hands them to xtcp_rcv() or as xtcp_rcv()
 * hands them to xtcp_rcv_state_process(), and kernel sockets put in ESTABLISHED by hand.
 */
#ifndef _XTCP_KUNIT_UTIL_H
#define _XTCP_KUNIT_UTIL_H

#include <kunit/test.h>
#include <linux/net.h>
#include <linux/skbuff.h>

struct sock;

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
 * @ts: a timestamps option (NOP NOP TS) after the MSS option, with @tsval and @tsecr
 * @sack: a SACK option (NOP NOP SACK) of one block [@sack_start, @sack_end) last
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
	bool ts;
	u32 tsval, tsecr;
	bool sack;
	u32 sack_start, sack_end;
	__be32 saddr;		/* the source address, 0: 127.0.0.1 */
	const struct in6_addr *saddr6;	/* non-NULL: an IPv6 segment from it to ::1 */
};

struct iphdr *xtcp_test_put_iphdr(struct sk_buff *skb, unsigned int len);
struct sk_buff *xtcp_test_skb(struct kunit *test, const struct xtcp_test_seg *seg);
struct sk_buff *xtcp_test_set_ack(struct sk_buff *skb, u32 ack);
struct sk_buff *xtcp_test_rcv_skb(struct kunit *test, const struct xtcp_test_seg *seg);
int xtcp_test_feed(struct sock *sk, struct sk_buff *skb);

/* The sequence numbers of a connection xtcp_test_establish() makes */
#define XTCP_TEST_ISS		5000	/* ours */
#define XTCP_TEST_IRS		1000	/* the peer's */

void xtcp_test_release(void *sock);
struct socket *xtcp_test_kern_socket(struct kunit *test);
void xtcp_test_establish(struct sock *sk, u16 lport, u16 rport);
unsigned int xtcp_test_rtx_len(const struct sock *sk);

#endif
