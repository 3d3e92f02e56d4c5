// SPDX-License-Identifier: GPL-2.0
/* Crafted segments for the xtcp KUnit suites; see xtcp_kunit_util.h. */
#include <linux/ip.h>
#include <linux/netdevice.h>
#include <net/checksum.h>
#include <net/ip.h>
#include "xtcp.h"
#include "xtcp_kunit_util.h"

#define LO	htonl(INADDR_LOOPBACK)

static void xtcp_test_checksum(struct sk_buff *skb, u8 proto)
{
	struct tcphdr *th = tcp_hdr(skb);

	th->check = 0;
	th->check = csum_tcpudp_magic(LO, LO, skb->len, proto, csum_partial(th, skb->len, 0));
}

/**
 * xtcp_test_skb - a crafted segment, allocated with GFP_KERNEL
 * @test: the test (the allocation is asserted)
 * @seg: what to put in it
 *
 * Return: the skb, owned by the caller (xtcp_v4_rcv() consumes it).
 */
struct sk_buff *xtcp_test_skb(struct kunit *test, const struct xtcp_test_seg *seg)
{
	unsigned int optlen = seg->mss ? TCPOLEN_MSS_ALIGNED : 0;
	unsigned int hdr = seg->hdr_bytes ?: sizeof(struct tcphdr) + optlen;
	unsigned int len = hdr + seg->payload;
	struct sk_buff *skb;
	struct tcphdr *th;
	struct iphdr *iph;

	skb = alloc_skb(MAX_HEADER + sizeof(*iph) + len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, MAX_HEADER);

	iph = skb_put_zero(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = xtcp_protocol;
	iph->saddr = LO;
	iph->daddr = LO;
	iph->tot_len = htons(sizeof(*iph) + len);
	ip_send_check(iph);
	skb_pull(skb, sizeof(*iph));
	skb_reset_transport_header(skb);

	th = skb_put_zero(skb, len);
	if (hdr >= sizeof(*th)) {
		th->source = htons(seg->sport);
		th->dest = htons(seg->dport);
		th->seq = htonl(seg->seq);
		th->ack_seq = htonl(seg->ack);
		tcp_flag_byte(th) = seg->flags;
		th->doff = seg->doff ?: hdr / 4;
		th->window = htons(65535);
		if (seg->mss && hdr >= sizeof(*th) + optlen)
			*(__be32 *)(th + 1) = htonl(TCPOPT_MSS << 24 | TCPOLEN_MSS << 16 |
						    seg->mss);
		xtcp_test_checksum(skb, seg->csum_proto ?: xtcp_protocol);
	}

	skb->dev = init_net.loopback_dev;
	skb->pkt_type = PACKET_HOST;
	skb->ip_summed = CHECKSUM_NONE;
	skb->protocol = htons(ETH_P_IP);
	return skb;
}

/**
 * xtcp_test_set_ack - point a crafted segment's ACK at @ack and checksum it again
 * @skb: a segment from xtcp_test_skb()
 * @ack: the acknowledgment number
 *
 * Return: @skb.
 */
struct sk_buff *xtcp_test_set_ack(struct sk_buff *skb, u32 ack)
{
	tcp_hdr(skb)->ack_seq = htonl(ack);
	xtcp_test_checksum(skb, xtcp_protocol);
	return skb;
}
