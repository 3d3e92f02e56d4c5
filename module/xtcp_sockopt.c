// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: socket options, like do_tcp_setsockopt(), do_tcp_getsockopt() and
 * tcp_get_info() in net/ipv4/tcp.c.
 *
 * Applications set TCP options at level IPPROTO_TCP (SOL_TCP) without knowing which
 * protocol the socket runs, so xtcp answers there, and at its own level (its IP
 * protocol number, SOL_XTCP by default) too.  IP-level options go to ip_setsockopt()
 * (ipv6_setsockopt() on an IPv6 socket: xtcp_sock.af_ops); SOL_SOCKET never reaches a
 * protocol.  Options xtcp does not know: ENOPROTOOPT.
 *
 * Both entry points run in process context, from a system call.
 */
#include <linux/inet_diag.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/sock.h>
#include "xtcp.h"

static bool xtcp_level(int level)
{
	return level == SOL_TCP || level == xtcp_protocol;
}

/*
 * TCP_DEFER_ACCEPT's seconds as SYN-ACK timeouts (1 s, 2 s, 4 s ... up to the RTO's
 * ceiling) and back, like secs_to_retrans() and retrans_to_secs(): the value read
 * back is the time those timeouts take, at least what was asked.
 */
static u8 xtcp_secs_to_retrans(int seconds)
{
	int timeout = XTCP_TIMEOUT_INIT / HZ, period = timeout;
	u8 res = 0;

	if (seconds > 0) {
		res = 1;
		while (seconds > period && res < 255) {
			res++;
			timeout = min(timeout << 1, XTCP_RTO_MAX / HZ);
			period += timeout;
		}
	}
	return res;
}

static int xtcp_retrans_to_secs(u8 retrans)
{
	int timeout = XTCP_TIMEOUT_INIT / HZ, period = 0;

	if (retrans > 0) {
		period = timeout;
		while (--retrans) {
			timeout = min(timeout << 1, XTCP_RTO_MAX / HZ);
			period += timeout;
		}
	}
	return period;
}

/*
 * TCP_KEEPIDLE, like tcp_sock_set_keepidle_locked(): a running keepalive timer is
 * re-armed for the new idle time, counted from the last segment received.  Process
 * context, socket locked.
 */
static void xtcp_set_keepidle(struct sock *sk, int val)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 idle = tcp_jiffies32 - xs->rcv_tstamp;

	WRITE_ONCE(xs->keepalive_time, val * HZ);
	if (sock_flag(sk, SOCK_KEEPOPEN) &&
	    !((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN)))
		xtcp_reset_keepalive_timer(sk, xs->keepalive_time > idle ?
					   xs->keepalive_time - idle : 0);
}

/**
 * xtcp_setsockopt - setsockopt(2) below SOL_SOCKET
 * @sk: the socket
 * @level: SOL_TCP or ours, else passed to IP
 * @optname: TCP_NODELAY, TCP_CORK, TCP_MAXSEG, TCP_QUICKACK, TCP_CONGESTION,
 *	TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT, TCP_USER_TIMEOUT, TCP_NOTSENT_LOWAT,
 *	TCP_INQ, TCP_DEFER_ACCEPT
 * @optval: the value
 * @optlen: its length
 *
 * Context: process.
 * Return: 0, -EINVAL for a bad value or length, -EFAULT, -ENOENT for an unknown
 * congestion control, -ENOPROTOOPT for an unknown option.
 */
int xtcp_setsockopt(struct sock *sk, int level, int optname, sockptr_t optval,
		    unsigned int optlen)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	int val, err = 0;

	if (!xtcp_level(level))
		return xs->af_ops->setsockopt(sk, level, optname, optval, optlen);

	if (optname == TCP_CONGESTION) {
		char name[TCP_CA_NAME_MAX] = {};

		if (optlen < 1)
			return -EINVAL;
		if (copy_from_sockptr(name, optval, min_t(unsigned int, optlen,
							  sizeof(name) - 1)))
			return -EFAULT;
		lock_sock(sk);
		err = xtcp_set_congestion_control(sk, strim(name),
						  ns_capable(sock_net(sk)->user_ns, CAP_NET_ADMIN));
		release_sock(sk);
		return err;
	}

	switch (optname) {
	case TCP_NODELAY:
	case TCP_CORK:
	case TCP_MAXSEG:
	case TCP_QUICKACK:
	case TCP_KEEPIDLE:
	case TCP_KEEPINTVL:
	case TCP_KEEPCNT:
	case TCP_USER_TIMEOUT:
	case TCP_NOTSENT_LOWAT:
	case TCP_INQ:
	case TCP_DEFER_ACCEPT:
		break;
	default:
		return -ENOPROTOOPT;
	}
	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;

	lock_sock(sk);
	switch (optname) {
	case TCP_NODELAY:
		if (val) {
			xs->nonagle |= XTCP_NAGLE_OFF;
			xtcp_push(sk, xs->nonagle | XTCP_NAGLE_PUSH);
		} else {
			xs->nonagle &= ~XTCP_NAGLE_OFF;
		}
		break;
	case TCP_CORK:
		if (val) {
			xs->nonagle |= XTCP_NAGLE_CORK;
		} else {
			xs->nonagle &= ~XTCP_NAGLE_CORK;
			xtcp_push(sk, xs->nonagle | XTCP_NAGLE_PUSH);	/* uncork: send it all */
		}
		break;
	case TCP_MAXSEG:
		/* like TCP: 88 (TCP_MIN_MSS) to 65535, or 0 for "the route's" */
		if (val && (val < XTCP_MIN_MSS || val > U16_MAX))
			err = -EINVAL;
		else
			xs->user_mss = val;
		break;
	case TCP_QUICKACK:
		if (val) {
			xs->quick_acks = XTCP_QUICKACKS;
			if (xs->ack_pending &&
			    (1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT))
				xtcp_send_ack(sk);
		} else {
			xs->quick_acks = 0;
		}
		break;
	case TCP_KEEPIDLE:
		if (val < 1 || val > XTCP_MAX_KEEPIDLE)
			err = -EINVAL;
		else
			xtcp_set_keepidle(sk, val);
		break;
	case TCP_KEEPINTVL:
		if (val < 1 || val > XTCP_MAX_KEEPINTVL)
			err = -EINVAL;
		else
			WRITE_ONCE(xs->keepalive_intvl, val * HZ);
		break;
	case TCP_KEEPCNT:
		if (val < 1 || val > XTCP_MAX_KEEPCNT)
			err = -EINVAL;
		else
			WRITE_ONCE(xs->keepalive_probes, val);
		break;
	case TCP_USER_TIMEOUT:
		/* milliseconds; 0 restores the default (RFC 5482) */
		if (val < 0)
			err = -EINVAL;
		else
			WRITE_ONCE(xs->user_timeout, val);
		break;
	case TCP_NOTSENT_LOWAT:
		/* as TCP: any value (unsigned); a writer waiting may now go on */
		WRITE_ONCE(xs->notsent_lowat, val);
		sk->sk_write_space(sk);
		break;
	case TCP_INQ:
		if (val > 1 || val < 0)
			err = -EINVAL;
		else
			WRITE_ONCE(xs->recvmsg_inq, val);
		break;
	case TCP_DEFER_ACCEPT:
		/* as TCP: on any socket, seconds rounded up to whole SYN-ACK timeouts */
		WRITE_ONCE(xs->defer_accept, xtcp_secs_to_retrans(val));
		break;
	}
	release_sock(sk);
	return err;
}

/**
 * xtcp_get_info - fill a struct tcp_info with the connection's state, like
 * tcp_get_info()
 * @sk: the socket
 * @info: zeroed by the caller; fields xtcp does not keep stay 0
 *
 * Context: process.
 */
void xtcp_get_info(struct sock *sk, struct tcp_info *info)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	int state = inet_sk_state_load(sk);
	unsigned long rate;

	info->tcpi_state = state;
	/* as tcp_get_info(), for every state: ~0 for "no limit", whatever the width */
	rate = READ_ONCE(sk->sk_pacing_rate);
	info->tcpi_pacing_rate = rate != ~0UL ? rate : ~0ULL;
	rate = READ_ONCE(sk->sk_max_pacing_rate);
	info->tcpi_max_pacing_rate = rate != ~0UL ? rate : ~0ULL;
	if (state == TCP_LISTEN) {
		info->tcpi_unacked = READ_ONCE(sk->sk_ack_backlog);
		info->tcpi_sacked = READ_ONCE(sk->sk_max_ack_backlog);
		return;
	}
	lock_sock(sk);
	info->tcpi_ca_state = xs->ca_state;
	info->tcpi_retransmits = xs->retransmits;
	info->tcpi_probes = xs->probes_out;
	info->tcpi_backoff = xs->backoff;
	if (xs->tstamp_ok)
		info->tcpi_options |= TCPI_OPT_TIMESTAMPS;
	if (xs->rx_opt.sack_ok)
		info->tcpi_options |= TCPI_OPT_SACK;
	if (xs->rx_opt.wscale_ok) {
		info->tcpi_options |= TCPI_OPT_WSCALE;
		info->tcpi_snd_wscale = xs->rx_opt.snd_wscale;
		info->tcpi_rcv_wscale = xs->rcv_wscale;
	}
	if (xs->ecn_flags & XTCP_ECN_OK)
		info->tcpi_options |= TCPI_OPT_ECN;
	if (xs->ecn_flags & XTCP_ECN_SEEN)
		info->tcpi_options |= TCPI_OPT_ECN_SEEN;
	info->tcpi_rto = jiffies_to_usecs(xs->rto);
	info->tcpi_ato = jiffies_to_usecs(XTCP_DELACK_MIN);
	info->tcpi_snd_mss = xtcp_current_mss(sk);
	info->tcpi_rcv_mss = xs->rcv_mss;
	info->tcpi_unacked = xs->packets_out;
	info->tcpi_sacked = xs->sacked_out;
	info->tcpi_lost = xs->lost_out;
	info->tcpi_retrans = xs->retrans_out;
	info->tcpi_rcv_ssthresh = xs->rcv_ssthresh;
	info->tcpi_rtt = xs->srtt_us;
	info->tcpi_rttvar = xs->rttvar_us;
	info->tcpi_snd_ssthresh = xs->snd_ssthresh;
	info->tcpi_snd_cwnd = xs->snd_cwnd;
	info->tcpi_advmss = xs->advmss;
	info->tcpi_pmtu = xs->pmtu_cookie;
	info->tcpi_reordering = XTCP_DUPTHRESH;
	info->tcpi_reord_seen = xs->reord_seen;
	info->tcpi_min_rtt = xs->min_rtt_us == U32_MAX ? 0 : xs->min_rtt_us;
	info->tcpi_rcv_rtt = xs->rcv_rtt_us >> 3;
	info->tcpi_rcv_space = xs->rcvq_space;
	info->tcpi_total_retrans = xs->total_retrans;
	info->tcpi_bytes_acked = xs->bytes_acked;
	info->tcpi_bytes_received = xs->bytes_received;
	info->tcpi_segs_out = xs->segs_out;
	info->tcpi_segs_in = xs->segs_in;
	info->tcpi_data_segs_out = xs->data_segs_out;
	info->tcpi_notsent_bytes = max_t(int, xs->write_seq - xs->snd_nxt, 0);
	info->tcpi_snd_wnd = xs->snd_wnd;
	xtcp_tcp_info_rcv_wnd(info, xs->rcv_wnd);
	release_sock(sk);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_get_info);

/**
 * xtcp_getsockopt - getsockopt(2) below SOL_SOCKET
 * @sk: the socket
 * @level: SOL_TCP or ours, else passed to IP
 * @optname: TCP_NODELAY, TCP_CORK, TCP_MAXSEG, TCP_QUICKACK, TCP_CONGESTION, TCP_INFO,
 *	TCP_CC_INFO, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT, TCP_USER_TIMEOUT
 * @optval: where the value goes
 * @optlen: its room; set to the length written
 *
 * Context: process.
 * Return: 0, -EINVAL for a negative length, -EFAULT, -ENOPROTOOPT.
 */
int xtcp_getsockopt(struct sock *sk, int level, int optname, char __user *optval,
		    int __user *optlen)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	int val, len;

	if (!xtcp_level(level))
		return xs->af_ops->getsockopt(sk, level, optname, optval, optlen);
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;

	switch (optname) {
	case TCP_INFO: {
		struct tcp_info info = {};

		xtcp_get_info(sk, &info);
		len = min_t(unsigned int, len, sizeof(info));
		if (put_user(len, optlen) || copy_to_user(optval, &info, len))
			return -EFAULT;
		return 0;
	}
	case TCP_CONGESTION: {
		char name[TCP_CA_NAME_MAX] = {};

		rcu_read_lock();	/* a module unregistering its algorithm waits for us */
		strscpy(name, READ_ONCE(xs->ca_ops)->name, sizeof(name));
		rcu_read_unlock();
		len = min_t(unsigned int, len, sizeof(name));
		if (put_user(len, optlen) || copy_to_user(optval, name, len))
			return -EFAULT;
		return 0;
	}
	case TCP_CC_INFO: {
		/* what the algorithm tells of itself (Vegas-like ones: struct tcpvegas_info) */
		union tcp_cc_info info;
		size_t sz = 0;
		int attr;

		lock_sock(sk);
		if (xs->ca_ops->get_info)
			sz = xs->ca_ops->get_info(sk, ~0U, &attr, &info);
		release_sock(sk);
		len = min_t(unsigned int, len, sz);
		if (put_user(len, optlen) || copy_to_user(optval, &info, len))
			return -EFAULT;
		return 0;
	}
	case TCP_NODELAY:
		val = !!(READ_ONCE(xs->nonagle) & XTCP_NAGLE_OFF);
		break;
	case TCP_CORK:
		val = !!(READ_ONCE(xs->nonagle) & XTCP_NAGLE_CORK);
		break;
	case TCP_MAXSEG:
		/* as TCP: the payload of a full segment now, options taken off */
		if ((1 << inet_sk_state_load(sk)) & (TCPF_CLOSE | TCPF_LISTEN))
			val = READ_ONCE(xs->user_mss) ?: READ_ONCE(xs->mss_cache);
		else
			val = xtcp_current_mss(sk);
		break;
	case TCP_QUICKACK:
		val = READ_ONCE(xs->quick_acks) > 0;
		break;
	case TCP_KEEPIDLE:
		val = xtcp_keepalive_time(xs) / HZ;
		break;
	case TCP_KEEPINTVL:
		val = xtcp_keepalive_intvl(xs) / HZ;
		break;
	case TCP_KEEPCNT:
		val = xtcp_keepalive_probes(xs);
		break;
	case TCP_USER_TIMEOUT:
		val = READ_ONCE(xs->user_timeout);
		break;
	case TCP_NOTSENT_LOWAT:
		val = READ_ONCE(xs->notsent_lowat);
		break;
	case TCP_INQ:
		val = READ_ONCE(xs->recvmsg_inq);
		break;
	case TCP_DEFER_ACCEPT:
		val = xtcp_retrans_to_secs(READ_ONCE(xs->defer_accept));
		break;
	default:
		return -ENOPROTOOPT;
	}
	len = min_t(unsigned int, len, sizeof(int));
	if (put_user(len, optlen) || copy_to_user(optval, &val, len))
		return -EFAULT;
	return 0;
}
