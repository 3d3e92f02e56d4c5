// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: segmentation offload (GSO) and receive offload (GRO), like
 * net/ipv4/tcp_offload.c.
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
 *
 * GRO is the same thing backwards, on receive: a device's NAPI poll hands its packets
 * to napi_gro_receive(), and inet_gro_receive() hands those of our protocol number to
 * xtcp4_gro_receive() (the same struct net_offload).  Consecutive segments of one flow
 * whose headers are the same but for the sequence number, the checksum and PSH/FIN are
 * glued into one packet (xtcp_gro_receive(), like tcp_gro_receive()), held in the NAPI
 * instance's lists until something ends the train: a segment that cannot follow, one
 * shorter than the first, PSH, FIN, or the end of the poll.  Then xtcp4_gro_complete()
 * makes it a super-segment exactly like the ones we send: SKB_GSO_SCTP, gso_size the
 * MSS, the checksum left partial.  Delivered, xtcp_rcv() takes it as it takes a
 * super-segment that came whole over veth (one socket lookup, one pass through the
 * state machine for many segments); forwarded, it is cut again by xtcp4_gso_segment()
 * before a device that cannot take it.  Two things differ from TCP's: the checksum is
 * checked with our protocol number in the pseudo-header, and the gluing itself is ours
 * (xtcp_gro_merge()), because skb_gro_receive() is not exported to modules.
 */
#include <linux/skbuff.h>
#include <net/gro.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/protocol.h>
#include "xtcp.h"

/* Is @skb a super-segment of ours with a whole header? */
static bool xtcp_gso_ok(struct sk_buff *skb)
{
	return (skb_shinfo(skb)->gso_type & SKB_GSO_SCTP) &&
	       pskb_may_pull(skb, sizeof(struct tcphdr));
}

/*
 * A super-segment whose checksum is not left partial, as our transmit path leaves it
 * (one from elsewhere): the pseudo-header's sum @pseudo goes in, the rest is partial.
 */
static void xtcp_gso_set_partial(struct sk_buff *skb, __sum16 pseudo)
{
	tcp_hdr(skb)->check = pseudo;
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_transport_header(skb) - skb->head;
	skb->csum_offset = offsetof(struct tcphdr, check);
}

/*
 * Cut a super-segment into MSS-sized segments, like tcp_gso_segment(), whatever the
 * IP version: its header's checksum field holds the pseudo-header's sum.
 */
static struct sk_buff *xtcp_gso_segment(struct sk_buff *skb, netdev_features_t features)
{
	struct sk_buff *segs = ERR_PTR(-EINVAL), *gso_skb = skb;
	unsigned int thlen, oldlen, mss, seq, sum_truesize = 0;
	struct tcphdr *th = tcp_hdr(skb);
	bool copy_destructor;
	__sum16 newcheck;
	__wsum delta;

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

	copy_destructor = skb->destructor == xtcp_wfree;
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
		if (copy_destructor) {
			skb->destructor = gso_skb->destructor;
			skb->sk = gso_skb->sk;
			sum_truesize += skb->truesize;
		}
		seq += mss;
		skb = skb->next;
		th = tcp_hdr(skb);
		th->seq = htonl(seq);
		th->cwr = 0;
	}
	/*
	 * The small queues' callback comes when the last piece is freed, not now, when the
	 * stack frees the super-segment: the pieces take its ownership, the last one the
	 * difference of their sizes (tcp_gso_segment()).
	 */
	if (copy_destructor) {
		int more;

		swap(gso_skb->sk, skb->sk);
		swap(gso_skb->destructor, skb->destructor);
		sum_truesize += skb->truesize;
		more = sum_truesize - gso_skb->truesize;
		if (likely(more >= 0))
			refcount_add(more, &skb->sk->sk_wmem_alloc);
		else
			WARN_ON_ONCE(refcount_sub_and_test(-more, &skb->sk->sk_wmem_alloc));
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

/**
 * xtcp4_gso_segment - cut a super-segment sent over IPv4, like tcp4_gso_segment()
 * @skb: the super-segment, skb->data at our header (inet_gso_segment() pulled IP's)
 * @features: what the device does: checksums we leave to it only if it sums any
 *	protocol (NETIF_F_HW_CSUM); a card that sums TCP and UDP only would not sum ours
 *
 * Every piece gets its own sequence number and checksum; FIN and PSH stay on the last
 * piece, CWR on the first (xtcp_gso_segment()).
 *
 * Context: softirq or process (the transmit path), any lock.
 * Return: the list of segments, NULL if the device takes @skb whole, or an ERR_PTR.
 */
struct sk_buff *xtcp4_gso_segment(struct sk_buff *skb, netdev_features_t features)
{
	const struct iphdr *iph = ip_hdr(skb);

	if (!xtcp_gso_ok(skb))
		return ERR_PTR(-EINVAL);
	if (skb->ip_summed != CHECKSUM_PARTIAL)
		xtcp_gso_set_partial(skb, ~csum_tcpudp_magic(iph->saddr, iph->daddr, skb->len,
							     xtcp_protocol, 0));
	return xtcp_gso_segment(skb, features);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp4_gso_segment);

#if IS_ENABLED(CONFIG_IPV6)
/**
 * xtcp6_gso_segment - cut a super-segment sent over IPv6, like tcp6_gso_segment()
 * @skb: the super-segment, skb->data at our header (ipv6_gso_segment() pulled IPv6's)
 * @features: what the device does
 *
 * Context: softirq or process (the transmit path), any lock.
 * Return: the list of segments, NULL if the device takes @skb whole, or an ERR_PTR.
 */
static struct sk_buff *xtcp6_gso_segment(struct sk_buff *skb, netdev_features_t features)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);

	if (!xtcp_gso_ok(skb))
		return ERR_PTR(-EINVAL);
	if (skb->ip_summed != CHECKSUM_PARTIAL)
		xtcp_gso_set_partial(skb, ~csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr, skb->len,
							   xtcp_protocol, 0));
	return xtcp_gso_segment(skb, features);
}
#endif

/*
 * The held packet of @th's flow, like tcp_gro_lookup(): the device and IP layers left
 * same_flow set on the held packets from and to the same addresses; the ports decide.
 */
static struct sk_buff *xtcp_gro_lookup(struct list_head *head, struct tcphdr *th)
{
	struct sk_buff *p;

	list_for_each_entry(p, head, list) {
		if (!NAPI_GRO_CB(p)->same_flow)
			continue;
		/* both ports in one comparison */
		if (*(u32 *)&th->source ^ *(u32 *)&tcp_hdr(p)->source) {
			NAPI_GRO_CB(p)->same_flow = 0;
			continue;
		}
		return p;
	}
	return NULL;
}

/*
 * Our header, options included, like tcp_gro_pull_header(): it may lie in the first
 * page fragment (frag0, read in place) or, if it does not fit there, be pulled into
 * the linear part.  GRO moves its offset past it; skb->data does not move.
 */
static struct tcphdr *xtcp_gro_pull_header(struct sk_buff *skb)
{
	unsigned int off = skb_gro_offset(skb), thlen;
	struct tcphdr *th;

	th = skb_gro_header(skb, off + sizeof(*th), off);
	if (unlikely(!th))
		return NULL;
	thlen = th->doff * 4;
	if (thlen < sizeof(*th))
		return NULL;
	th = skb_gro_header(skb, off + thlen, off);
	if (unlikely(!th))
		return NULL;
	skb_gro_pull(skb, thlen);
	return th;
}

/*
 * Append @skb's payload to @p, the held packet of its flow, like skb_gro_receive()
 * (which modules cannot call).  If @skb's headers are all in its linear part, its page
 * fragments move to the last buffer of @p while they fit (MAX_SKB_FRAGS), and the GRO
 * core frees what is left of @skb (NAPI_GRO_FREE); otherwise @skb, its headers pulled,
 * is chained whole to @p's frag_list.  skb_gro_receive() also steals a linear part
 * that is a page fragment (NAPI_GRO_FREE_STOLEN_HEAD); here such data takes the
 * frag_list way, which costs a buffer, not a copy.  Return 0 once merged, or an
 * error: @p may not grow.
 */
static int xtcp_gro_merge(struct sk_buff *p, struct sk_buff *skb)
{
	struct skb_shared_info *pinfo, *skbinfo = skb_shinfo(skb);
	unsigned int offset = skb_gro_offset(skb);
	unsigned int headlen = skb_headlen(skb);
	unsigned int len = skb_gro_len(skb);
	unsigned int delta_truesize;
	struct sk_buff *lp;

	/* page-pool pages and user pages (zerocopy) go back their own way: not mixed */
	if (p->pp_recycle != skb->pp_recycle || skb_zcopy(p) || skb_zcopy(skb))
		return -ETOOMANYREFS;
	/* at most 64 KiB, the IP length field: BIG TCP's larger packets are TCP's only */
	if (p->len + len >= min(xtcp_gro_max_size(p), GRO_LEGACY_MAX_SIZE) ||
	    NAPI_GRO_CB(skb)->flush)
		return -E2BIG;

	lp = NAPI_GRO_CB(p)->last;
	pinfo = skb_shinfo(lp);
	if (headlen <= offset && pinfo->nr_frags + skbinfo->nr_frags <= MAX_SKB_FRAGS) {
		skb_frag_t *frag = &pinfo->frags[pinfo->nr_frags];
		unsigned int new_truesize;

		memcpy(frag, skbinfo->frags, skbinfo->nr_frags * sizeof(*frag));
		pinfo->nr_frags += skbinfo->nr_frags;
		skbinfo->nr_frags = 0;
		/* the first fragment may begin with the rest of our header */
		skb_frag_off_add(frag, offset - headlen);
		skb_frag_size_sub(frag, offset - headlen);

		/* the pages' share of the memory moves to @p; @skb keeps its head's */
		new_truesize = SKB_TRUESIZE(skb_end_offset(skb));
		delta_truesize = skb->truesize - new_truesize;
		skb->truesize = new_truesize;
		skb->len -= skb->data_len;
		skb->data_len = 0;
		NAPI_GRO_CB(skb)->free = NAPI_GRO_FREE;
	} else {
		/* skb_segment() cannot cut the linear part of a frag_list member */
		if (unlikely(headlen > offset + skb_shinfo(p)->gso_size))
			return -E2BIG;
		/* a socket's ownership, if any, went with the packet it is merged into */
		skb->destructor = NULL;
		skb->sk = NULL;
		delta_truesize = skb->truesize;
		if (offset > headlen) {
			unsigned int eat = offset - headlen;

			skb_frag_off_add(&skbinfo->frags[0], eat);
			skb_frag_size_sub(&skbinfo->frags[0], eat);
			skb->data_len -= eat;
			skb->len -= eat;
			offset = headlen;
		}
		__skb_pull(skb, offset);
		if (NAPI_GRO_CB(p)->last == p)
			skb_shinfo(p)->frag_list = skb;
		else
			NAPI_GRO_CB(p)->last->next = skb;
		NAPI_GRO_CB(p)->last = skb;
		__skb_header_release(skb);
		lp = p;
	}

	NAPI_GRO_CB(p)->count += NAPI_GRO_CB(skb)->count;
	p->data_len += len;
	p->truesize += delta_truesize;
	p->len += len;
	skb_shinfo(p)->flags |= skbinfo->flags & SKBFL_SHARED_FRAG;
	if (lp != p) {
		lp->data_len += len;
		lp->truesize += delta_truesize;
		lp->len += len;
		skb_shinfo(lp)->flags |= skbinfo->flags & SKBFL_SHARED_FRAG;
	}
	NAPI_GRO_CB(skb)->same_flow = 1;
	return 0;
}

/**
 * xtcp_gro_receive - merge a segment into the held packet of its flow, like
 * tcp_gro_receive()
 * @head: the packets this NAPI instance holds (one of its hash buckets)
 * @skb: the arriving segment; skb_gro_offset() past @th, its checksum checked
 * @th: @skb's header, options included
 *
 * @skb is glued to the held packet of its flow if it continues it exactly: the same
 * flags but for PSH and FIN (and no CWR: that one starts a train), the same ACK
 * number, window and options, the next sequence number, no more data than the first
 * segment and the IP header in step (TTL, TOS, DF, IP ID).  A short segment, PSH, FIN,
 * URG, SYN or RST ends the train: the held packet goes up now, with @skb if it was
 * merged.  A segment with no data never merges (nothing to gain, and duplicate ACKs
 * must stay apart).  A super-segment that came whole (veth passes ours) does not
 * either: dev_gro_receive() sets flush for any GSO packet whose type is not TCP's.
 *
 * Context: softirq (NAPI poll), rcu_read_lock() held.
 * Return: the held packet to complete and pass up now, or NULL; @skb's GRO state says
 * whether it was merged (same_flow) or must go up alone (flush), else it is held.
 */
static struct sk_buff *xtcp_gro_receive(struct list_head *head, struct sk_buff *skb,
					struct tcphdr *th)
{
	unsigned int thlen = th->doff * 4, len = skb_gro_len(skb), mss = 1, i;
	__be32 flags = tcp_flag_word(th);
	struct sk_buff *pp = NULL, *p;
	struct tcphdr *th2;
	int flush = 1;

	p = xtcp_gro_lookup(head, th);
	if (!p)
		goto out_check_final;

	th2 = tcp_hdr(p);
	/*
	 * The flag word holds the data offset and the window too: all must match but
	 * CWR, FIN and PSH.  A CWR of @skb's ends the train before it (it must stay on
	 * the first segment, where xtcp4_gso_segment() would put it back).
	 */
	flush = (__force int)(flags & TCP_FLAG_CWR);
	flush |= (__force int)((flags ^ tcp_flag_word(th2)) &
			       ~(TCP_FLAG_CWR | TCP_FLAG_FIN | TCP_FLAG_PSH));
	flush |= (__force int)(th->ack_seq ^ th2->ack_seq);
	/* the options, word by word (a timestamp that ticked ends the train) */
	for (i = sizeof(*th); i < thlen; i += 4)
		flush |= *(u32 *)((u8 *)th + i) ^ *(u32 *)((u8 *)th2 + i);
	flush |= xtcp_gro_network_flush(th, th2, p);

	/* the held packet's gso_size is its first segment's length, which sets the MSS */
	mss = skb_shinfo(p)->gso_size;
	flush |= (len - 1) >= mss;
	flush |= (ntohl(th2->seq) + skb_gro_len(p)) ^ ntohl(th->seq);

	if (flush || xtcp_gro_merge(p, skb)) {
		mss = 1;
		goto out_check_final;
	}
	tcp_flag_word(th2) |= flags & (TCP_FLAG_FIN | TCP_FLAG_PSH);

out_check_final:
	/* a short segment, or one whose flags ask for it, ends the train */
	flush = len < mss;
	flush |= (__force int)(flags & (TCP_FLAG_URG | TCP_FLAG_PSH | TCP_FLAG_RST |
					TCP_FLAG_SYN | TCP_FLAG_FIN));
	if (p && (!NAPI_GRO_CB(skb)->same_flow || flush))
		pp = p;
	NAPI_GRO_CB(skb)->flush |= (flush != 0);
	return pp;
}

/*
 * Check the checksum, then merge, like tcp4_gro_receive().  The pseudo-header carries
 * our protocol number: skb_gro_checksum_validate() takes it as an argument (TCP's
 * passes IPPROTO_TCP).  It checks nothing when the sender left the sum to the device
 * (CHECKSUM_PARTIAL, as over veth) or the card checked it; otherwise it sums the
 * segment once, and a segment that then goes up alone is marked CHECKSUM_UNNECESSARY.
 * A segment already marked to go up alone is not checked here: xtcp_rcv() will.
 */
static struct sk_buff *xtcp4_gro_receive(struct list_head *head, struct sk_buff *skb)
{
	struct tcphdr *th;

	if (!NAPI_GRO_CB(skb)->flush &&
	    skb_gro_checksum_validate(skb, xtcp_protocol, inet_gro_compute_pseudo))
		goto flush;
	th = xtcp_gro_pull_header(skb);
	if (!th)
		goto flush;
	return xtcp_gro_receive(head, skb, th);

flush:
	NAPI_GRO_CB(skb)->flush = 1;
	return NULL;
}

/**
 * xtcp_gro_complete - make a merged packet a super-segment, like tcp_gro_complete()
 * @skb: the packet, several segments glued together; its header's checksum field
 *	already holds the pseudo-header's sum
 *
 * The checksum is left to whoever delivers or cuts it (CHECKSUM_PARTIAL): the pieces
 * were checked on the way in, and a sum over the whole is not needed on the way up.
 * TCP also marks a packet whose first segment has CWR SKB_GSO_TCP_ECN, for a card's
 * TSO; ours keeps CWR on the first piece by itself (xtcp4_gso_segment()).
 *
 * Context: softirq (NAPI poll, or a flush of the held packets).
 */
static void xtcp_gro_complete(struct sk_buff *skb)
{
	struct tcphdr *th = tcp_hdr(skb);

	/* in a tunnel, the header segmentation must find is the inner one */
	if (skb->encapsulation)
		skb->inner_transport_header = skb->transport_header;
	skb->csum_start = (unsigned char *)th - skb->head;
	skb->csum_offset = offsetof(struct tcphdr, check);
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb_shinfo(skb)->gso_segs = NAPI_GRO_CB(skb)->count;
}

/*
 * The merged packet's pseudo-header sum and GSO type, then the rest, like
 * tcp4_gro_complete().  inet_gro_complete() gave its IP header the new length; that
 * header lies right before ours, as GRO merges no packet with IP options.  gso_size,
 * the first segment's length, dev_gro_receive() already set.
 */
static int xtcp4_gro_complete(struct sk_buff *skb, int thoff)
{
	const struct iphdr *iph = (struct iphdr *)(skb->data + thoff - sizeof(*iph));
	struct tcphdr *th = tcp_hdr(skb);

	th->check = ~csum_tcpudp_magic(iph->saddr, iph->daddr, skb->len - thoff,
				       xtcp_protocol, 0);
	skb_shinfo(skb)->gso_type |= SKB_GSO_SCTP;
	xtcp_gro_complete(skb);
	return 0;
}

static struct net_offload xtcp_offload = {
	.callbacks = {
		.gso_segment = xtcp4_gso_segment,
		.gro_receive = xtcp4_gro_receive,
		.gro_complete = xtcp4_gro_complete,
	},
};

#if IS_ENABLED(CONFIG_IPV6)
/* IPv6: segmentation only; received IPv6 segments are not merged (no GRO) yet */
static struct net_offload xtcp6_offload = {
	.callbacks = {
		.gso_segment = xtcp6_gso_segment,
	},
};

/**
 * xtcp6_offload_init - register our segmentation offload with the IPv6 stack
 *
 * Context: process, module init, IPv6 on.
 * Return: 0, or -EBUSY if another protocol registered offloads for our number.
 */
int xtcp6_offload_init(void)
{
	return inet6_add_offload(&xtcp6_offload, xtcp_protocol) ? -EBUSY : 0;
}

/**
 * xtcp6_offload_exit - unregister it
 *
 * Context: process, module exit or init failure.
 */
void xtcp6_offload_exit(void)
{
	inet6_del_offload(&xtcp6_offload, xtcp_protocol);
}
#endif

/**
 * xtcp_offload_init - register our segmentation and receive offload with the IPv4
 * stack
 *
 * Context: process, module init.
 * Return: 0, or -EBUSY if another protocol registered offloads for our number.
 */
int xtcp_offload_init(void)
{
	return inet_add_offload(&xtcp_offload, xtcp_protocol) ? -EBUSY : 0;
}

/**
 * xtcp_offload_exit - unregister it; inet_del_offload() waits for the transmit and
 * NAPI paths that may be in it
 *
 * Context: process, module exit or init failure.
 */
void xtcp_offload_exit(void)
{
	inet_del_offload(&xtcp_offload, xtcp_protocol);
}
