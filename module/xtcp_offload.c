// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: segmentation offload (GSO), like net/ipv4/tcp_offload.c.
 *
 * A queued segment holds up to a super-segment's worth of data (xtcp_skb_pcount()
 * MSS-sized segments), and xtcp_write_xmit() sends it as one: one header, gso_size the
 * MSS.  It goes down the stack - IP, netfilter, the qdisc, a veth pair, the peer's IP
 * input - as one packet; only where a device cannot take it whole is it cut into
 * MSS-sized segments, by xtcp4_gso_segment() below, which inet_gso_segment() finds by
 * our IP protocol number (inet_add_offload()).  Every piece gets its own sequence
 * number and checksum; FIN and PSH stay on the last piece, CWR on the first, as
 * tcp_gso_segment() does.
 *
 * The kernel has a GSO type per protocol it knows (SKB_GSO_TCPV4, ...).  A super-segment
 * of ours says SKB_GSO_SCTP: the one type that no network card segments in hardware
 * (only software devices - loopback, veth, bridges, tunnels - claim it, and they pass the
 * packet on whole), and whose segmentation the stack dispatches by IP protocol number,
 * so it reaches us and not SCTP.  A TCP type would let a card's TSO cut our packets as
 * TCP and checksum them with TCP's protocol number in the pseudo-header.
 */
#include <linux/skbuff.h>
#include <net/ip.h>
#include <net/protocol.h>
#include "xtcp.h"

/**
 * xtcp4_gso_segment - cut a super-segment into MSS-sized segments, like
 * tcp4_gso_segment() and tcp_gso_segment()
 * @skb: the super-segment, skb->data at our header (inet_gso_segment() pulled IP's)
 * @features: what the device does: checksums we leave to it only if it sums any
 *	protocol (NETIF_F_HW_CSUM); a card that sums TCP and UDP only would not sum ours
 *
 * Context: softirq or process (the transmit path), any lock.
 * Return: the list of segments, NULL if the device takes @skb whole, or an ERR_PTR.
 */
struct sk_buff *xtcp4_gso_segment(struct sk_buff *skb, netdev_features_t features)
{
	struct sk_buff *segs = ERR_PTR(-EINVAL);
	unsigned int thlen, oldlen, mss, seq;
	__sum16 newcheck;
	struct tcphdr *th;
	__wsum delta;

	if (!(skb_shinfo(skb)->gso_type & SKB_GSO_SCTP) ||
	    !pskb_may_pull(skb, sizeof(struct tcphdr)))
		return ERR_PTR(-EINVAL);
	th = tcp_hdr(skb);
	if (skb->ip_summed != CHECKSUM_PARTIAL) {
		/* the pseudo-header's sum, which our transmit path normally leaves there */
		const struct iphdr *iph = ip_hdr(skb);

		th->check = ~csum_tcpudp_magic(iph->saddr, iph->daddr, skb->len,
					       xtcp_protocol, 0);
		skb->ip_summed = CHECKSUM_PARTIAL;
		skb->csum_start = skb_transport_header(skb) - skb->head;
		skb->csum_offset = offsetof(struct tcphdr, check);
	}
	thlen = th->doff * 4;
	if (thlen < sizeof(*th) || skb_checksum_start(skb) != skb_transport_header(skb) ||
	    !pskb_may_pull(skb, thlen))
		return segs;

	oldlen = ~skb->len;
	__skb_pull(skb, thlen);
	mss = skb_shinfo(skb)->gso_size;
	if (unlikely(skb->len <= mss))
		return segs;
	if (skb_gso_ok(skb, features | NETIF_F_GSO_ROBUST)) {
		/* the device takes it whole: it only needs the count right */
		skb_shinfo(skb)->gso_segs = DIV_ROUND_UP(skb->len, mss);
		return NULL;
	}
	if (!(features & NETIF_F_HW_CSUM))
		features &= ~NETIF_F_CSUM_MASK;

	segs = skb_segment(skb, features);
	if (IS_ERR(segs))
		return segs;
	/* GSO_PARTIAL leaves pieces of several MSS: their header counts them all */
	if (skb_is_gso(segs))
		mss *= skb_shinfo(segs)->gso_segs;

	/* each piece's pseudo-header length: the sum is adjusted, not redone */
	delta = (__force __wsum)htonl(oldlen + thlen + mss);
	skb = segs;
	th = tcp_hdr(skb);
	seq = ntohl(th->seq);
	newcheck = ~csum_fold(csum_add(csum_unfold(th->check), delta));
	while (skb->next) {
		th->fin = 0;
		th->psh = 0;
		th->check = newcheck;
		if (skb->ip_summed == CHECKSUM_PARTIAL)
			gso_reset_checksum(skb, csum_unfold(~th->check));
		else
			th->check = gso_make_checksum(skb, csum_unfold(~th->check));
		seq += mss;
		skb = skb->next;
		th = tcp_hdr(skb);
		th->seq = htonl(seq);
		th->cwr = 0;
	}
	/* the last piece may be shorter */
	delta = (__force __wsum)htonl(oldlen + (skb_tail_pointer(skb) -
						skb_transport_header(skb)) + skb->data_len);
	th->check = ~csum_fold(csum_add(csum_unfold(th->check), delta));
	if (skb->ip_summed == CHECKSUM_PARTIAL)
		gso_reset_checksum(skb, csum_unfold(~th->check));
	else
		th->check = gso_make_checksum(skb, csum_unfold(~th->check));
	return segs;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp4_gso_segment);

static struct net_offload xtcp_offload = {
	.callbacks = {
		.gso_segment = xtcp4_gso_segment,
	},
};

/**
 * xtcp_offload_init - register our segmentation with the IPv4 stack
 *
 * Context: process, module init.
 * Return: 0, or -EBUSY if another protocol registered offloads for our number.
 */
int xtcp_offload_init(void)
{
	return inet_add_offload(&xtcp_offload, xtcp_protocol) ? -EBUSY : 0;
}

/**
 * xtcp_offload_exit - unregister it; inet_del_offload() waits for the transmit paths
 * that may be in it
 *
 * Context: process, module exit or init failure.
 */
void xtcp_offload_exit(void)
{
	inet_del_offload(&xtcp_offload, xtcp_protocol);
}
