// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: timers, like net/ipv4/tcp_timer.c.
 *
 * Both timers here run in timer (softirq) context.  A pending socket timer holds a
 * reference on its socket (sk_reset_timer()), a pending request timer one on its
 * request.  When the socket is in use by a process the handler comes back shortly
 * instead of waiting for the lock, as tcp_write_timer() defers its work.
 */
#include "xtcp.h"
#include "xtcp_trace.h"

#define XTCP_DEFER	(HZ / 20)	/* retry when the socket is owned by a process */

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
	sk_reset_timer(sk, &xs->retransmit_timer, jiffies + xs->rto);
}

/* The retransmission timer of a full socket; runs in timer context. */
static void xtcp_retransmit_timer(struct timer_list *t)
{
	struct xtcp_sock *xs = from_timer(xs, t, retransmit_timer);
	struct sock *sk = (struct sock *)xs;

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk))
		sk_reset_timer(sk, &xs->retransmit_timer, jiffies + XTCP_DEFER);
	else if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV))
		xtcp_syn_retransmit(sk);
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
	timer_setup(&xtcp_sk(sk)->retransmit_timer, xtcp_retransmit_timer, 0);
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
	sk_stop_timer(sk, &xtcp_sk(sk)->retransmit_timer);
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
