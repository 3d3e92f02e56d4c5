// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: timers, like net/ipv4/tcp_timer.c: the retransmit timer of a connection (SYN,
 * RTO or zero-window probe, as xtcp_sock.pending says), its delayed-ACK timer, and the
 * SYN-ACK timer of a request.
 *
 * All timers here run in timer (softirq) context.  A pending socket timer holds a
 * reference on its socket (sk_reset_timer()), a pending request timer one on its
 * request.  When the socket is in use by a process the handler comes back shortly
 * instead of waiting for the lock, as tcp_write_timer() defers its work.
 */
#include "xtcp.h"
#include "xtcp_trace.h"

#define XTCP_DEFER	(HZ / 20)	/* retry when the socket is owned by a process */

/**
 * xtcp_reset_xmit_timer - arm the retransmit timer for @what, @when jiffies from now
 * @sk: the socket, locked
 * @what: XTCP_TIME_RETRANS or XTCP_TIME_PROBE0
 * @when: the timeout
 *
 * Context: process, softirq or timer, socket locked.
 */
void xtcp_reset_xmit_timer(struct sock *sk, enum xtcp_timer_event what, u32 when)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	WRITE_ONCE(xs->pending, what);
	sk_reset_timer(sk, &xs->retransmit_timer, jiffies + min_t(u32, when, XTCP_RTO_MAX));
}

/**
 * xtcp_rearm_rto - restart the retransmission timer, or stop it once nothing is in
 * flight (RFC 6298 5.1-5.3), like tcp_rearm_rto()
 * @sk: the socket, locked
 *
 * Context: process, softirq or timer, socket locked.
 */
void xtcp_rearm_rto(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xs->packets_out) {
		xtcp_reset_xmit_timer(sk, XTCP_TIME_RETRANS, xs->rto);
	} else if (xs->pending == XTCP_TIME_RETRANS) {
		WRITE_ONCE(xs->pending, 0);
		sk_stop_timer(sk, &xs->retransmit_timer);
	}
}

/* SYN_SENT: re-send the SYN, or give up with ETIMEDOUT (tcp_write_timeout()). */
static void xtcp_syn_retransmit(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	int max = READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_syn_retries);
	u8 flags = TCPHDR_SYN;

	if (xs->retransmits >= max) {
		WRITE_ONCE(sk->sk_err, ETIMEDOUT);
		sk_error_report(sk);
		xtcp_done(sk);
		return;
	}
	xs->retransmits++;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_SYNRETRANS);
	trace_xtcp_retransmit_syn(&sk->__sk_common, xs->retransmits);
	if (sk->sk_state == TCP_SYN_RECV)	/* simultaneous open: our SYN-ACK */
		flags |= TCPHDR_ACK;
	xtcp_transmit_ctl(sk, flags, xs->iss);
	xs->rto = xtcp_backoff(XTCP_TIMEOUT_INIT, xs->retransmits, XTCP_RTO_MAX);
	xtcp_reset_xmit_timer(sk, XTCP_TIME_RETRANS, xs->rto);
}

/*
 * The retransmission timeout of a connection, like tcp_retransmit_timer(): everything
 * in flight is taken for lost, cwnd drops to one segment, the oldest segment goes out
 * again and the RTO doubles (RFC 6298 5.4-5.7).  After XTCP_RETRIES2 timeouts in a row
 * the connection fails with ETIMEDOUT.
 */
static void xtcp_rto_expired(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb = skb_peek(&xs->rtx_queue);

	if (!xs->packets_out || !skb)
		return;
	if (xs->retransmits >= XTCP_RETRIES2) {
		WRITE_ONCE(sk->sk_err, READ_ONCE(sk->sk_err_soft) ?: ETIMEDOUT);
		sk_error_report(sk);
		xtcp_done(sk);
		return;
	}
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_TIMEOUTS);
	xtcp_enter_loss(sk);
	trace_xtcp_retransmit_timeout(&sk->__sk_common, xs->retransmits + 1);
	xtcp_retransmit_skb(sk, skb);
	xs->retransmits++;
	if (xs->backoff < 16)
		xs->backoff++;
	xs->rto = min_t(u32, xs->rto * 2, XTCP_RTO_MAX);
	xtcp_reset_xmit_timer(sk, XTCP_TIME_RETRANS, xs->rto);
}

/* The retransmit timer of a full socket (SYN, RTO or zero-window probe); timer context. */
static void xtcp_retransmit_timer(struct timer_list *t)
{
	struct xtcp_sock *xs = from_timer(xs, t, retransmit_timer);
	struct sock *sk = (struct sock *)xs;
	u8 what;

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk)) {
		sk_reset_timer(sk, &xs->retransmit_timer, jiffies + XTCP_DEFER);
		goto out;
	}
	what = xs->pending;
	WRITE_ONCE(xs->pending, 0);
	if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV))
		xtcp_syn_retransmit(sk);
	else if (sk->sk_state == TCP_CLOSE)
		;
	else if (what == XTCP_TIME_PROBE0)
		xtcp_send_probe0(sk);
	else if (what == XTCP_TIME_RETRANS)
		xtcp_rto_expired(sk);
out:
	bh_unlock_sock(sk);
	sock_put(sk);
}

/**
 * xtcp_send_delayed_ack - owe an ACK: send it when the delayed-ACK timer expires
 * (40 ms), unless a segment going out earlier carries it (RFC 9293 3.8.6.3)
 * @sk: the socket, locked
 *
 * Context: softirq or process, socket locked.
 */
void xtcp_send_delayed_ack(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (xs->ack_pending && timer_pending(&xs->delack_timer))
		return;
	xs->ack_pending = 1;
	sk_reset_timer(sk, &xs->delack_timer, jiffies + XTCP_DELACK_MIN);
}

/* The delayed-ACK timer, like tcp_delack_timer(); timer context. */
static void xtcp_delack_timer(struct timer_list *t)
{
	struct xtcp_sock *xs = from_timer(xs, t, delack_timer);
	struct sock *sk = (struct sock *)xs;

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk)) {
		sk_reset_timer(sk, &xs->delack_timer, jiffies + XTCP_DELACK_MIN);
	} else if (xs->ack_pending && sk->sk_state != TCP_CLOSE) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_DELAYEDACKS);
		xtcp_send_ack(sk);
	}
	bh_unlock_sock(sk);
	sock_put(sk);
}

/**
 * xtcp_init_xmit_timers - set up the timers of a new socket
 * @sk: the socket
 *
 * Context: process or softirq.
 */
void xtcp_init_xmit_timers(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	timer_setup(&xs->retransmit_timer, xtcp_retransmit_timer, 0);
	timer_setup(&xs->delack_timer, xtcp_delack_timer, 0);
	xs->pending = 0;
	xs->ack_pending = 0;
}

/**
 * xtcp_clear_xmit_timers - stop the timers of a socket that is closing
 * @sk: the socket, locked
 *
 * A handler already running finds the socket closed and does nothing.
 *
 * Context: process, softirq or timer, socket locked.
 */
void xtcp_clear_xmit_timers(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	WRITE_ONCE(xs->pending, 0);
	xs->ack_pending = 0;
	sk_stop_timer(sk, &xs->retransmit_timer);
	sk_stop_timer(sk, &xs->delack_timer);
}

/**
 * xtcp_reqsk_timer_handler - re-send a request's SYN-ACK, or drop the request once
 * net.xtcp.synack_retries re-sends went unanswered (like reqsk_timer_handler())
 * @t: the request's timer
 *
 * Backoff: 1 s, 2 s, 4 s ... (RFC 6298 2.5 applied to the SYN-ACK).
 *
 * Context: timer; takes the listener's socket lock.
 */
void xtcp_reqsk_timer_handler(struct timer_list *t)
{
	struct xtcp_request_sock *req = from_timer(req, t, timer);
	struct sock *listener = req->listener;
	int max = READ_ONCE(xtcp_pernet(sock_net(listener))->sysctl_synack_retries);

	bh_lock_sock(listener);
	if (READ_ONCE(req->unlinked))
		goto out;
	if (sock_owned_by_user(listener)) {
		mod_timer(&req->timer, jiffies + XTCP_DEFER);
		bh_unlock_sock(listener);
		return;		/* the pending timer keeps its reference */
	}
	if (req->num_retrans >= max) {
		xtcp_reqsk_queue_drop(listener, req);
		goto out;
	}
	req->num_retrans++;
	XTCP_INC_STATS(sock_net(listener), XTCP_MIB_SYNACKRETRANS);
	trace_xtcp_retransmit_synack(&req->common, req->num_retrans);
	xtcp_v4_send_synack(listener, req);
	mod_timer(&req->timer,
		  jiffies + xtcp_backoff(XTCP_TIMEOUT_INIT, req->num_retrans, XTCP_RTO_MAX));
	bh_unlock_sock(listener);
	return;
out:
	bh_unlock_sock(listener);
	xtcp_reqsk_put(req);
}
