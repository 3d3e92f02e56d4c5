// SPDX-License-Identifier: GPL-2.0
/* Crafted segments and hand-made connections for the xtcp KUnit suites; see xtcp_kunit_util.h. */
#include <linux/ip.h>
#include <linux/netdevice.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include "xtcp.h"
#include "xtcp_kunit_util.h"

#define LO	htonl(INADDR_LOOPBACK)

static void xtcp_test_checksum(struct sk_buff *skb, u8 proto)
{
	struct tcphdr *th = tcp_hdr(skb);
	__wsum sum;

	th->check = 0;
	sum = csum_partial(th, skb->len, 0);
	if (skb->protocol == htons(ETH_P_IPV6))
		th->check = csum_ipv6_magic(&ipv6_hdr(skb)->saddr, &ipv6_hdr(skb)->daddr,
					    skb->len, proto, sum);
	else
		th->check = csum_tcpudp_magic(ip_hdr(skb)->saddr, ip_hdr(skb)->daddr, skb->len,
					      proto, sum);
}

/* Append an IPv6 header from @saddr to ::1 of our protocol, for @len bytes after it. */
static void xtcp_test_put_ipv6hdr(struct sk_buff *skb, const struct in6_addr *saddr,
				  unsigned int len)
{
	struct ipv6hdr *ip6h = skb_put_zero(skb, sizeof(*ip6h));

	ip6_flow_hdr(ip6h, 0, 0);
	ip6h->payload_len = htons(len);
	ip6h->nexthdr = xtcp_protocol;
	ip6h->hop_limit = 64;
	ip6h->saddr = *saddr;
	ip6h->daddr = in6addr_loopback;
}

/**
 * xtcp_test_put_iphdr - append an IPv4 header from 127.0.0.1 to 127.0.0.1 of our
 * protocol, for @len bytes after it, checksummed
 * @skb: the skb, with room for it
 * @len: the payload's length
 *
 * Return: the header.
 */
struct iphdr *xtcp_test_put_iphdr(struct sk_buff *skb, unsigned int len)
{
	struct iphdr *iph = skb_put_zero(skb, sizeof(*iph));

	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = xtcp_protocol;
	iph->saddr = LO;
	iph->daddr = LO;
	iph->tot_len = htons(sizeof(*iph) + len);
	ip_send_check(iph);
	return iph;
}

/**
 * xtcp_test_skb - a crafted segment, allocated with GFP_KERNEL
 * @test: the test (the allocation is asserted)
 * @seg: what to put in it
 *
 * Return: the skb, owned by the caller (xtcp_rcv() consumes it).
 */
struct sk_buff *xtcp_test_skb(struct kunit *test, const struct xtcp_test_seg *seg)
{
	unsigned int optlen = (seg->mss ? TCPOLEN_MSS_ALIGNED : 0) +
			      (seg->ts ? TCPOLEN_TSTAMP_ALIGNED : 0) +
			      (seg->sack ? 4 + TCPOLEN_SACK_PERBLOCK : 0);
	unsigned int hdr = seg->hdr_bytes ?: sizeof(struct tcphdr) + optlen;
	unsigned int len = hdr + seg->payload;
	struct sk_buff *skb;
	struct tcphdr *th;
	struct iphdr *iph;
	__be32 *opt;

	skb = alloc_skb(MAX_HEADER + sizeof(struct ipv6hdr) + len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, MAX_HEADER);

	skb_reset_network_header(skb);
	if (seg->saddr6) {
		skb->protocol = htons(ETH_P_IPV6);
		xtcp_test_put_ipv6hdr(skb, seg->saddr6, len);
		IP6CB(skb)->iif = init_net.loopback_dev->ifindex;
		skb_pull(skb, sizeof(struct ipv6hdr));
	} else {
		skb->protocol = htons(ETH_P_IP);
		iph = xtcp_test_put_iphdr(skb, len);
		if (seg->saddr) {
			iph->saddr = seg->saddr;
			ip_send_check(iph);
		}
		skb_pull(skb, sizeof(*iph));
	}
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
		opt = (__be32 *)(th + 1);
		if (seg->mss && hdr >= sizeof(*th) + optlen)
			*opt++ = htonl(TCPOPT_MSS << 24 | TCPOLEN_MSS << 16 | seg->mss);
		if (seg->ts && hdr >= sizeof(*th) + optlen) {
			*opt++ = htonl(TCPOPT_NOP << 24 | TCPOPT_NOP << 16 |
				       TCPOPT_TIMESTAMP << 8 | TCPOLEN_TIMESTAMP);
			*opt++ = htonl(seg->tsval);
			*opt++ = htonl(seg->tsecr);
		}
		if (seg->sack && hdr >= sizeof(*th) + optlen) {
			*opt++ = htonl(TCPOPT_NOP << 24 | TCPOPT_NOP << 16 | TCPOPT_SACK << 8 |
				       (TCPOLEN_SACK_BASE + TCPOLEN_SACK_PERBLOCK));
			*opt++ = htonl(seg->sack_start);
			*opt++ = htonl(seg->sack_end);
		}
		xtcp_test_checksum(skb, seg->csum_proto ?: xtcp_protocol);
	}

	skb->dev = init_net.loopback_dev;
	skb->pkt_type = PACKET_HOST;
	skb->ip_summed = CHECKSUM_NONE;
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

/**
 * xtcp_test_rcv_skb - a crafted segment as xtcp_rcv() passes it on: XTCP_SKB_CB
 * filled in from the header (as xtcp_v4_fill_cb() does), skb->data at the header
 * @test: the test (the allocation is asserted)
 * @seg: what to put in it
 *
 * Return: the skb, owned by the caller.
 */
struct sk_buff *xtcp_test_rcv_skb(struct kunit *test, const struct xtcp_test_seg *seg)
{
	struct sk_buff *skb = xtcp_test_skb(test, seg);
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	cb->seq = seg->seq;
	cb->end_seq = seg->seq + seg->payload + !!(seg->flags & TCPHDR_SYN) +
		      !!(seg->flags & TCPHDR_FIN);
	cb->ack_seq = seg->ack;
	cb->tw_isn = 0;
	cb->flags = seg->flags;
	return skb;
}

/**
 * xtcp_test_feed - xtcp_rcv_state_process() as xtcp_rcv() calls it in softirq,
 * freeing the segment unless the socket kept it
 * @sk: the socket, locked by the test (lock_sock())
 * @skb: a segment from xtcp_test_rcv_skb()
 *
 * The segment is processed as one that found the socket free: bottom halves off, its
 * spinlock held (timers wait), not owned by a process meanwhile - not as release_sock()
 * replays a backlog, where ACKs wait for the end of it (xtcp_ack_snd_check()).
 *
 * Return: what xtcp_rcv_state_process() returned.
 */
int xtcp_test_feed(struct sock *sk, struct sk_buff *skb)
{
	bool owned;
	int ret;

	local_bh_disable();
	bh_lock_sock_nested(sk);	/* as xtcp_rcv() takes it */
	owned = sk->sk_lock.owned;
	sk->sk_lock.owned = 0;
	ret = xtcp_rcv_state_process(sk, skb);
	sk->sk_lock.owned = owned;
	bh_unlock_sock(sk);
	local_bh_enable();
	if (ret != 2)
		kfree_skb(skb);
	return ret;
}

/**
 * xtcp_test_release - the deferred action xtcp_test_kern_socket() adds: sock_release()
 * @sock: the struct socket
 */
void xtcp_test_release(void *sock)
{
	sock_release(sock);
}

/**
 * xtcp_test_kern_socket - an xtcp kernel socket in init_net, released when the test
 * ends if not before (kunit_release_action(test, xtcp_test_release, sock))
 * @test: the test (the creation is asserted)
 *
 * Return: the socket.
 */
struct socket *xtcp_test_kern_socket(struct kunit *test)
{
	struct socket *sock;

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, AF_INET, SOCK_STREAM, xtcp_protocol,
					       &sock), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, xtcp_test_release, sock), 0);
	return sock;
}

/**
 * xtcp_test_establish - an established connection made by hand, 127.0.0.1:@lport to
 * 127.0.0.1:@rport: nothing sent yet (snd_nxt XTCP_TEST_ISS + 1), nothing received
 * (rcv_nxt XTCP_TEST_IRS + 1), SACK on, no timestamps, window 65535 both ways
 * @sk: the socket, locked, fresh from socket(); it is put in no table
 * @lport: our port
 * @rport: the peer's
 */
void xtcp_test_establish(struct sock *sk, u16 lport, u16 rport)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);

	inet->inet_rcv_saddr = htonl(INADDR_LOOPBACK);
	inet->inet_saddr = htonl(INADDR_LOOPBACK);
	inet->inet_num = lport;
	inet->inet_sport = htons(lport);
	inet->inet_daddr = htonl(INADDR_LOOPBACK);
	inet->inet_dport = htons(rport);
	xs->iss = XTCP_TEST_ISS;
	xs->snd_una = XTCP_TEST_ISS + 1;
	xs->snd_nxt = XTCP_TEST_ISS + 1;
	xs->snd_wnd = 65535;
	xs->rcv_nxt = XTCP_TEST_IRS + 1;
	xs->advmss = 1460;
	xs->mss_cache = 1460;
	xs->rx_opt.sack_ok = 1;		/* the ACKs carry SACK blocks */
	xs->rcv_wnd = 65535;
	xs->rcv_ssthresh = 65535;
	xtcp_init_transfer(sk);
	xtcp_set_state(sk, TCP_ESTABLISHED);
}

/**
 * xtcp_test_rtx_len - how many segments (skbs) a socket's retransmission queue holds
 * @sk: the socket, locked
 */
unsigned int xtcp_test_rtx_len(const struct sock *sk)
{
	const struct sk_buff *skb;
	unsigned int n = 0;

	skb_rbtree_walk(skb, &xtcp_sk(sk)->rtx_queue)
		n++;
	return n;
}
