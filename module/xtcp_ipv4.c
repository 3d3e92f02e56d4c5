// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: the IPv4 glue, like net/ipv4/tcp_ipv4.c: connect (tcp_v4_connect), the receive
 * entry point of both IP versions and its lookups (tcp_v4_rcv and tcp_v6_rcv, tcp_v4_do_rcv),
 * ICMP errors (tcp_v4_err), the family operations of IPv4 sockets and
 * the per-namespace control socket.
 *
 * Receive path, as the seeds trace it for TCP (and as Linux 6.12 has it):
 *   ip_local_deliver_finish (or ip6_input) -> xtcp_rcv -> xtcp_rcv_lookup (established,
 *   then listener)
 *     request:   xtcp_check_req (in softirq, without the listener's socket lock)
 *                  -> xtcp_syn_recv_sock -> xtcp_create_openreq_child
 *                  -> xtcp_child_process
 *     listener:  xtcp_do_rcv -> xtcp_rcv_state_process -> xtcp_conn_request (a SYN)
 *                (an ACK with no request: xtcp_cookie_v4_check -> xtcp_child_process)
 *     others:    xtcp_do_rcv -> xtcp_rcv_state_process
 */
#include <linux/icmp.h>
#include <net/dsfield.h>
#include <net/icmp.h>
#include <net/inet_common.h>
#include <net/route.h>
#include <net/xfrm.h>
#include "xtcp.h"

/**
 * xtcp_v4_connect - connect(2) on an xtcp socket, like tcp_v4_connect()
 * @sk: the socket, locked, in CLOSE
 * @uaddr: the destination (struct sockaddr_in)
 * @addr_len: its length
 *
 * Routes to the destination, fixes the source address, picks the local port so the
 * 4-tuple is unique in our tables (xtcp_hash_connect()), chooses the ISN and sends the
 * SYN.  inet_stream_connect() then waits for SYN_SENT to end.
 *
 * Context: process, socket locked.
 * Return: 0, or -EINVAL/-EAFNOSUPPORT for a bad address, -ENETUNREACH and other
 * routing errors, -EADDRNOTAVAIL if no local port is free for the 4-tuple, -ENOMEM.
 */
int xtcp_v4_connect(struct sock *sk, struct xtcp_sockaddr *uaddr, int addr_len)
{
	struct sockaddr_in *usin = (struct sockaddr_in *)uaddr;
	struct inet_sock *inet = inet_sk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	__be16 orig_sport, orig_dport;
	struct rtable *rt;
	struct flowi4 *fl4;
	int err;

	if (addr_len < sizeof(struct sockaddr_in))
		return -EINVAL;
	if (usin->sin_family != AF_INET)
		return -EAFNOSUPPORT;

	orig_sport = inet->inet_sport;
	orig_dport = usin->sin_port;
	fl4 = &inet->cork.fl.u.ip4;
	rt = ip_route_connect(fl4, usin->sin_addr.s_addr, inet->inet_saddr,
			      sk->sk_bound_dev_if, xtcp_protocol, orig_sport, orig_dport, sk);
	if (IS_ERR(rt))
		return PTR_ERR(rt);
	if (rt->rt_flags & (RTCF_MULTICAST | RTCF_BROADCAST)) {
		ip_rt_put(rt);
		return -ENETUNREACH;
	}
	if (!inet->inet_saddr)
		inet->inet_saddr = fl4->saddr;
	sk_rcv_saddr_set(sk, inet->inet_saddr);
	if (xs->ts_recent_stamp && inet->inet_daddr != usin->sin_addr.s_addr) {
		/* another peer: the last one's timestamps say nothing about it */
		xs->ts_recent = 0;
		xs->ts_recent_stamp = 0;
	}
	inet->inet_dport = usin->sin_port;
	sk_daddr_set(sk, usin->sin_addr.s_addr);

	xtcp_set_state(sk, TCP_SYN_SENT);
	xs->iss = 0;
	err = xtcp_hash_connect(sk);
	if (err)
		goto failure;
	rt = ip_route_newports(fl4, rt, orig_sport, orig_dport, inet->inet_sport,
			       inet->inet_dport, sk);
	if (IS_ERR(rt)) {
		err = PTR_ERR(rt);
		rt = NULL;
		goto failure;
	}
	sk_setup_caps(sk, &rt->dst);
	rt = NULL;
	err = xtcp_connect_start(sk);
	if (err)
		goto failure;
	return 0;

failure:
	xtcp_set_state(sk, TCP_CLOSE);
	ip_rt_put(rt);
	sk->sk_route_caps = 0;
	inet->inet_dport = 0;
	return err;
}

/**
 * xtcp_connect_start - the rest of connect() once the route is set, as tcp_v4_connect()
 * and tcp_v6_connect() end: MSS, window, ISN and timestamp offset, then the SYN
 * @sk: the socket, locked, in SYN_SENT, hashed, its route set (sk_setup_caps())
 *
 * Context: process, socket locked.
 * Return: 0 or a negative errno from xtcp_connect().
 */
int xtcp_connect_start(struct sock *sk)
{
	struct dst_entry *dst = __sk_dst_get(sk);
	struct inet_sock *inet = inet_sk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);

	xtcp_gso_caps(sk, dst);
	xs->advmss = min_t(u32, dst_metric_advmss(dst), U16_MAX);
	if (xs->user_mss && xs->user_mss < xs->advmss)
		xs->advmss = xs->user_mss;	/* TCP_MAXSEG before connect() */
	xtcp_sync_mss(sk, dst_mtu(dst));	/* the handshake's MSS, synced again after it */

	xs->rcv_wnd = xtcp_rcv_wnd_init(sk);
	xs->rcv_ssthresh = xs->rcv_wnd;
	xs->rcv_wscale = xtcp_select_wscale(xtcp_max_rcv_space(sk));
	if (!xs->iss) {		/* unless a reused TIME_WAIT fixed it */
#if IS_ENABLED(CONFIG_IPV6)
		if (xtcp_skc_v6(&sk->__sk_common))
			xs->iss = xtcp_v6_secure_isn(&sk->sk_v6_rcv_saddr, &sk->sk_v6_daddr,
						     inet->inet_sport, inet->inet_dport,
						     ktime_get_real_ns());
		else
#endif
			xs->iss = xtcp_secure_isn(inet->inet_saddr, inet->inet_daddr,
						  inet->inet_sport, inet->inet_dport,
						  ktime_get_real_ns());
	}
	xs->tsoffset = xtcp_skc_ts_offset(&sk->__sk_common);
	atomic_set(&inet->inet_id, get_random_u16());
	return xtcp_connect(sk);
}

/*
 * Fill XTCP_SKB_CB from the header, like tcp_v4_fill_cb() (it lies after what IPv4 or
 * IPv6 keep in skb->cb, so unlike tcp_v6_fill_cb() nothing moves).
 */
static void xtcp_fill_cb(struct sk_buff *skb, const struct tcphdr *th)
{
	struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);

	BUILD_BUG_ON(XTCP_IP_CB_SIZE + sizeof(struct xtcp_skb_cb) > sizeof(skb->cb));
	cb->seq = ntohl(th->seq);
	cb->end_seq = cb->seq + th->syn + th->fin + skb->len - th->doff * 4;
	cb->ack_seq = ntohl(th->ack_seq);
	cb->tw_isn = 0;
	cb->flags = tcp_flag_byte(th);
}

/*
 * The socket's filter (SO_ATTACH_FILTER), like tcp_filter(): it may drop the segment
 * or cut it short, but never into the header; what it cut is read anew
 * (tcp_v4_fill_cb() after tcp_filter()).  Return 0 if the segment passes.
 */
static int xtcp_filter(struct sock *sk, struct sk_buff *skb)
{
	u32 tw_isn = XTCP_SKB_CB(skb)->tw_isn;
	int err;

	err = sk_filter_trim_cap(sk, skb, ((const struct tcphdr *)skb->data)->doff * 4);
	if (!err) {
		xtcp_fill_cb(skb, (const struct tcphdr *)skb->data);
		XTCP_SKB_CB(skb)->tw_isn = tw_isn;
	}
	return err;
}

/* Does IPsec policy let @skb in, for @sk (NULL: none)?  As xfrm4/6_policy_check(). */
static bool xtcp_xfrm_check(struct sock *sk, struct sk_buff *skb)
{
	return xfrm_policy_check(sk, XFRM_POLICY_IN, skb, xtcp_skb_v6(skb) ? AF_INET6 : AF_INET);
}

/*
 * The socket for a segment by its IP version's addresses: established hash first,
 * then listeners; with @listener_only, listeners alone.  Under rcu_read_lock().
 */
static struct sock *xtcp_rcv_lookup(struct net *net, struct sk_buff *skb, bool listener_only)
{
	const struct tcphdr *th = tcp_hdr(skb);
	struct sock *sk = NULL;

	if (xtcp_skb_v6(skb)) {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);

		if (!listener_only)
			sk = xtcp6_lookup_established(net, &ip6h->saddr, th->source,
						      &ip6h->daddr, th->dest, inet6_iif(skb));
		return sk ?: xtcp6_lookup_listener(net, &ip6h->saddr, th->source,
						   &ip6h->daddr, th->dest, inet6_iif(skb), skb,
						   th->doff * 4);
	}
	if (!listener_only)
		sk = xtcp_lookup_established(net, ip_hdr(skb)->saddr, th->source,
					     ip_hdr(skb)->daddr, th->dest, inet_iif(skb));
	return sk ?: xtcp_lookup_listener(net, ip_hdr(skb)->saddr, th->source,
					  ip_hdr(skb)->daddr, th->dest, inet_iif(skb), skb,
					  th->doff * 4);
}

/*
 * A segment for a TIME_WAIT minisocket, like tcp_v4_rcv()'s do_time_wait: answer it,
 * or let a listener take a SYN that opens a new incarnation.  Return the listener
 * (referenced) that must process @skb, or NULL if it is done with: then @reason says
 * why it was dropped, or is left alone if it was answered or taken in silence.
 * Softirq, under rcu_read_lock(); the caller's reference on @tw is dropped here.
 */
static struct sock *xtcp_rcv_timewait(struct net *net, struct xtcp_timewait_sock *tw,
				      struct sk_buff *skb, enum skb_drop_reason *reason)
{
	struct sock *sk = NULL;

	if (!xtcp_xfrm_check(NULL, skb)) {
		/* IPsec policy refuses it: dropped, as by do_time_wait */
		*reason = SKB_DROP_REASON_XFRM_POLICY;
		xtcp_tw_put(tw);
		return NULL;
	}
	switch (xtcp_timewait_state_process(tw, skb)) {
	case XTCP_TW_SYN:
		sk = xtcp_rcv_lookup(net, skb, true);
		if (sk) {
			XTCP_INC_STATS(net, XTCP_MIB_TWRECYCLED);
			xtcp_tw_deschedule_put(tw);
			return sk;
		}
		/* no listener: answered as an old segment */
		fallthrough;
	case XTCP_TW_ACK:
		xtcp_tw_send_ack(tw, skb);
		break;
	case XTCP_TW_SUCCESS:
		break;
	}
	xtcp_tw_put(tw);
	return NULL;
}

/**
 * xtcp_do_rcv - process a segment with its socket locked, like tcp_v4_do_rcv() and
 * tcp_v6_do_rcv()
 * @sk: the socket, locked (also the struct proto .backlog_rcv)
 * @skb: the segment, over IPv4 or IPv6; always consumed
 *
 * Context: softirq, or process when release_sock() replays the backlog.
 * Return: 0.
 */
int xtcp_do_rcv(struct sock *sk, struct sk_buff *skb)
{
	int ret;

	if (sk->sk_state == TCP_LISTEN) {
		struct sock *nsk;

		/*
		 * An ACK with no request may return a SYN cookie (tcp_v4_cookie_check(),
		 * tcp_v6_cookie_check()).
		 * A child is locked with bh_lock_sock() and its lock is taken in softirq
		 * too: from the backlog (process context) keep softirqs off meanwhile.
		 */
		local_bh_disable();
		nsk = xtcp_skb_v6(skb) ? xtcp_cookie_v6_check(sk, skb) :
					 xtcp_cookie_v4_check(sk, skb);
		if (nsk && nsk != sk)
			ret = xtcp_child_process(sk, nsk, skb);
		local_bh_enable();
		if (!nsk)
			goto discard;
		if (nsk != sk)
			goto done;
	}
	ret = xtcp_rcv_state_process(sk, skb);
done:
	if (ret == 2)
		return 0;	/* queued for the reader */
	if (ret == 1)
		goto reset;
	consume_skb(skb);
	return 0;
reset:
	xtcp_send_reset(sock_net(sk), sk, skb);
discard:
	kfree_skb(skb);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_do_rcv);

/*
 * Append @skb to @tail, the backlog's last segment, like tcp_add_backlog() does: only
 * when it follows it and could have come in one segment with it - the same flags
 * (both ACK, none of SYN, RST, URG; ECE and CWR alike; no FIN before it), DS field
 * and options, timestamps included - so that processing @tail does what processing
 * both would.  Both must carry data: a pure ACK counts on its own (a duplicate ACK,
 * where Linux counts the ACKs it appended in gso_segs).  The ACK number and window
 * are @skb's if they are not older; gso_segs counts the segments, gso_size keeps the
 * largest.  Return true if @skb was taken (and freed).
 */
static bool xtcp_backlog_coalesce(struct sock *sk, struct sk_buff *tail, struct sk_buff *skb)
{
	struct xtcp_skb_cb *tcb = XTCP_SKB_CB(tail), *cb = XTCP_SKB_CB(skb);
	const struct tcphdr *th = (const struct tcphdr *)skb->data;
	struct tcphdr *thtail = (struct tcphdr *)tail->data;
	unsigned int hdrlen = th->doff * 4, size, tail_size, segs, tail_segs;
	bool fragstolen;
	int delta;

	if (tcb->end_seq != cb->seq || skb->len <= hdrlen || tail->len <= hdrlen ||
	    xtcp_skb_dsfield(tail) != xtcp_skb_dsfield(skb) ||
	    ((tcb->flags | cb->flags) & (TCPHDR_SYN | TCPHDR_RST | TCPHDR_URG)) ||
	    (tcb->flags & TCPHDR_FIN) || !(tcb->flags & cb->flags & TCPHDR_ACK) ||
	    ((tcb->flags ^ cb->flags) & (TCPHDR_ECE | TCPHDR_CWR)) ||
	    thtail->doff != th->doff || memcmp(thtail + 1, th + 1, hdrlen - sizeof(*th)))
		return false;

	__skb_pull(skb, hdrlen);
	size = skb_shinfo(skb)->gso_size ?: skb->len;
	segs = skb_shinfo(skb)->gso_segs ?: 1;
	tail_size = skb_shinfo(tail)->gso_size ?: tail->len - hdrlen;
	tail_segs = skb_shinfo(tail)->gso_segs ?: 1;
	if (!skb_try_coalesce(tail, skb, &fragstolen, &delta)) {
		__skb_push(skb, hdrlen);
		return false;
	}
	skb_shinfo(tail)->gso_size = max(size, tail_size);
	skb_shinfo(tail)->gso_segs = min_t(u32, segs + tail_segs, 0xFFFF);
	tcb->end_seq = cb->end_seq;
	if (!xtcp_before(cb->ack_seq, tcb->ack_seq)) {
		tcb->ack_seq = cb->ack_seq;
		thtail->window = th->window;
	}
	thtail->fin |= th->fin;
	thtail->psh |= th->psh;
	tcb->flags |= cb->flags;
	sk->sk_backlog.len += delta;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_BACKLOGCOALESCE);
	kfree_skb_partial(skb, fragstolen);
	return true;
}

/**
 * xtcp_add_backlog - a segment for a socket a process holds, like tcp_add_backlog()
 * @sk: the socket
 * @skb: the segment, checksum verified, XTCP_SKB_CB filled in
 *
 * The segment waits in the socket's backlog for release_sock().  On a connection it
 * is appended to the backlog's last segment when it follows it with the same header
 * (see xtcp_backlog_coalesce()), even past the limit: its sk_buff and head go back
 * at once and only its data stays counted, so a reader that holds the socket while a
 * window of segments cut by GSO arrives does not overflow the backlog with what each
 * segment's head costs.  (A listener's backlog holds other connections' handshakes,
 * each processed for itself; Linux's listeners have none.)  Otherwise it is queued
 * if the backlog is within its limit.  The backlog's length is reset only once
 * release_sock() has processed all of it, so while a reader copies, what it holds
 * and the backlog may each come near the receive buffer: the limit is twice the
 * receive buffer, half the send buffer and 64 KiB, as Linux's.
 *
 * Context: softirq, socket spinlock held, owned by a process.
 * Return: true if the segment was dropped (and counted); the caller frees it then.
 */
bool xtcp_add_backlog(struct sock *sk, struct sk_buff *skb)
{
	struct sk_buff *tail = sk->sk_backlog.tail;
	u64 limit;

	/* the data a driver left in a page may fit in the head: its true size then */
	xtcp_skb_condense(skb);
	if (tail && sk->sk_state != TCP_LISTEN && xtcp_backlog_coalesce(sk, tail, skb))
		return false;

	limit = ((u64)READ_ONCE(sk->sk_rcvbuf) << 1) + (READ_ONCE(sk->sk_sndbuf) >> 1) +
		64 * 1024;
	if (!sk_add_backlog(sk, skb, min_t(u64, limit, UINT_MAX)))
		return false;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_BACKLOGDROP);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_add_backlog);

/**
 * xtcp_rcv - receive one segment, like tcp_v4_rcv() and tcp_v6_rcv() (the IPv4 and
 * IPv6 input handler both)
 * @skb: the datagram, with skb->data at the transport header
 *
 * Validates the segment: it must hold a whole header (data offset at least 5 words
 * and within the datagram) and its checksum over the IPv4 or IPv6 pseudo-header with
 * our protocol number must be correct; a malformed segment is dropped and counted in
 * InErrs (and InCsumErrors).  Then the socket is looked up, established hash first;
 * a TIME_WAIT minisocket's segment is answered by xtcp_timewait_state_process() (a
 * new SYN goes to the listener).  A request minisocket's is processed at once,
 * without its listener's socket lock (xtcp_check_req()), as tcp_v4_rcv() does since
 * Linux 4.4: its ACK creates the child even while a process holds the listener, so
 * that a data segment right behind it finds the child rather than a listener that
 * has no request left for it.  Other sockets process it now, or later from their
 * backlog if a process holds them.  No socket: a RST answers.
 *
 * Context: softirq, rcu_read_lock() held.
 * Return: 0; the skb is always consumed.
 */
int xtcp_rcv(struct sk_buff *skb)
{
	struct net *net = dev_net(skb->dev);
	enum skb_drop_reason reason = SKB_DROP_REASON_NOT_SPECIFIED;
	const struct tcphdr *th;
	__sum16 bad_csum;
	struct sock *sk;

	if (skb->pkt_type != PACKET_HOST)
		goto discard_it;

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
	if (xtcp_skb_v6(skb))
		bad_csum = skb_checksum_init(skb, xtcp_protocol, ip6_compute_pseudo);
	else
		bad_csum = skb_checksum_init(skb, xtcp_protocol, inet_compute_pseudo);
	if (bad_csum || skb_checksum_complete(skb)) {
		reason = SKB_DROP_REASON_TCP_CSUM;
		XTCP_INC_STATS(net, XTCP_MIB_INCSUMERRORS);
		goto bad_packet;
	}

	xtcp_fill_cb(skb, (const struct tcphdr *)skb->data);

lookup:
	/* (a filter may have cut the segment: its header is read anew) */
	sk = xtcp_rcv_lookup(net, skb, false);
	if (!sk)
		goto no_xtcp_socket;
	if (sk->sk_state == TCP_TIME_WAIT) {
		reason = SKB_NOT_DROPPED_YET;
		sk = xtcp_rcv_timewait(net, xtcp_twsk(sk), skb, &reason);
		if (!sk) {
			if (reason == SKB_NOT_DROPPED_YET)
				consume_skb(skb);	/* answered, or taken in silence */
			else
				kfree_skb_reason(skb, reason);
			return 0;
		}
		reason = SKB_DROP_REASON_NOT_SPECIFIED;	/* a listener takes the SYN */
	}
	if (sk->sk_state == TCP_NEW_SYN_RECV) {
		struct xtcp_request_sock *req = xtcp_rsk(sk);
		bool req_stolen = false;
		struct sock *nsk = NULL;
		int ret;

		sk = req->listener;
		if (!xtcp_xfrm_check(sk, skb)) {
			xtcp_reqsk_put(req);
			reason = SKB_DROP_REASON_XFRM_POLICY;
			goto discard_it;
		}
		if (unlikely(READ_ONCE(sk->sk_state) != TCP_LISTEN)) {
			/* its listener is closing: the request goes, look again */
			xtcp_reqsk_queue_drop(sk, req);
			xtcp_reqsk_put(req);
			goto lookup;
		}
		sock_hold(sk);		/* the request's hold on it may go with the request */
		if (!xtcp_filter(sk, skb))
			nsk = xtcp_check_req(sk, skb, req, &req_stolen);
		else
			reason = SKB_DROP_REASON_SOCKET_FILTER;
		xtcp_reqsk_put(req);
		if (!nsk) {
			if (req_stolen) {
				/* another CPU made the child: it takes this segment */
				sock_put(sk);
				goto lookup;
			}
			goto discard_and_relse;
		}
		nf_reset_ct(skb);
		if (nsk == sk) {
			/* an ACK of something else than our SYN: the listener's RST */
			xtcp_send_reset(net, sk, skb);
			goto discard_and_relse;
		}
		ret = xtcp_child_process(sk, nsk, skb);
		sock_put(sk);
		if (ret == 1) {
			xtcp_send_reset(net, NULL, skb);
			kfree_skb(skb);
		} else if (ret != 2) {
			consume_skb(skb);
		}
		return 0;
	}
	if (!xtcp_xfrm_check(sk, skb)) {
		reason = SKB_DROP_REASON_XFRM_POLICY;
		goto discard_and_relse;
	}
	nf_reset_ct(skb);
	if (xtcp_filter(sk, skb)) {
		reason = SKB_DROP_REASON_SOCKET_FILTER;
		goto discard_and_relse;
	}
	skb->dev = NULL;

	bh_lock_sock_nested(sk);
	if (!sock_owned_by_user(sk)) {
		xtcp_do_rcv(sk, skb);
	} else if (xtcp_add_backlog(sk, skb)) {
		bh_unlock_sock(sk);
		reason = SKB_DROP_REASON_SOCKET_BACKLOG;
		goto discard_and_relse;
	}
	bh_unlock_sock(sk);
	sock_put(sk);
	return 0;

no_xtcp_socket:
	if (!xtcp_xfrm_check(NULL, skb)) {
		reason = SKB_DROP_REASON_XFRM_POLICY;
		goto discard_it;
	}
	XTCP_INC_STATS(net, XTCP_MIB_NOSOCKET);
	xtcp_send_reset(net, NULL, skb);
	reason = SKB_DROP_REASON_NO_SOCKET;
	goto discard_it;

bad_packet:
	XTCP_INC_STATS(net, XTCP_MIB_INERRS);
discard_it:
	kfree_skb_reason(skb, reason);
	return 0;

discard_and_relse:
	sock_put(sk);
	goto discard_it;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_rcv);

/**
 * xtcp_v4_err - an ICMP error about a segment we sent, like tcp_v4_err()
 * @skb: the ICMP message, skb->data at the quoted IP header
 * @info: ICMP-type-specific data
 *
 * The quoted segment must be one we sent and is not yet ACKed (its sequence number
 * in [snd_una, snd_nxt]), or anyone could kill a connection with a forged message;
 * others are counted (OutOfWindowIcmps) and ignored, as TCP does.  "Fragmentation
 * needed" lowers the path MTU (xtcp_v4_mtu_reduced(), at once or when the socket's
 * owner lets it go).  A hard error (e.g. "protocol unreachable" from a host without
 * xtcp) fails a connection still in SYN_SENT with the matching errno; otherwise it is
 * kept as a soft error, as TCP does.
 *
 * Context: softirq, rcu_read_lock() held.
 * Return: 0, or -ENOENT if no socket of ours sent the quoted segment.
 */
int xtcp_v4_err(struct sk_buff *skb, u32 info)
{
	const struct iphdr *iph = (const struct iphdr *)skb->data;
	const int type = icmp_hdr(skb)->type, code = icmp_hdr(skb)->code;
	const struct tcphdr *th;
	struct sock *sk;
	int err;
	bool hard;

	if (!pskb_may_pull(skb, (iph->ihl << 2) + 8))
		return -ENOENT;
	iph = (const struct iphdr *)skb->data;
	th = (const struct tcphdr *)(skb->data + (iph->ihl << 2));
	sk = xtcp_lookup_established(dev_net(skb->dev), iph->daddr, th->dest, iph->saddr,
				     th->source, inet_iif(skb));
	if (!sk)
		return -ENOENT;
	if (sk->sk_state == TCP_NEW_SYN_RECV || sk->sk_state == TCP_TIME_WAIT) {
		xtcp_sock_gen_put(sk);
		return 0;
	}

	switch (type) {
	case ICMP_DEST_UNREACH:
		if (code > NR_ICMP_UNREACH)
			goto out;
		err = icmp_err_convert[code].errno;
		hard = icmp_err_convert[code].fatal;
		break;
	case ICMP_TIME_EXCEEDED:
		err = EHOSTUNREACH;
		hard = false;
		break;
	default:
		goto out;
	}

	bh_lock_sock(sk);
	if (sk->sk_state == TCP_CLOSE)
		goto unlock;
	if (!xtcp_between(xtcp_sk(sk)->snd_una, ntohl(th->seq), xtcp_sk(sk)->snd_nxt)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_OUTOFWINDOWICMPS);
		goto unlock;
	}
	if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED)
		xtcp_err_mtu(sk, info);	/* RFC 1191: @info is the next hop's MTU */
	else
		xtcp_err_report(sk, err, hard);
unlock:
	bh_unlock_sock(sk);
out:
	sock_put(sk);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_v4_err);

/**
 * xtcp_err_mtu - an ICMP "fragmentation needed" or ICMPv6 "packet too big" quoting a
 * segment in flight: the path takes at most @mtu
 * @sk: the socket, bh-locked
 * @mtu: the MTU the message gave
 *
 * The family's mtu_reduced() acts on it now, or when the process holding the socket
 * releases it (XTCP_MTU_REDUCED_DEFERRED, xtcp_release_cb()).
 *
 * Context: softirq, socket spinlock held.
 */
void xtcp_err_mtu(struct sock *sk, u32 mtu)
{
	WRITE_ONCE(xtcp_sk(sk)->mtu_info, mtu);
	if (!sock_owned_by_user(sk))
		xtcp_sk(sk)->af_ops->mtu_reduced(sk);
	else if (!test_and_set_bit(XTCP_MTU_REDUCED_DEFERRED, &sk->sk_tsq_flags))
		sock_hold(sk);
}

/**
 * xtcp_err_report - another ICMP or ICMPv6 error quoting a segment in flight, as
 * tcp_v4_err() and tcp_v6_err() take it
 * @sk: the socket, bh-locked
 * @err: the errno it means
 * @hard: whether it is fatal (a "port unreachable", say)
 *
 * A hard error fails a connection still in SYN_SENT (unless a process holds the
 * socket); otherwise it is kept as the socket's soft error, as TCP does.
 *
 * Context: softirq, socket spinlock held.
 */
void xtcp_err_report(struct sock *sk, int err, bool hard)
{
	if (!sock_owned_by_user(sk) && sk->sk_state == TCP_SYN_SENT && hard) {
		WRITE_ONCE(sk->sk_err, err);
		sk_error_report(sk);
		xtcp_done(sk);
	} else {
		WRITE_ONCE(sk->sk_err_soft, err);
	}
}

/*
 * The socket's route again, as ip_queue_xmit() finds it (its TOS, scope, source route),
 * like inet_csk_rebuild_route().
 */
static struct dst_entry *xtcp_rebuild_route(struct sock *sk)
{
	struct inet_sock *inet = inet_sk(sk);
	const struct ip_options_rcu *inet_opt;
	__be32 daddr = inet->inet_daddr;
	struct rtable *rt;

	rcu_read_lock();
	inet_opt = rcu_dereference(inet->inet_opt);
	if (inet_opt && inet_opt->opt.srr)
		daddr = inet_opt->opt.faddr;
	rt = ip_route_output_ports(sock_net(sk), &inet->cork.fl.u.ip4, sk, daddr,
				   inet->inet_saddr, inet->inet_dport, inet->inet_sport,
				   sk->sk_protocol, ip_sock_rt_tos(sk), sk->sk_bound_dev_if);
	rcu_read_unlock();
	if (IS_ERR(rt))
		return NULL;
	sk_setup_caps(sk, &rt->dst);
	xtcp_gso_caps(sk, &rt->dst);
	return &rt->dst;
}

/* Tell the route of @sk's path that its MTU is @mtu; its route now (inet_csk_update_pmtu()). */
static struct dst_entry *xtcp_update_pmtu(struct sock *sk, u32 mtu)
{
	struct dst_entry *dst = __sk_dst_check(sk, 0);

	if (!dst) {
		dst = xtcp_rebuild_route(sk);
		if (!dst)
			return NULL;
	}
	dst->ops->update_pmtu(dst, sk, NULL, mtu, true);
	dst = __sk_dst_check(sk, 0);	/* the old route is obsolete once the MTU is lower */
	return dst ?: xtcp_rebuild_route(sk);
}

/**
 * xtcp_v4_mtu_reduced - an ICMP "fragmentation needed" said the path takes smaller
 * packets, like tcp_v4_mtu_reduced()
 * @sk: the socket, locked and not owned by a process
 *
 * The route learns the MTU (the kernel keeps it for the destination, as for TCP); if
 * our MSS was computed for a larger one, it is lowered and what was sent in segments
 * too large goes again at once (xtcp_simple_retransmit()), RFC 1191's "fast" way.
 * With IP_MTU_DISCOVER set to IP_PMTUDISC_DONT the socket's packets may be fragmented
 * and nothing is resent; with _INTERFACE or _OMIT it ignores path MTUs altogether.
 *
 * Context: softirq (xtcp_v4_err()), or process from release_sock() (xtcp_release_cb()).
 */
void xtcp_v4_mtu_reduced(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct dst_entry *dst;
	u32 mtu;

	if ((1 << sk->sk_state) & (TCPF_LISTEN | TCPF_CLOSE))
		return;
	mtu = READ_ONCE(xs->mtu_info);
	dst = xtcp_update_pmtu(sk, mtu);
	if (!dst)
		return;
	/* if the connection cannot recover, this is why (as TCP) */
	if (mtu < dst_mtu(dst) && ip_dont_fragment(sk, dst))
		WRITE_ONCE(sk->sk_err_soft, EMSGSIZE);
	mtu = dst_mtu(dst);
	if (inet_sk(sk)->pmtudisc != IP_PMTUDISC_DONT && ip_sk_accept_pmtu(sk) &&
	    xs->pmtu_cookie > mtu) {
		xtcp_sync_mss(sk, mtu);
		xtcp_simple_retransmit(sk);
	}
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_v4_mtu_reduced);

/**
 * xtcp_v4_ctl_init_net - create the namespace's control socket
 * @net: the namespace
 *
 * A raw socket on our protocol number, unhashed so it receives nothing; RSTs for
 * segments without a socket leave through it (xtcp_ip_build_and_send_pkt() takes the
 * IP protocol from it).  Unlike a socket of our own protocol it does not pin the module.
 *
 * Context: process, pernet init.
 * Return: 0 or a negative errno.
 */
int xtcp_v4_ctl_init_net(struct net *net)
{
	return inet_ctl_sock_create(&xtcp_pernet(net)->ctl_sk, PF_INET, SOCK_RAW,
				    xtcp_protocol, net);
}

/**
 * xtcp_v4_ctl_exit_net - destroy the namespace's control socket
 * @net: the namespace
 *
 * Context: process, pernet exit.
 */
void xtcp_v4_ctl_exit_net(struct net *net)
{
	inet_ctl_sock_destroy(xtcp_pernet(net)->ctl_sk);
}

/* An IPv4 socket's family operations (ipv4_specific). */
const struct xtcp_af_ops xtcp_ipv4_af_ops = {
	.queue_xmit	= ip_queue_xmit,
	.send_check	= xtcp_v4_send_check,
	.mtu_reduced	= xtcp_v4_mtu_reduced,
	.setsockopt	= ip_setsockopt,
	.getsockopt	= ip_getsockopt,
	.net_header_len	= sizeof(struct iphdr),
	.mss_default	= XTCP_MSS_DEFAULT,
};
