// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: the state machine for arriving segments, like net/ipv4/tcp_input.c
 * (tcp_rcv_state_process, tcp_rcv_synsent_state_process, tcp_conn_request, tcp_reset).
 * RFC 9293 3.10.7 "SEGMENT ARRIVES" is the reference; comments name its steps.
 *
 * Every function here runs with the socket locked: in softirq (bh_lock_sock), or in
 * process context when release_sock() replays the socket's backlog.
 */
#include <net/route.h>
#include <kunit/visibility.h>
#include "xtcp.h"

/**
 * xtcp_rcv_wnd_init - the receive window to offer in the handshake
 * @sk: the socket (or listener)
 *
 * Context: any.
 * Return: half the receive buffer, as SO_RCVBUF is doubled for overhead.
 */
u32 xtcp_rcv_wnd_init(const struct sock *sk)
{
	return max_t(u32, READ_ONCE(sk->sk_rcvbuf) / 2, XTCP_MSS_DEFAULT);
}

/* The connection is refused or reset: set the errno Linux gives, then close. */
static void xtcp_reset(struct sock *sk)
{
	int err;

	switch (sk->sk_state) {
	case TCP_SYN_SENT:
		err = ECONNREFUSED;
		break;
	case TCP_CLOSE_WAIT:
		err = EPIPE;
		break;
	case TCP_CLOSE:
		return;
	default:
		err = ECONNRESET;
	}
	if ((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT))
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ESTABRESETS);
	WRITE_ONCE(sk->sk_err, err);
	sk_error_report(sk);
	xtcp_done(sk);
}

/* The options of a SYN or SYN-ACK fix the connection's; both sides must offer one. */
static void xtcp_negotiate(struct xtcp_sock *xs, const struct xtcp_options_received *opt)
{
	xs->rx_opt = *opt;
	if (!opt->wscale_ok) {
		xs->rx_opt.snd_wscale = 0;
		xs->rcv_wscale = 0;
		xs->rcv_wnd = min_t(u32, xs->rcv_wnd, U16_MAX);
	}
	xs->tstamp_ok = opt->saw_tstamp;
	if (opt->saw_tstamp)
		xs->ts_recent = opt->rcv_tsval;
	xs->mss_cache = xtcp_clamp_mss(opt->mss_clamp, xs->advmss);
}

/*
 * SYN_SENT, RFC 9293 3.10.7.3.  Return 1 if the caller must answer with a RST, else 0
 * (the segment is done with).
 */
static int xtcp_rcv_synsent_state_process(struct sock *sk, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct xtcp_options_received opt = {};

	xtcp_parse_options(th, th->doff * 4, &opt);
	if (th->ack) {
		/* first: an ACK of anything but our SYN is not for this connection */
		if (!xtcp_after(cb->ack_seq, xs->iss) || xtcp_after(cb->ack_seq, xs->snd_nxt))
			return !th->rst;
		/* second: a RST with an acceptable ACK refuses the connection */
		if (th->rst) {
			xtcp_reset(sk);
			return 0;
		}
		if (!th->syn)
			return 0;
		/* fourth: SYN-ACK, the connection is established */
		xs->rcv_nxt = cb->seq + 1;
		xs->snd_una = cb->ack_seq;
		xs->snd_wnd = ntohs(th->window);	/* never scaled in a SYN */
		xtcp_negotiate(xs, &opt);
		xtcp_set_state(sk, TCP_ESTABLISHED);
		xtcp_clear_xmit_timers(sk);
		xtcp_send_ack(sk);
		sk->sk_state_change(sk);
		return 0;
	}
	if (th->rst)
		return 0;
	if (th->syn) {
		/* simultaneous open: SYN_RECV, answer with SYN-ACK (same ISS) */
		xs->rcv_nxt = cb->seq + 1;
		xs->snd_wnd = ntohs(th->window);
		xtcp_negotiate(xs, &opt);
		xtcp_set_state(sk, TCP_SYN_RECV);
		xtcp_transmit_ctl(sk, TCPHDR_SYN | TCPHDR_ACK, xs->iss);
	}
	return 0;
}

/* RFC 9293 3.10.7.4 first check: is the segment in the receive window? */
static bool xtcp_sequence_ok(const struct xtcp_sock *xs, u32 seq, u32 end_seq)
{
	u32 wnd = xs->rcv_wnd, last = xs->rcv_nxt + wnd - 1;

	if (seq == end_seq)
		return wnd ? xtcp_between(xs->rcv_nxt, seq, last) : seq == xs->rcv_nxt;
	if (!wnd)
		return false;
	return xtcp_between(xs->rcv_nxt, seq, last) ||
	       xtcp_between(xs->rcv_nxt, end_seq - 1, last);
}

/**
 * xtcp_rcv_state_process - a segment for a socket in any state but ESTABLISHED's fast
 * path, like tcp_rcv_state_process()
 * @sk: the socket, locked
 * @skb: the segment, validated, with XTCP_SKB_CB filled in; not freed here
 *
 * LISTEN: a SYN creates a request (xtcp_conn_request()).  SYN_SENT: see above.  Others:
 * check the sequence number, then RST, SYN and ACK in that order; an acceptable ACK
 * moves SYN_RECV to ESTABLISHED.  Data and FIN come with later work.
 *
 * Context: softirq or process (backlog), socket locked.
 * Return: 1 if the caller must answer @skb with a RST, 0 otherwise.
 */
int xtcp_rcv_state_process(struct sock *sk, struct sk_buff *skb)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	struct xtcp_sock *xs = xtcp_sk(sk);

	switch (sk->sk_state) {
	case TCP_CLOSE:
		return 0;
	case TCP_LISTEN:
		if (th->ack)
			return 1;
		if (th->rst || !th->syn || th->fin)
			return 0;
		xtcp_conn_request(sk, skb);
		return 0;
	case TCP_SYN_SENT:
		return xtcp_rcv_synsent_state_process(sk, skb);
	}

	if (!xtcp_sequence_ok(xs, cb->seq, cb->end_seq)) {
		if (!th->rst)
			xtcp_send_ack(sk);	/* RFC 9293: answer with an ACK */
		return 0;
	}
	if (th->rst) {
		xtcp_reset(sk);
		return 0;
	}
	if (th->syn) {
		/* RFC 5961 4: a SYN in the window gets a challenge ACK */
		xtcp_send_ack(sk);
		return 0;
	}
	if (!th->ack)
		return 0;

	switch (sk->sk_state) {
	case TCP_SYN_RECV:
		if (!xtcp_between(xs->snd_una, cb->ack_seq, xs->snd_nxt))
			return 1;
		xs->snd_una = cb->ack_seq;
		xs->snd_wnd = ntohs(th->window) << xs->rx_opt.snd_wscale;
		xtcp_clear_xmit_timers(sk);
		xtcp_set_state(sk, TCP_ESTABLISHED);
		sk->sk_state_change(sk);
		break;
	case TCP_ESTABLISHED:
		if (xtcp_after(cb->ack_seq, xs->snd_una) && !xtcp_after(cb->ack_seq, xs->snd_nxt))
			xs->snd_una = cb->ack_seq;
		break;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_rcv_state_process);

/**
 * xtcp_conn_request - a SYN arrived at a listener, like tcp_conn_request()
 * @sk: the listener, locked
 * @skb: the SYN
 *
 * A request minisocket is created with a secure ISN and the options of the SYN, put in
 * the established hash, and answered with a SYN-ACK; its timer re-sends the SYN-ACK
 * until the ACK comes.  If the accept queue is full the SYN is dropped.  If the
 * half-open queue is full (or net.xtcp.syncookies is 2) the SYN-ACK carries a SYN
 * cookie instead and nothing is kept; with net.xtcp.syncookies 0 the SYN is dropped.
 *
 * Context: softirq or process (backlog), listener locked.
 * Return: 0.
 */
int xtcp_conn_request(struct sock *sk, struct sk_buff *skb)
{
	struct xtcp_net *xn = xtcp_pernet(sock_net(sk));
	const struct tcphdr *th = tcp_hdr(skb);
	const struct iphdr *iph = ip_hdr(skb);
	int syncookies = READ_ONCE(xn->sysctl_syncookies);
	struct xtcp_options_received opt = {};
	struct xtcp_request_sock *req;
	bool want_cookie = syncookies == 2;

	if (skb_rtable(skb) && skb_rtable(skb)->rt_flags & (RTCF_BROADCAST | RTCF_MULTICAST))
		goto drop;
	if (sk_acceptq_is_full(sk)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_LISTENOVERFLOWS);
		goto drop;
	}
	if (xtcp_sk(sk)->syn_qlen >= min_t(u32, READ_ONCE(sk->sk_max_ack_backlog),
					   READ_ONCE(xn->sysctl_max_syn_backlog))) {
		if (!syncookies)
			goto drop;
		want_cookie = true;
	}

	req = xtcp_reqsk_alloc(sk, skb);
	if (!req)
		goto drop;
	xtcp_parse_options(th, th->doff * 4, &opt);
	req->rcv_isn = XTCP_SKB_CB(skb)->seq;
	req->snt_isn = xtcp_secure_isn(iph->daddr, iph->saddr, th->dest, th->source,
				       ktime_get_real_ns());
	req->rcv_wnd = xtcp_rcv_wnd_init(sk);
	req->mss = opt.mss_clamp;
	req->wscale_ok = opt.wscale_ok;
	req->snd_wscale = opt.snd_wscale;
	req->rcv_wscale = opt.wscale_ok ? xtcp_select_wscale(READ_ONCE(sk->sk_rcvbuf)) : 0;
	req->sack_ok = opt.sack_ok;
	req->tstamp_ok = opt.saw_tstamp;
	req->ts_recent = opt.rcv_tsval;

	if (want_cookie) {
		int mssind = xtcp_cookie_mssind(opt.mss_clamp);

		/* the cookie carries the MSS only: no window scale, SACK or timestamps */
		req->mss = xtcp_cookie_mss(mssind);
		req->wscale_ok = 0;
		req->rcv_wscale = 0;
		req->sack_ok = 0;
		req->tstamp_ok = 0;
		req->snt_isn = xtcp_cookie_make(iph->daddr, iph->saddr, th->dest, th->source,
						req->rcv_isn, mssind, xtcp_cookie_count());
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_SYNCOOKIESSENT);
	} else {
		xtcp_reqsk_queue_hash_add(sk, req);
	}
	if (!req->wscale_ok)	/* an unscaled window field says at most 65535 */
		req->rcv_wnd = min_t(u32, req->rcv_wnd, U16_MAX);
	xtcp_v4_send_synack(sk, req);
	xtcp_reqsk_put(req);
	return 0;
drop:
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_LISTENDROPS);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_conn_request);
