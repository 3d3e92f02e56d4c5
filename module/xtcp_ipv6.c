// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: the IPv6 glue, like net/ipv6/tcp_ipv6.c: socket(AF_INET6, SOCK_STREAM, N),
 * connect (tcp_v6_connect), SYN-ACKs, RSTs and ACKs over IPv6 (tcp_v6_send_synack,
 * tcp_v6_send_response), the child of an IPv6 listener (tcp_v6_syn_recv_sock),
 * ICMPv6 errors (tcp_v6_err) and the registration with the IPv6 stack.
 *
 * The rest is shared with IPv4: one receive path (xtcp_rcv()), one set of tables
 * holding sockets of both families (xtcp_hash.c), one state machine.  An IPv6 socket
 * is an xtcp socket with struct ipv6_pinfo after it (struct xtcp6_sock, as struct
 * tcp6_sock); what it does by family goes through its xtcp_sock.af_ops.  Talking to a
 * v4-mapped address (::ffff:a.b.c.d) - a connect() to one, or the child of a
 * dual-stack listener for an IPv4 client - it sends IPv4 (xtcp_ipv6_mapped_af_ops),
 * as Linux's ipv6_mapped does.
 */
#include <linux/icmpv6.h>
#include <net/addrconf.h>
#include <net/inet6_connection_sock.h>
#include <net/inet_common.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/protocol.h>
#include <net/transp_v6.h>
#include "xtcp.h"

/* An IPv6 socket: the xtcp socket and its IPv6 state, like struct tcp6_sock. */
struct xtcp6_sock {
	struct xtcp_sock xtcp;
	struct ipv6_pinfo inet6;	/* last: where 6.1's inet6_sk_generic() looks */
};

/*
 * IPv6 is on: the module registered with its stack (not with ipv6.disable=1).  Set
 * and read at module load and unload only.
 */
static bool xtcp_ipv6_on;

/*
 * The checksum of a segment over the IPv6 pseudo-header with our protocol number
 * (__tcp_v6_send_check()); with @offload finished by the device, as xtcp_csum().
 */
static void xtcp_v6_csum(struct sk_buff *skb, const struct in6_addr *saddr,
			 const struct in6_addr *daddr, bool offload)
{
	struct tcphdr *th = tcp_hdr(skb);

	if (offload) {
		th->check = ~csum_ipv6_magic(saddr, daddr, skb->len, xtcp_protocol, 0);
		skb->ip_summed = CHECKSUM_PARTIAL;
		skb->csum_start = skb_transport_header(skb) - skb->head;
		skb->csum_offset = offsetof(struct tcphdr, check);
		return;
	}
	th->check = 0;
	th->check = csum_ipv6_magic(saddr, daddr, skb->len, xtcp_protocol,
				    skb_checksum(skb, 0, skb->len, 0));
	skb->ip_summed = CHECKSUM_NONE;
}

/* struct xtcp_af_ops .send_check of an IPv6 connection (tcp_v6_send_check()). */
static void xtcp_v6_send_check(struct sock *sk, struct sk_buff *skb, bool offload)
{
	xtcp_v6_csum(skb, &sk->sk_v6_rcv_saddr, &sk->sk_v6_daddr, offload);
}

/* The socket's flow toward its peer, like inet6_csk_route_socket()'s. */
static void xtcp_v6_sk_flow(struct sock *sk, struct flowi6 *fl6)
{
	const struct ipv6_pinfo *np = inet6_sk(sk);

	memset(fl6, 0, sizeof(*fl6));
	fl6->flowi6_proto = sk->sk_protocol;
	fl6->daddr = sk->sk_v6_daddr;
	fl6->saddr = np->saddr;
	fl6->flowlabel = np->flow_label;
	fl6->flowi6_oif = sk->sk_bound_dev_if;
	fl6->flowi6_mark = READ_ONCE(sk->sk_mark);
	fl6->fl6_sport = inet_sk(sk)->inet_sport;
	fl6->fl6_dport = inet_sk(sk)->inet_dport;
	fl6->flowi6_uid = xtcp_sk_uid(sk);
	security_sk_classify_flow(sk, flowi6_to_flowi_common(fl6));
}

/*
 * struct xtcp_af_ops .queue_xmit of an IPv6 connection: inet6_csk_xmit() with the
 * socket's flow in @fl (inet_sock.cork.fl), which newer kernels (7.x) take as it is
 * where older ones built their own.  Any context, socket locked.
 */
static int xtcp_v6_queue_xmit(struct sock *sk, struct sk_buff *skb, struct flowi *fl)
{
	xtcp_v6_sk_flow(sk, &fl->u.ip6);
	return inet6_csk_xmit(sk, skb, fl);
}

/*
 * An ICMPv6 "packet too big" said the path takes smaller packets, like
 * tcp_v6_mtu_reduced(): the route learns the MTU and, if the MSS was computed for a
 * larger one, it is lowered and what was sent goes again (xtcp_simple_retransmit()).
 * Softirq (xtcp_v6_err()) or process (xtcp_release_cb()), socket locked.
 */
static void xtcp_v6_mtu_reduced(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct dst_entry *dst;
	struct flowi6 fl6;
	u32 mtu;

	if ((1 << sk->sk_state) & (TCPF_LISTEN | TCPF_CLOSE))
		return;
	mtu = READ_ONCE(xs->mtu_info);
	if (mtu < IPV6_MIN_MTU)
		return;		/* a forged or broken message: IPv6 links carry 1280 */
	xtcp_v6_sk_flow(sk, &fl6);
	dst = ip6_dst_lookup_flow(sock_net(sk), sk, &fl6, NULL);
	if (IS_ERR(dst))
		return;
	dst->ops->update_pmtu(dst, sk, NULL, mtu, true);
	dst_release(dst);
	dst = ip6_dst_lookup_flow(sock_net(sk), sk, &fl6, NULL);
	if (IS_ERR(dst))
		return;
	xtcp_ip6_dst_store(sk, dst);	/* the socket's route from now on */
	xtcp_gso_caps(sk, dst);
	mtu = dst_mtu(dst);
	if (xs->pmtu_cookie > mtu) {
		xtcp_sync_mss(sk, mtu);
		xtcp_simple_retransmit(sk);
	}
}

/*
 * IPV6_FLOWLABEL_MGR with IPV6_FL_F_REFLECT: reflect the flow label of what the
 * socket receives (a listener: of each SYN and of the ACK that makes a child), or stop.
 * ipv6_flowlabel_get() and _put() allow it to IPPROTO_TCP only; this does what they
 * do for it.  Return 1 if @freq was not that request (ipv6_setsockopt() takes it).
 */
static int xtcp_v6_reflect_labels(struct sock *sk, const struct in6_flowlabel_req *freq)
{
	int err = 0;

	if (!(freq->flr_flags & IPV6_FL_F_REFLECT) ||
	    (freq->flr_action != IPV6_FL_A_GET && freq->flr_action != IPV6_FL_A_PUT))
		return 1;
	lock_sock(sk);
	if (freq->flr_action == IPV6_FL_A_GET) {
		if (READ_ONCE(sock_net(sk)->ipv6.sysctl.flowlabel_consistency))
			err = -EPERM;
		else
			xtcp_inet6_set_repflow(sk, 1);
	} else if (!xtcp_inet6_repflow(sk)) {
		err = -ESRCH;
	} else {
		inet6_sk(sk)->flow_label = 0;
		xtcp_inet6_set_repflow(sk, 0);
	}
	release_sock(sk);
	return err;
}

/*
 * IPv6 socket options: ipv6_setsockopt()'s, but for the extension headers a socket
 * sends (routing, hop-by-hop and destination options), which xtcp's MSS does not make
 * room for yet: ENOPROTOOPT, as for an option it does not know; and label reflection,
 * which ipv6_setsockopt() grants TCP alone (xtcp_v6_reflect_labels()).  Process context.
 */
static int xtcp_v6_setsockopt(struct sock *sk, int level, int optname, sockptr_t optval,
			      unsigned int optlen)
{
	struct in6_flowlabel_req freq;
	int ret;

	if (level == SOL_IPV6 &&
	    (optname == IPV6_RTHDR || optname == IPV6_HOPOPTS || optname == IPV6_DSTOPTS ||
	     optname == IPV6_RTHDRDSTOPTS || optname == IPV6_2292PKTOPTIONS))
		return -ENOPROTOOPT;
	if (level == SOL_IPV6 && optname == IPV6_FLOWLABEL_MGR && optlen >= sizeof(freq)) {
		if (copy_from_sockptr(&freq, optval, sizeof(freq)))
			return -EFAULT;
		ret = xtcp_v6_reflect_labels(sk, &freq);
		if (ret <= 0)
			return ret;
	}
	return ipv6_setsockopt(sk, level, optname, optval, optlen);
}

/* An IPv6 socket's family operations (ipv6_specific). */
static const struct xtcp_af_ops xtcp_ipv6_af_ops = {
	.queue_xmit	= xtcp_v6_queue_xmit,
	.send_check	= xtcp_v6_send_check,
	.mtu_reduced	= xtcp_v6_mtu_reduced,
	.setsockopt	= xtcp_v6_setsockopt,
	.getsockopt	= ipv6_getsockopt,
	.net_header_len	= sizeof(struct ipv6hdr),
	.mss_default	= XTCP6_MSS_DEFAULT,
};

/* An IPv6 socket talking to an IPv4 peer by a v4-mapped address (ipv6_mapped). */
static const struct xtcp_af_ops xtcp_ipv6_mapped_af_ops = {
	.queue_xmit	= ip_queue_xmit,
	.send_check	= xtcp_v4_send_check,
	.mtu_reduced	= xtcp_v4_mtu_reduced,
	.setsockopt	= xtcp_v6_setsockopt,
	.getsockopt	= ipv6_getsockopt,
	.net_header_len	= sizeof(struct iphdr),
	.mss_default	= XTCP_MSS_DEFAULT,
};

/*
 * connect() to a v4-mapped address: IPv4 underneath, as tcp_v6_connect() does it
 * (an IPV6_V6ONLY socket cannot).  Process context, socket locked.
 */
static int xtcp_v6_connect_mapped(struct sock *sk, const struct sockaddr_in6 *usin)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = usin->sin6_port,
		.sin_addr.s_addr = usin->sin6_addr.s6_addr32[3],
	};
	struct xtcp_sock *xs = xtcp_sk(sk);
	int err;

	if (ipv6_only_sock(sk))
		return -ENETUNREACH;
	xs->af_ops = &xtcp_ipv6_mapped_af_ops;
	err = xtcp_v4_connect(sk, (struct xtcp_sockaddr *)&sin, sizeof(sin));
	if (err) {
		xs->af_ops = &xtcp_ipv6_af_ops;
		return err;
	}
	ipv6_addr_set_v4mapped(inet_sk(sk)->inet_saddr, &inet6_sk(sk)->saddr);
	ipv6_addr_set_v4mapped(inet_sk(sk)->inet_rcv_saddr, &sk->sk_v6_rcv_saddr);
	return 0;
}

/**
 * xtcp_v6_connect - connect(2) on an IPv6 xtcp socket, like tcp_v6_connect()
 * @sk: the socket, locked, in CLOSE
 * @uaddr: the destination (struct sockaddr_in6)
 * @addr_len: its length
 *
 * :: means the loopback address; a link-local destination needs a device (the
 * address's scope id, or SO_BINDTODEVICE); a v4-mapped one is reached over IPv4.  With
 * IPV6_FLOWINFO_SEND the flow label of @uaddr's sin6_flowinfo is the connection's
 * (one the socket leased with IPV6_FLOWLABEL_MGR, where the namespace has exclusive
 * labels); otherwise it has none of its own (the stack's automatic one).
 *
 * Context: process, socket locked.
 * Return: 0, or -EINVAL/-EAFNOSUPPORT for a bad address or flow label, -ENETUNREACH
 * (multicast, or a v4-mapped address on an IPV6_V6ONLY socket) and other routing
 * errors, -EADDRNOTAVAIL if no local port is free for the 4-tuple, -ENOMEM.
 */
static int xtcp_v6_connect(struct sock *sk, struct xtcp_sockaddr *uaddr, int addr_len)
{
	struct sockaddr_in6 *usin = (struct sockaddr_in6 *)uaddr;
	struct ipv6_pinfo *np = inet6_sk(sk);
	struct inet_sock *inet = inet_sk(sk);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct in6_addr *final_p, final;
	struct dst_entry *dst;
	__be32 flowlabel = 0;
	struct flowi6 fl6;
	int addr_type, err;

	if (addr_len < SIN6_LEN_RFC2133)
		return -EINVAL;
	if (usin->sin6_family != AF_INET6)
		return -EAFNOSUPPORT;
	if (xtcp_inet6_sndflow(sk)) {
		flowlabel = usin->sin6_flowinfo & IPV6_FLOWINFO_MASK;
		IP6_ECN_flow_init(flowlabel);
		if (flowlabel & IPV6_FLOWLABEL_MASK) {
			struct ip6_flowlabel *fl = fl6_sock_lookup(sk, flowlabel);

			if (IS_ERR(fl))
				return -EINVAL;	/* not a label this socket holds */
			fl6_sock_release(fl);
		}
	}
	if (ipv6_addr_any(&usin->sin6_addr)) {
		if (ipv6_addr_v4mapped(&sk->sk_v6_rcv_saddr))
			ipv6_addr_set_v4mapped(htonl(INADDR_LOOPBACK), &usin->sin6_addr);
		else
			usin->sin6_addr = in6addr_loopback;
	}
	addr_type = ipv6_addr_type(&usin->sin6_addr);
	if (addr_type & IPV6_ADDR_MULTICAST)
		return -ENETUNREACH;
	if (addr_type & IPV6_ADDR_LINKLOCAL) {
		if (addr_len >= sizeof(struct sockaddr_in6) && usin->sin6_scope_id) {
			if (!sk_dev_equal_l3scope(sk, usin->sin6_scope_id))
				return -EINVAL;
			sk->sk_bound_dev_if = usin->sin6_scope_id;
		}
		if (!sk->sk_bound_dev_if)	/* a link-local address needs its link */
			return -EINVAL;
	}
	if (xs->ts_recent_stamp && !ipv6_addr_equal(&sk->sk_v6_daddr, &usin->sin6_addr)) {
		/* another peer: the last one's timestamps say nothing about it */
		xs->ts_recent = 0;
		xs->ts_recent_stamp = 0;
	}
	sk->sk_v6_daddr = usin->sin6_addr;
	np->flow_label = flowlabel;
	if (addr_type & IPV6_ADDR_MAPPED)
		return xtcp_v6_connect_mapped(sk, usin);

	xtcp_v6_sk_flow(sk, &fl6);
	if (!ipv6_addr_any(&sk->sk_v6_rcv_saddr))
		fl6.saddr = sk->sk_v6_rcv_saddr;
	fl6.fl6_dport = usin->sin6_port;
	final_p = fl6_update_dst(&fl6, rcu_dereference_protected(np->opt,
								 lockdep_sock_is_held(sk)),
				 &final);
	dst = ip6_dst_lookup_flow(sock_net(sk), sk, &fl6, final_p);
	if (IS_ERR(dst)) {
		err = PTR_ERR(dst);
		goto failure;
	}
	if (ipv6_addr_any(&sk->sk_v6_rcv_saddr))
		sk->sk_v6_rcv_saddr = fl6.saddr;
	np->saddr = sk->sk_v6_rcv_saddr;
	/* an IPv4 address no IPv4 lookup matches (LOOPBACK4_IPV6), as Linux's */
	inet->inet_rcv_saddr = LOOPBACK4_IPV6;
	inet->inet_dport = usin->sin6_port;
	xtcp_ip6_dst_store(sk, dst);	/* sk_setup_caps() */

	xtcp_set_state(sk, TCP_SYN_SENT);
	xs->iss = 0;
	err = xtcp_hash_connect(sk);
	if (err)
		goto late_failure;
	err = xtcp_connect_start(sk);
	if (err)
		goto late_failure;
	return 0;

late_failure:
	xtcp_set_state(sk, TCP_CLOSE);
	if (!(sk->sk_userlocks & SOCK_BINDADDR_LOCK)) {
		/* the source the route chose is not the socket's (inet_bhash2_reset_saddr()) */
		sk->sk_v6_rcv_saddr = in6addr_any;
		np->saddr = in6addr_any;
		inet->inet_rcv_saddr = 0;
	}
failure:
	inet->inet_dport = 0;
	sk->sk_route_caps = 0;
	return err;
}

/**
 * xtcp_v6_openreq_child - the IPv6 side of a child of an IPv6 listener, as
 * tcp_v6_syn_recv_sock() makes it
 * @newsk: the child, just cloned from the listener
 * @listener: the listener
 * @req: the request its handshake completed: IPv6, or IPv4 for a dual-stack
 *	listener's IPv4 client, which the child sees by v4-mapped addresses
 * @skb: the segment that completed it
 *
 * The clone points at the listener's struct ipv6_pinfo: it gets its own, without the
 * listener's multicast, anycast and flow-label lists, packet options or IPv6 options.
 * A listener that reflects flow labels (IPV6_FL_F_REFLECT) gives an IPv6 child the
 * label @skb came with, an IPv4 one none.
 *
 * Context: softirq or process (backlog).
 */
void xtcp_v6_openreq_child(struct sock *newsk, const struct sock *listener,
			   const struct xtcp_request_sock *req, const struct sk_buff *skb)
{
	struct ipv6_pinfo *newnp = &((struct xtcp6_sock *)newsk)->inet6;

	inet_sk(newsk)->pinet6 = newnp;
	memcpy(newnp, inet6_sk(listener), sizeof(*newnp));
	RCU_INIT_POINTER(newnp->ipv6_mc_list, NULL);
	newnp->ipv6_ac_list = NULL;
#ifdef XTCP_HAVE_INET_FL_LIST
	RCU_INIT_POINTER(inet_sk(newsk)->ipv6_fl_list, NULL);
#else
	RCU_INIT_POINTER(newnp->ipv6_fl_list, NULL);
#endif
	newnp->pktoptions = NULL;
	RCU_INIT_POINTER(newnp->opt, NULL);
	if (req->common.skc_family == AF_INET6) {
		newsk->sk_v6_daddr = req->common.skc_v6_daddr;
		newsk->sk_v6_rcv_saddr = req->common.skc_v6_rcv_saddr;
		if (req->iif)
			newsk->sk_bound_dev_if = req->iif;
		if (xtcp_inet6_repflow(listener))
			newnp->flow_label = ip6_flowlabel(ipv6_hdr(skb));
		xtcp_sk(newsk)->af_ops = &xtcp_ipv6_af_ops;
	} else {
		ipv6_addr_set_v4mapped(req->common.skc_daddr, &newsk->sk_v6_daddr);
		ipv6_addr_set_v4mapped(req->common.skc_rcv_saddr, &newsk->sk_v6_rcv_saddr);
		if (xtcp_inet6_repflow(listener))
			newnp->flow_label = 0;
		xtcp_sk(newsk)->af_ops = &xtcp_ipv6_mapped_af_ops;
	}
	newnp->saddr = newsk->sk_v6_rcv_saddr;
}

/**
 * xtcp_v6_reqsk_init - the addresses of a request for an IPv6 SYN
 * @req: the new request
 * @listener: its listener
 * @skb: the SYN
 *
 * Its IPv4 addresses are LOOPBACK4_IPV6, which no IPv4 lookup matches, as Linux's.
 * A listener that reflects flow labels (IPV6_FL_F_REFLECT) keeps the SYN's for its
 * SYN-ACKs.
 *
 * Context: softirq or process (backlog), listener locked.
 */
void xtcp_v6_reqsk_init(struct xtcp_request_sock *req, const struct sock *listener,
			const struct sk_buff *skb)
{
	req->common.skc_family = AF_INET6;
	req->common.skc_v6_daddr = ipv6_hdr(skb)->saddr;
	req->common.skc_v6_rcv_saddr = ipv6_hdr(skb)->daddr;
	req->common.skc_daddr = LOOPBACK4_IPV6;
	req->common.skc_rcv_saddr = LOOPBACK4_IPV6;
	if (xtcp_inet6_repflow(listener))
		req->flowlabel = ip6_flowlabel(ipv6_hdr(skb));
	/* a link-local peer is reached through the device it came by */
	if (!listener->sk_bound_dev_if &&
	    ipv6_addr_type(&ipv6_hdr(skb)->saddr) & IPV6_ADDR_LINKLOCAL)
		req->iif = inet6_iif(skb);
}

/* The flow of a request's SYN-ACKs, to the peer that sent the SYN. */
static void xtcp_v6_req_flow(const struct sock *listener, const struct xtcp_request_sock *req,
			     struct flowi6 *fl6)
{
	memset(fl6, 0, sizeof(*fl6));
	fl6->flowi6_proto = xtcp_protocol;
	fl6->daddr = req->common.skc_v6_daddr;
	fl6->saddr = req->common.skc_v6_rcv_saddr;
	fl6->flowi6_oif = req->iif ?: listener->sk_bound_dev_if;
	fl6->flowi6_mark = READ_ONCE(listener->sk_mark);
	fl6->fl6_dport = req->common.skc_dport;
	fl6->fl6_sport = htons(req->common.skc_num);
	fl6->flowi6_uid = sock_net_uid(sock_net(listener), listener);
}

/**
 * xtcp_v6_req_dst - the route of an IPv6 request's SYN-ACKs, like
 * inet6_csk_route_req()
 * @listener: the listening socket
 * @req: the request
 *
 * Context: softirq, timer or process.
 * Return: the route, referenced, or an ERR_PTR.
 */
struct dst_entry *xtcp_v6_req_dst(const struct sock *listener,
				  const struct xtcp_request_sock *req)
{
	struct flowi6 fl6;

	xtcp_v6_req_flow(listener, req, &fl6);
	return ip6_dst_lookup_flow(sock_net(listener), listener, &fl6, NULL);
}

/**
 * xtcp_v6_send_synack - answer an IPv6 SYN for a request minisocket, like
 * tcp_v6_send_synack()
 * @listener: the listening socket
 * @req: the request, its MSS set
 *
 * Context: softirq, timer or process (backlog).
 * Return: 0 or a negative errno.
 */
int xtcp_v6_send_synack(struct sock *listener, struct xtcp_request_sock *req)
{
	struct dst_entry *dst;
	struct sk_buff *skb;
	struct flowi6 fl6;
	int err;

	xtcp_v6_req_flow(listener, req, &fl6);
	dst = ip6_dst_lookup_flow(sock_net(listener), listener, &fl6, NULL);
	if (IS_ERR(dst))
		return PTR_ERR(dst);
	skb = xtcp_make_synack(req);
	if (!skb) {
		dst_release(dst);
		return -ENOBUFS;
	}
	xtcp_v6_csum(skb, &fl6.saddr, &fl6.daddr, false);
	skb_dst_set(skb, dst);
	skb->priority = READ_ONCE(listener->sk_priority);
	fl6.flowlabel = req->flowlabel;
	rcu_read_lock();
	err = ip6_xmit(listener, skb, &fl6, fl6.flowi6_mark, NULL,
		       inet6_sk(listener)->tclass & ~INET_ECN_MASK, skb->priority);
	rcu_read_unlock();
	XTCP_INC_STATS(sock_net(listener), XTCP_MIB_OUTSEGS);
	return net_xmit_eval(err);
}

/**
 * xtcp_v6_unicast_destination - was an IPv6 segment sent to one of our unicast
 * addresses (ipv6_unicast_destination())?  Others get no RST and open nothing.
 * @skb: the segment
 *
 * Context: softirq or process.
 * Return: true if so.
 */
bool xtcp_v6_unicast_destination(const struct sk_buff *skb)
{
	/* a segment from a backlog may have lost its route (skb_dst_force()) */
	return !skb_dst(skb) || ipv6_unicast_destination(skb);
}

/**
 * xtcp_v6_send_reply - send a segment without data in answer to an IPv6 @skb from
 * the namespace's IPv6 control socket, like tcp_v6_send_response()
 * @net: the namespace it arrived in
 * @sk: the socket it is sent for, or NULL
 * @skb: the segment answered
 * @seq: our sequence number
 * @ack: what we acknowledge
 * @flags: TCPHDR_* flags
 * @win: the window field
 * @opts: the options (a timestamp), or NULL
 *
 * As tcp_v6_send_reset() and tcp_v6_timewait_ack() choose them: the traffic class is
 * @skb's (a TIME_WAIT's ACK: its socket's); the flow label a TIME_WAIT's socket's, the
 * label @skb came with for a socket that reflects them (IPV6_FL_F_REFLECT) or for a
 * RST that answers for no socket where net.ipv6.flowlabel_reflect says so, else the
 * stack's automatic one.
 *
 * Context: softirq, or process (backlog).
 */
void xtcp_v6_send_reply(struct net *net, const struct sock *sk, struct sk_buff *skb, u32 seq,
			u32 ack, u8 flags, u16 win, const struct xtcp_out_options *opts)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	struct sock *ctl_sk = xtcp_pernet(net)->ctl_sk6;
	u8 tclass = ipv6_get_dsfield(ip6h);
	struct dst_entry *dst;
	struct sk_buff *nskb;
	struct flowi6 fl6;

	if (!ctl_sk)
		return;
	memset(&fl6, 0, sizeof(fl6));
	if (sk && sk->sk_state == TCP_TIME_WAIT) {
		const struct xtcp_timewait_sock *tw = xtcp_twsk(sk);

		fl6.flowlabel = cpu_to_be32(tw->flowlabel);
		if (!(flags & TCPHDR_RST))
			tclass = tw->tclass;
	} else if (sk) {
		if (sk_fullsock(sk) && xtcp_inet6_repflow(sk))
			fl6.flowlabel = ip6_flowlabel(ip6h);
	} else if (READ_ONCE(net->ipv6.sysctl.flowlabel_reflect) & FLOWLABEL_REFLECT_TCP_RESET) {
		fl6.flowlabel = ip6_flowlabel(ip6h);
	}
	fl6.daddr = ip6h->saddr;
	fl6.saddr = ip6h->daddr;
	fl6.flowi6_proto = xtcp_protocol;
	if (rt6_need_strict(&fl6.daddr))
		fl6.flowi6_oif = inet6_iif(skb);
	fl6.fl6_dport = th->source;
	fl6.fl6_sport = th->dest;
	fl6.flowi6_uid = sock_net_uid(net, NULL);
	security_skb_classify_flow(skb, flowi6_to_flowi_common(&fl6));
	dst = ip6_dst_lookup_flow(net, ctl_sk, &fl6, NULL);
	if (IS_ERR(dst))
		return;
	nskb = xtcp_alloc_ctl_skb();
	if (!nskb) {
		dst_release(dst);
		return;
	}
	xtcp_push_header(nskb, th->dest, th->source, seq, ack, flags, win, opts);
	xtcp_v6_csum(nskb, &fl6.saddr, &fl6.daddr, false);
	skb_dst_set(nskb, dst);
	local_bh_disable();
	ip6_xmit(ctl_sk, nskb, &fl6, 0, NULL, tclass & ~INET_ECN_MASK, 0);
	local_bh_enable();
	XTCP_INC_STATS(net, XTCP_MIB_OUTSEGS);
	if (flags & TCPHDR_RST)
		XTCP_INC_STATS(net, XTCP_MIB_OUTRSTS);
}

/*
 * An ICMPv6 error about a segment we sent, like tcp_v6_err(): as xtcp_v4_err(), the
 * quoted segment must be in flight; "packet too big" lowers the path MTU, a hard error
 * fails a connection in SYN_SENT, others are kept as soft errors.  Softirq, under
 * rcu_read_lock().
 */
static int xtcp_v6_err(struct sk_buff *skb, struct inet6_skb_parm *opt, u8 type, u8 code,
		       int offset, __be32 info)
{
	const struct ipv6hdr *hdr = (const struct ipv6hdr *)skb->data;
	const struct tcphdr *th = (const struct tcphdr *)(skb->data + offset);
	struct xtcp_sock *xs;
	struct sock *sk;
	int err;
	bool hard;

	sk = xtcp6_lookup_established(dev_net(skb->dev), &hdr->daddr, th->dest, &hdr->saddr,
				      th->source, inet6_iif(skb));
	if (!sk)
		return -ENOENT;
	if (sk->sk_state == TCP_NEW_SYN_RECV || sk->sk_state == TCP_TIME_WAIT) {
		xtcp_sock_gen_put(sk);
		return 0;
	}
	xs = xtcp_sk(sk);
	bh_lock_sock(sk);
	if (sk->sk_state == TCP_CLOSE || type == NDISC_REDIRECT)
		goto unlock;
	if (!xtcp_between(xs->snd_una, ntohl(th->seq), xs->snd_nxt)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_OUTOFWINDOWICMPS);
		goto unlock;
	}
	if (type == ICMPV6_PKT_TOOBIG) {
		/* IPV6_MTU_DISCOVER _INTERFACE or _OMIT: path MTUs are not for it */
		if (ip6_sk_accept_pmtu(sk))
			xtcp_err_mtu(sk, ntohl(info));
	} else {
		hard = icmpv6_err_convert(type, code, &err);
		xtcp_err_report(sk, err, hard);
	}
unlock:
	bh_unlock_sock(sk);
	sock_put(sk);
	return 0;
}

/* A new IPv6 socket: an xtcp socket with IPv6's family operations (tcp_v6_init_sock()). */
static int xtcp_v6_init_sock(struct sock *sk)
{
	int err = xtcp_init_sock(sk);

	xtcp_sk(sk)->af_ops = &xtcp_ipv6_af_ops;
	return err;
}

/*
 * IPv6 sockets: xtcp_prot's operations but for connect() and init(), and an object
 * with struct ipv6_pinfo after the socket, like tcpv6_prot.  Copied from xtcp_prot at
 * load (xtcp_v6_init()), before either is registered.
 */
static struct proto xtcpv6_prot;

/* socket(AF_INET6, SOCK_STREAM, xtcp_protocol): the IPv6 calls, like inet6_stream_ops. */
static const struct proto_ops xtcp6_stream_ops = {
	.family		= PF_INET6,
	.owner		= THIS_MODULE,
	.release	= inet6_release,
	.bind		= inet6_bind,
	.connect	= inet_stream_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= inet_accept,
	.getname	= inet6_getname,
	.poll		= xtcp_poll,
	.ioctl		= inet6_ioctl,
	.gettstamp	= sock_gettstamp,
	.listen		= xtcp_listen,
	.shutdown	= inet_shutdown,
	.setsockopt	= sock_common_setsockopt,
	.getsockopt	= sock_common_getsockopt,
	.sendmsg	= inet_sendmsg,
#ifdef XTCP_HAVE_SPLICE_EOF
	.splice_eof	= xtcp_splice_eof,
#endif
	.recvmsg	= inet_recvmsg,
	.mmap		= sock_no_mmap,
};

static struct inet_protosw xtcp6_protosw = {
	.type		= SOCK_STREAM,
	.prot		= &xtcpv6_prot,
	.ops		= &xtcp6_stream_ops,
};

/* Input hooks, like tcpv6_protocol; softirq. */
static struct inet6_protocol xtcp6_protocol = {
	.handler	= xtcp_rcv,
	.err_handler	= xtcp_v6_err,
	.flags		= INET6_PROTO_NOPOLICY | INET6_PROTO_FINAL,
};

/**
 * xtcp_v6_proto_init - make xtcpv6_prot from xtcp_prot, before either is registered
 *
 * Context: process, module init.
 */
void xtcp_v6_proto_init(void)
{
	xtcpv6_prot = xtcp_prot;
	strscpy(xtcpv6_prot.name, "XTCPv6", sizeof(xtcpv6_prot.name));
	xtcpv6_prot.connect = xtcp_v6_connect;
	xtcpv6_prot.init = xtcp_v6_init_sock;
	xtcpv6_prot.obj_size = sizeof(struct xtcp6_sock);
#ifdef XTCP_HAVE_IPV6_PINFO_OFFSET
	xtcpv6_prot.ipv6_pinfo_offset = offsetof(struct xtcp6_sock, inet6);
#endif
}

/**
 * xtcp_v6_init - register with the IPv6 stack, like tcpv6_init(): our protocol number,
 * its segmentation offload and socket(AF_INET6, SOCK_STREAM, N)
 *
 * Where IPv6 is disabled (ipv6.disable=1) nothing is registered and xtcp works over
 * IPv4 alone.
 *
 * Context: process, module init.
 * Return: 0, or a negative errno (everything it did undone).
 */
int xtcp_v6_init(void)
{
	int err;

	if (!ipv6_mod_enabled()) {
		pr_info("xtcp: IPv6 is disabled: IPv4 only\n");
		return 0;
	}
	err = proto_register(&xtcpv6_prot, 1);
	if (err)
		return err;
	if (inet6_add_protocol(&xtcp6_protocol, xtcp_protocol) < 0) {
		pr_err("xtcp: IPv6 protocol %d is already in use by another protocol\n",
		       xtcp_protocol);
		err = -EBUSY;
		goto out_proto;
	}
	err = xtcp6_offload_init();
	if (err)
		goto out_protocol;
	xtcp6_protosw.protocol = xtcp_protocol;
	err = inet6_register_protosw(&xtcp6_protosw);
	if (err)
		goto out_offload;
	xtcp_ipv6_on = true;
	return 0;

out_offload:
	xtcp6_offload_exit();
out_protocol:
	inet6_del_protocol(&xtcp6_protocol, xtcp_protocol);
out_proto:
	proto_unregister(&xtcpv6_prot);
	return err;
}

/**
 * xtcp_v6_exit - unregister from the IPv6 stack
 *
 * Context: process, module exit or init failure.
 */
void xtcp_v6_exit(void)
{
	if (!xtcp_ipv6_on)
		return;
	inet6_unregister_protosw(&xtcp6_protosw);
	xtcp6_offload_exit();
	inet6_del_protocol(&xtcp6_protocol, xtcp_protocol);
	proto_unregister(&xtcpv6_prot);
	xtcp_ipv6_on = false;
}

/**
 * xtcp_v6_ctl_init_net - create the namespace's IPv6 control socket (none if IPv6 is
 * disabled)
 * @net: the namespace
 *
 * Context: process, pernet init.
 * Return: 0 or a negative errno.
 */
int xtcp_v6_ctl_init_net(struct net *net)
{
	if (!ipv6_mod_enabled())
		return 0;
	return inet_ctl_sock_create(&xtcp_pernet(net)->ctl_sk6, PF_INET6, SOCK_RAW,
				    xtcp_protocol, net);
}

/**
 * xtcp_v6_ctl_exit_net - destroy it
 * @net: the namespace
 *
 * Context: process, pernet exit.
 */
void xtcp_v6_ctl_exit_net(struct net *net)
{
	if (xtcp_pernet(net)->ctl_sk6)
		inet_ctl_sock_destroy(xtcp_pernet(net)->ctl_sk6);
}

MODULE_ALIAS_NET_PF_PROTO_TYPE(PF_INET6, IPPROTO_XTCP, 1);
