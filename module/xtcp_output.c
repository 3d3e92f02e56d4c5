// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: building and sending segments, like net/ipv4/tcp_output.c (tcp_transmit_skb,
 * tcp_connect, tcp_send_ack, tcp_send_active_reset, tcp_make_synack) and the sending
 * halves of tcp_ipv4.c (tcp_v4_send_synack, tcp_v4_send_reset).
 *
 * IP protocol 253 gets no checksum offload: every segment's checksum is computed here,
 * over the pseudo-header with our protocol number, and sent as CHECKSUM_NONE.
 */
#include <net/route.h>
#include <kunit/visibility.h>
#include "xtcp.h"

/**
 * xtcp_v4_check - the TCP checksum of a segment, with our protocol number
 * @len: segment length (header + data)
 * @saddr: source address
 * @daddr: destination address
 * @base: the one's complement sum of the segment (csum_partial())
 *
 * Context: any.
 * Return: the value for th->check.
 */
u16 xtcp_v4_check(unsigned int len, __be32 saddr, __be32 daddr, __wsum base)
{
	return (__force u16)csum_tcpudp_magic(saddr, daddr, len, xtcp_protocol, base);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_v4_check);

/*
 * Push a TCP header (and options) in front of skb->data and checksum the segment.
 * The 16-bit window goes out as given: scaling is the caller's business.
 */
static void xtcp_push_header(struct sk_buff *skb, __be16 sport, __be16 dport, u32 seq,
			     u32 ack_seq, u8 flags, u16 window,
			     const struct xtcp_out_options *opts, __be32 saddr, __be32 daddr)
{
	unsigned int hlen = sizeof(struct tcphdr) + (opts ? xtcp_options_size(opts) : 0);
	struct tcphdr *th;

	th = skb_push(skb, hlen);
	skb_reset_transport_header(skb);
	memset(th, 0, sizeof(*th));
	th->source = sport;
	th->dest = dport;
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack_seq);
	tcp_flag_byte(th) = flags;
	th->doff = hlen / 4;
	th->window = htons(window);
	if (opts)
		xtcp_options_write((__be32 *)(th + 1), opts);
	th->check = (__force __sum16)xtcp_v4_check(skb->len, saddr, daddr,
						   csum_partial(th, skb->len, 0));
	skb->ip_summed = CHECKSUM_NONE;
}

static struct sk_buff *xtcp_alloc_ctl_skb(void)
{
	struct sk_buff *skb = alloc_skb(XTCP_MAX_HEADER, GFP_ATOMIC);

	if (skb)
		skb_reserve(skb, XTCP_MAX_HEADER);
	return skb;
}

/* The window field of a segment: in a SYN never scaled (RFC 7323 2.2). */
static u16 xtcp_window_field(const struct xtcp_sock *xs, bool syn)
{
	u32 wnd = syn ? xs->rcv_wnd : xs->rcv_wnd >> xs->rcv_wscale;

	return min_t(u32, wnd, U16_MAX);
}

/**
 * xtcp_transmit_ctl - send a segment without data from a full socket
 * @sk: the socket, locked
 * @flags: TCPHDR_* flags; a SYN carries our handshake options
 * @seq: its sequence number
 *
 * Like tcp_transmit_skb() for a segment without payload; the route comes from the
 * socket (ip_queue_xmit() looks it up and caches it on first use).
 *
 * Context: process, softirq or timer, socket locked.
 * Return: 0 or a negative errno from the IP layer.
 */
int xtcp_transmit_ctl(struct sock *sk, u8 flags, u32 seq)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	struct xtcp_out_options opts = {};
	bool syn = flags & TCPHDR_SYN;
	struct sk_buff *skb;
	int err;

	skb = xtcp_alloc_ctl_skb();
	if (!skb)
		return -ENOBUFS;
	if (syn) {
		opts.mss = xs->advmss;
		opts.ws_ok = 1;
		opts.ws = xs->rcv_wscale;
		opts.sack_ok = 1;
		opts.ts_ok = 1;
		if (flags & TCPHDR_ACK) {	/* SYN-ACK of a simultaneous open */
			opts.ws_ok = xs->rx_opt.wscale_ok;
			opts.sack_ok = xs->rx_opt.sack_ok;
			opts.ts_ok = xs->tstamp_ok;
		}
	} else {
		opts.ts_ok = xs->tstamp_ok;
	}
	if (opts.ts_ok) {
		opts.tsval = xtcp_clock_ms() + xs->tsoffset;
		opts.tsecr = xs->ts_recent;
	}
	xtcp_push_header(skb, inet->inet_sport, inet->inet_dport, seq,
			 flags & TCPHDR_ACK ? xs->rcv_nxt : 0, flags,
			 xtcp_window_field(xs, syn), &opts, inet->inet_saddr, inet->inet_daddr);
	skb_set_owner_w(skb, sk);

	err = ip_queue_xmit(sk, skb, &inet->cork.fl);
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_OUTSEGS);
	if (flags & TCPHDR_RST)
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_OUTRSTS);
	return net_xmit_eval(err);
}

/**
 * xtcp_backoff - an exponential backoff schedule: @base doubled @n times, at most @max
 * @base: the first timeout (jiffies)
 * @n: retransmissions so far
 * @max: the cap
 *
 * Context: any.
 * Return: the timeout before the next retransmission, in jiffies.
 */
u32 xtcp_backoff(u32 base, unsigned int n, u32 max)
{
	u64 t = n >= 32 ? U64_MAX : (u64)base << n;

	return min_t(u64, t, max);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_backoff);

/**
 * xtcp_connect - send the SYN of an active open, like tcp_connect()
 * @sk: a socket in SYN_SENT, hashed, with iss set
 *
 * Context: process, socket locked.
 * Return: 0 or a negative errno.
 */
int xtcp_connect(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	int err;

	xs->snd_una = xs->iss;
	xs->snd_nxt = xs->iss + 1;
	xs->rcv_nxt = 0;
	xs->retransmits = 0;
	xs->rto = XTCP_TIMEOUT_INIT;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ACTIVEOPENS);
	err = xtcp_transmit_ctl(sk, TCPHDR_SYN, xs->iss);
	if (err == -ECONNREFUSED)
		return err;
	/* a SYN lost on the way out is retransmitted like one lost in the network */
	sk_reset_timer(sk, &xs->retransmit_timer, jiffies + xs->rto);
	return 0;
}

/**
 * xtcp_send_ack - acknowledge everything received so far
 * @sk: the socket, locked
 *
 * Context: process, softirq or timer, socket locked.
 */
void xtcp_send_ack(struct sock *sk)
{
	xtcp_transmit_ctl(sk, TCPHDR_ACK, xtcp_sk(sk)->snd_nxt);
}

/**
 * xtcp_send_active_reset - abort a connection: send RST (with ACK) to the peer
 * @sk: the socket, locked
 *
 * Context: process, softirq or timer, socket locked.
 */
void xtcp_send_active_reset(struct sock *sk)
{
	xtcp_transmit_ctl(sk, TCPHDR_RST | TCPHDR_ACK, xtcp_sk(sk)->snd_nxt);
}

/**
 * xtcp_v4_send_synack - answer a SYN for a request minisocket, like
 * tcp_v4_send_synack() + tcp_make_synack()
 * @listener: the listening socket, locked
 * @req: the request
 *
 * The route is looked up for the request's addresses; its MSS sets the one we offer.
 * The first call also fixes the MSS the connection will use.
 *
 * Context: softirq or timer, listener locked.
 * Return: 0 or a negative errno.
 */
int xtcp_v4_send_synack(struct sock *listener, struct xtcp_request_sock *req)
{
	struct net *net = sock_net(listener);
	struct xtcp_out_options opts = {};
	struct sk_buff *skb;
	struct flowi4 fl4;
	struct rtable *rt;
	int err;

	flowi4_init_output(&fl4, listener->sk_bound_dev_if, READ_ONCE(listener->sk_mark), 0,
			   RT_SCOPE_UNIVERSE, xtcp_protocol, 0, req->common.skc_daddr,
			   req->common.skc_rcv_saddr, req->common.skc_dport,
			   htons(req->common.skc_num), sock_net_uid(net, listener));
	rt = ip_route_output_flow(net, &fl4, listener);
	if (IS_ERR(rt))
		return PTR_ERR(rt);
	skb = xtcp_alloc_ctl_skb();
	if (!skb) {
		ip_rt_put(rt);
		return -ENOBUFS;
	}
	if (!req->advmss) {
		req->advmss = min_t(u32, dst_metric_advmss(&rt->dst), U16_MAX);
		req->mss = xtcp_clamp_mss(req->mss, req->advmss);
	}
	opts.mss = req->advmss;
	opts.ws_ok = req->wscale_ok;
	opts.ws = req->rcv_wscale;
	opts.sack_ok = req->sack_ok;
	opts.ts_ok = req->tstamp_ok;
	if (opts.ts_ok) {
		opts.tsval = xtcp_clock_ms() + xtcp_ts_offset(req->common.skc_rcv_saddr,
							      req->common.skc_daddr);
		opts.tsecr = req->ts_recent;
	}
	xtcp_push_header(skb, htons(req->common.skc_num), req->common.skc_dport,
			 req->snt_isn, req->rcv_isn + 1, TCPHDR_SYN | TCPHDR_ACK,
			 min_t(u32, req->rcv_wnd, U16_MAX), &opts, req->common.skc_rcv_saddr,
			 req->common.skc_daddr);
	skb_dst_set(skb, &rt->dst);
	err = ip_build_and_send_pkt(skb, listener, req->common.skc_rcv_saddr,
				    req->common.skc_daddr, NULL, 0);
	XTCP_INC_STATS(net, XTCP_MIB_OUTSEGS);
	return net_xmit_eval(err);
}

/**
 * xtcp_v4_send_reset - answer a segment no socket takes with a RST, like
 * tcp_v4_send_reset()
 * @net: the namespace it arrived in
 * @skb: the segment (validated; transport header set)
 *
 * RFC 9293 3.10.7.1: a RST never answers a RST; if the segment has an ACK the RST
 * takes its sequence number from it, otherwise it has sequence 0 and acknowledges the
 * segment.  Segments to broadcast or multicast addresses get no answer.  It is sent
 * from the namespace's control socket.
 *
 * Context: softirq, or process (backlog), rcu_read_lock() held or not.
 */
void xtcp_v4_send_reset(struct net *net, struct sk_buff *skb)
{
	const struct tcphdr *th = tcp_hdr(skb);
	const struct iphdr *iph = ip_hdr(skb);
	struct sock *ctl_sk = xtcp_pernet(net)->ctl_sk;
	u32 seq = 0, ack_seq = 0;
	u8 flags = TCPHDR_RST;
	struct sk_buff *nskb;
	struct flowi4 fl4;
	struct rtable *rt;

	if (th->rst)
		return;
	if (skb_rtable(skb) && skb_rtable(skb)->rt_type != RTN_LOCAL)
		return;
	if (th->ack) {
		seq = ntohl(th->ack_seq);
	} else {
		flags |= TCPHDR_ACK;
		ack_seq = ntohl(th->seq) + th->syn + th->fin + skb->len - th->doff * 4;
	}

	flowi4_init_output(&fl4, 0, 0, 0, RT_SCOPE_UNIVERSE, xtcp_protocol, 0, iph->saddr,
			   iph->daddr, th->source, th->dest, sock_net_uid(net, NULL));
	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt))
		return;
	nskb = xtcp_alloc_ctl_skb();
	if (!nskb) {
		ip_rt_put(rt);
		return;
	}
	xtcp_push_header(nskb, th->dest, th->source, seq, ack_seq, flags, 0, NULL,
			 iph->daddr, iph->saddr);
	skb_dst_set(nskb, &rt->dst);
	local_bh_disable();
	ip_build_and_send_pkt(nskb, ctl_sk, iph->daddr, iph->saddr, NULL, 0);
	local_bh_enable();
	XTCP_INC_STATS(net, XTCP_MIB_OUTSEGS);
	XTCP_INC_STATS(net, XTCP_MIB_OUTRSTS);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_v4_send_reset);
