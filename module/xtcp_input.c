// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: segment reception, the counterpart of tcp_v4_rcv() in net/ipv4/tcp_ipv4.c.
 *
 * The IP layer hands us every datagram whose protocol field is xtcp_protocol
 * (ip_local_deliver_finish -> ip_protocol_deliver_rcu -> xtcp_v4_rcv), in softirq context
 * under rcu_read_lock().  The segment is RFC 9293's TCP header byte for byte; only the
 * pseudo-header of the checksum carries our protocol number instead of 6.
 */
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/xfrm.h>
#include <kunit/visibility.h>
#include "xtcp.h"

/**
 * xtcp_v4_rcv - receive one segment
 * @skb: the datagram, with skb->data at the transport header
 *
 * Validates the segment the way tcp_v4_rcv() does: it must hold a whole header
 * (data offset at least 5 words and within the datagram) and its checksum over the
 * IPv4 pseudo-header with our protocol number must be correct.  A malformed segment is
 * dropped and counted in InErrs (and InCsumErrors for a bad checksum).  Socket lookup
 * comes with connection establishment; until then a valid segment finds no socket and
 * is counted as such.
 *
 * Context: softirq, rcu_read_lock() held.
 * Return: 0; the skb is always consumed.
 */
int xtcp_v4_rcv(struct sk_buff *skb)
{
	struct net *net = dev_net(skb->dev);
	enum skb_drop_reason reason = SKB_DROP_REASON_NOT_SPECIFIED;
	const struct tcphdr *th;

	if (skb->pkt_type != PACKET_HOST)
		goto discard;

	XTCP_INC_STATS(net, XTCP_MIB_INSEGS);

	if (!pskb_may_pull(skb, sizeof(struct tcphdr))) {
		reason = SKB_DROP_REASON_PKT_TOO_SMALL;
		goto bad_packet;
	}
	th = (const struct tcphdr *)skb->data;
	if (th->doff < sizeof(struct tcphdr) / 4) {
		reason = SKB_DROP_REASON_PKT_TOO_SMALL;
		goto bad_packet;
	}
	if (!pskb_may_pull(skb, th->doff * 4)) {
		reason = SKB_DROP_REASON_PKT_TOO_SMALL;
		goto bad_packet;
	}
	if (skb_checksum_init(skb, xtcp_protocol, inet_compute_pseudo) ||
	    skb_checksum_complete(skb)) {
		reason = SKB_DROP_REASON_TCP_CSUM;
		XTCP_INC_STATS(net, XTCP_MIB_INCSUMERRORS);
		goto bad_packet;
	}

	if (!xfrm4_policy_check(NULL, XFRM_POLICY_IN, skb)) {
		reason = SKB_DROP_REASON_XFRM_POLICY;
		goto discard;
	}
	XTCP_INC_STATS(net, XTCP_MIB_NOSOCKET);
	reason = SKB_DROP_REASON_NO_SOCKET;
	goto discard;

bad_packet:
	XTCP_INC_STATS(net, XTCP_MIB_INERRS);
discard:
	kfree_skb_reason(skb, reason);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_v4_rcv);

/**
 * xtcp_v4_err - ICMP error for a segment we sent
 * @skb: the ICMP message, skb->data at the quoted IP header's payload
 * @info: ICMP-type-specific data (the MTU for "fragmentation needed")
 *
 * xtcp sends no segments yet, so no ICMP error can belong to one of our sockets.
 *
 * Context: softirq, rcu_read_lock() held.
 * Return: 0 (the error was examined).
 */
int xtcp_v4_err(struct sk_buff *skb, u32 info)
{
	return 0;
}
