// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: timers, like net/ipv4/tcp_timer.c: the retransmit timer of a connection (SYN,
 * RTO, zero-window probe, RACK's reordering window or the tail-loss probe, as
 * xtcp_sock.pending says), its delayed-ACK timer, its
 * keepalive timer (sk->sk_timer, also an orphan's FIN_WAIT2 timeout), and the SYN-ACK
 * timer of a request.  TIME_WAIT's timer is in xtcp_timewait.c.
 *
 * All timers here run in timer (softirq) context.  A pending socket timer holds a
 * reference on its socket (sk_reset_timer()), a pending request timer one on its
 * request.  When the socket is in use by a process, the retransmit and delayed-ACK
 * timers leave their work to xtcp_release_cb(), which release_sock() runs after the
 * backlog, as tcp_write_timer() and tcp_delack_timer() do; the keepalive timer and a
 * request's SYN-ACK timer (whose listener is in use) come back shortly, as
 * tcp_keepalive_timer() and reqsk_timer_handler().
 */
#include "xtcp.h"
#include "xtcp_trace.h"

#define XTCP_DEFER	(HZ / 20)	/* keepalive, SYN-ACK: retry when a process owns it */

/**
 * xtcp_reset_xmit_timer - arm the retransmit timer for @what, @when jiffies from now
 * @sk: the socket, locked
 * @what: XTCP_TIME_RETRANS, XTCP_TIME_PROBE0, XTCP_TIME_REO or XTCP_TIME_LOSS_PROBE
 * @when: the timeout
 *
 * Context: process, softirq or timer, socket locked.
 */
void xtcp_reset_xmit_timer(struct sock *sk, enum xtcp_timer_event what, u32 when)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	WRITE_ONCE(xs->pending, what);
	xs->timeout = jiffies + min_t(u32, when, XTCP_RTO_MAX);
	sk_reset_timer(sk, &xs->retransmit_timer, xs->timeout);
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
	} else if (xs->pending == XTCP_TIME_RETRANS || xs->pending == XTCP_TIME_REO ||
		   xs->pending == XTCP_TIME_LOSS_PROBE) {
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
	/*
	 * ECN: a simultaneous open's SYN-ACK says ECE again; a SYN asks again unless
	 * net.xtcp.ecn_fallback, so that a path that drops what asks for it still
	 * connects (tcp_ecn_clear_syn()); a SYN-ACK without ECE ends it
	 */
	if (xs->ecn_flags & XTCP_ECN_OK) {
		if (flags & TCPHDR_ACK)
			flags |= TCPHDR_ECE;
		else if (!READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_ecn_fallback))
			flags |= TCPHDR_ECE | TCPHDR_CWR;
	}
	xtcp_transmit_ctl(sk, flags, xs->iss);
	xs->rto = xtcp_backoff(XTCP_TIMEOUT_INIT, xs->retransmits, XTCP_RTO_MAX);
	xtcp_reset_xmit_timer(sk, XTCP_TIME_RETRANS, xs->rto);
}

/**
 * xtcp_write_err - the peer is taken for dead: fail the connection with ETIMEDOUT (or
 * the soft error an ICMP message left), like tcp_write_err()
 * @sk: the socket, locked
 *
 * Context: timer, socket locked.
 */
void xtcp_write_err(struct sock *sk)
{
	WRITE_ONCE(sk->sk_err, READ_ONCE(sk->sk_err_soft) ?: ETIMEDOUT);
	sk_error_report(sk);
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ABORTONTIMEOUT);
	xtcp_done(sk);
}

/**
 * xtcp_write_timeout - has the peer not answered for too long?
 * @sk: the socket, locked
 * @count: timeouts (or unanswered probes) in a row so far
 *
 * A socket with TCP_USER_TIMEOUT gives up once that much time passed since the oldest
 * unacknowledged segment left; otherwise an orphan after net.xtcp.orphan_retries
 * timeouts (0: 8, as tcp_orphan_retries()), others after XTCP_RETRIES2, like
 * tcp_write_timeout().
 */
bool xtcp_write_timeout(struct sock *sk, u32 count)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	u32 user_timeout = READ_ONCE(xs->user_timeout);
	int max = XTCP_RETRIES2;

	if (user_timeout && xs->retrans_stamp)
		return tcp_jiffies32 - xs->retrans_stamp >= msecs_to_jiffies(user_timeout);
	if (sock_flag(sk, SOCK_DEAD))
		max = READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_orphan_retries) ?:
		      XTCP_ORPHAN_RETRIES;
	return count >= max;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_write_timeout);

/* The next timeout, clamped to what is left of TCP_USER_TIMEOUT. */
static u32 xtcp_clamp_to_user_timeout(const struct sock *sk, u32 when)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	u32 user_timeout = READ_ONCE(xs->user_timeout);
	s32 left;

	if (!user_timeout || !xs->retrans_stamp)
		return when;
	left = msecs_to_jiffies(user_timeout) - (tcp_jiffies32 - xs->retrans_stamp);
	return clamp_t(s32, left, 1, when);
}

/*
 * Data in flight meets a zero window: has the peer gone?  Like
 * tcp_rtx_probe0_timed_out(): only if nothing came from it for twice the largest RTO
 * and the retransmissions have lasted that long too; TCP_USER_TIMEOUT, if set, bounds
 * both.  Called when the retransmission timer expires.
 */
static bool xtcp_rtx_probe0_timed_out(const struct sock *sk)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	u32 user_timeout = READ_ONCE(xs->user_timeout);
	u32 rtx_delta = tcp_jiffies32 - xs->retrans_stamp;
	u32 timeout = 2 * XTCP_RTO_MAX;

	if (user_timeout) {
		if (rtx_delta > msecs_to_jiffies(user_timeout))
			return true;
		timeout = min(timeout, msecs_to_jiffies(user_timeout));
	}
	/* the timer may run a jiffy late while an ACK just came: a negative delta */
	if ((s32)(tcp_jiffies32 - READ_ONCE(xs->rcv_tstamp)) <= (s32)timeout)
		return false;
	return rtx_delta > timeout;
}

/**
 * xtcp_rto_expired - the retransmission timeout of a connection, like
 * tcp_retransmit_timer()
 * @sk: the socket, locked
 *
 * Everything in flight is taken for lost, cwnd drops to one segment, the oldest
 * segment goes out again and the RTO doubles (RFC 6298 5.4-5.7).  When
 * xtcp_write_timeout() says the peer is gone, the connection fails with ETIMEDOUT.
 * Under a zero window (the receiver shrank it, out of memory) the retransmissions are
 * its probes: they count no timeout, and only a silent peer ends the connection
 * (xtcp_rtx_probe0_timed_out()).
 *
 * Context: timer (the retransmit timer's handler) or a KUnit test, socket locked.
 */
void xtcp_rto_expired(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	struct sk_buff *skb = xtcp_rtx_queue_head(sk);

	if (!xs->packets_out || !skb)
		return;
	if (!xs->retrans_stamp)		/* it left about one RTO ago */
		xs->retrans_stamp = (tcp_jiffies32 - xs->rto) ?: 1;
	if (!xs->snd_wnd && !sock_flag(sk, SOCK_DEAD)) {
		/*
		 * The receiver shrank its window to zero under data in flight: the
		 * retransmissions probe it, and only a peer silent for as long as a
		 * zero-window probe's allows ends the connection.
		 */
		if (xtcp_rtx_probe0_timed_out(sk)) {
			xtcp_write_err(sk);
			return;
		}
		xtcp_enter_loss(sk);
		xtcp_retransmit_skb(sk, skb, 1);
		goto backoff;
	}
	if (xtcp_write_timeout(sk, xs->retransmits)) {
		xtcp_write_err(sk);
		return;
	}
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_TIMEOUTS);
	xtcp_enter_loss(sk);
	trace_xtcp_retransmit_timeout(&sk->__sk_common, xs->retransmits + 1);
	xtcp_retransmit_skb(sk, skb, 1);
	xs->retransmits++;
backoff:
	if (xs->backoff < 16)
		xs->backoff++;
	xs->rto = min_t(u32, xs->rto * 2, XTCP_RTO_MAX);
	xtcp_reset_xmit_timer(sk, XTCP_TIME_RETRANS, xtcp_clamp_to_user_timeout(sk, xs->rto));
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_rto_expired);

/**
 * xtcp_fin_timeout - how long an orphan waits in FIN_WAIT2 (net.xtcp.fin_timeout)
 * @sk: the socket
 *
 * Context: any.
 * Return: jiffies.
 */
u32 xtcp_fin_timeout(const struct sock *sk)
{
	return READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_fin_timeout) * HZ;
}

/**
 * xtcp_keepalive_time - idle time before the first keepalive probe, like
 * keepalive_time_when()
 * @xs: the socket
 *
 * Context: any.
 * Return: jiffies (TCP_KEEPIDLE, else net.xtcp.keepalive_time).
 */
u32 xtcp_keepalive_time(const struct xtcp_sock *xs)
{
	struct net *net = sock_net((const struct sock *)xs);

	return READ_ONCE(xs->keepalive_time) ?:
	       READ_ONCE(xtcp_pernet(net)->sysctl_keepalive_time) * HZ;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_keepalive_time);

/**
 * xtcp_keepalive_intvl - time between keepalive probes, like keepalive_intvl_when()
 * @xs: the socket
 *
 * Context: any.
 * Return: jiffies (TCP_KEEPINTVL, else net.xtcp.keepalive_intvl).
 */
u32 xtcp_keepalive_intvl(const struct xtcp_sock *xs)
{
	struct net *net = sock_net((const struct sock *)xs);

	return READ_ONCE(xs->keepalive_intvl) ?:
	       READ_ONCE(xtcp_pernet(net)->sysctl_keepalive_intvl) * HZ;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_keepalive_intvl);

/**
 * xtcp_keepalive_probes - unanswered probes before the peer is dead, like
 * keepalive_probes()
 * @xs: the socket
 *
 * Context: any.
 * Return: TCP_KEEPCNT, else net.xtcp.keepalive_probes.
 */
int xtcp_keepalive_probes(const struct xtcp_sock *xs)
{
	struct net *net = sock_net((const struct sock *)xs);

	return READ_ONCE(xs->keepalive_probes) ?:
	       READ_ONCE(xtcp_pernet(net)->sysctl_keepalive_probes);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_keepalive_probes);

/**
 * xtcp_keepalive_when - the keepalive schedule, like the heart of tcp_keepalive_timer()
 * @xs: the socket
 * @idle: jiffies since the peer was last heard from
 * @dead: set if the peer is to be taken for dead now
 *
 * Until TCP_KEEPIDLE of silence, wait for the rest of it; then probe every
 * TCP_KEEPINTVL, and give up after TCP_KEEPCNT unanswered probes (or, with
 * TCP_USER_TIMEOUT, once that long passed with a probe unanswered).
 *
 * Context: any, socket locked.
 * Return: jiffies until the timer should fire next, when *@dead is false; if it
 * returns non-zero with *@dead false after @idle reached TCP_KEEPIDLE, a probe is due.
 */
u32 xtcp_keepalive_when(const struct xtcp_sock *xs, u32 idle, bool *dead)
{
	u32 keepidle = xtcp_keepalive_time(xs), user_timeout = READ_ONCE(xs->user_timeout);

	*dead = false;
	if (idle < keepidle)
		return keepidle - idle;
	if (user_timeout)
		*dead = idle >= msecs_to_jiffies(user_timeout) && xs->probes_out > 0;
	else
		*dead = xs->probes_out >= xtcp_keepalive_probes(xs);
	return *dead ? 0 : xtcp_keepalive_intvl(xs);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_keepalive_when);

/**
 * xtcp_reset_keepalive_timer - (re)arm sk->sk_timer @len jiffies from now
 * @sk: the socket
 * @len: the timeout
 *
 * Context: any, socket locked.
 */
void xtcp_reset_keepalive_timer(struct sock *sk, unsigned long len)
{
	sk_reset_timer(sk, &sk->sk_timer, jiffies + len);
}

/**
 * xtcp_delete_keepalive_timer - stop sk->sk_timer
 * @sk: the socket
 *
 * Context: any, socket locked.
 */
void xtcp_delete_keepalive_timer(struct sock *sk)
{
	sk_stop_timer(sk, &sk->sk_timer);
}

/*
 * sk->sk_timer, like tcp_keepalive_timer(); timer context.  For an orphan in FIN_WAIT2
 * it is the end of waiting for the peer's FIN: the socket goes, without a word, as
 * Linux's FIN_WAIT2 TIME_WAIT minisocket does.  Otherwise it is the keepalive timer: a
 * connection quiet for TCP_KEEPIDLE is probed with an ACK for an old sequence number
 * (the peer answers with an ACK, which resets the count); unanswered probes end it
 * with ETIMEDOUT (and a RST, in case the peer is alive after all).
 */
static void xtcp_keepalive_timer(struct timer_list *t)
{
	struct sock *sk = timer_container_of(sk, t, sk_timer);
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 when;
	bool dead;

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk)) {
		xtcp_reset_keepalive_timer(sk, XTCP_DEFER);
		goto out;
	}
	if (sk->sk_state == TCP_FIN_WAIT2 && sock_flag(sk, SOCK_DEAD)) {
		xtcp_done(sk);
		goto out;
	}
	if (!sock_flag(sk, SOCK_KEEPOPEN) ||
	    (1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN | TCPF_SYN_SENT | TCPF_SYN_RECV))
		goto out;
	if (xs->packets_out || skb_peek(&sk->sk_write_queue)) {
		/* data in flight: the retransmission timer watches the peer */
		xtcp_reset_keepalive_timer(sk, xtcp_keepalive_intvl(xs));
		goto out;
	}
	when = xtcp_keepalive_when(xs, tcp_jiffies32 - READ_ONCE(xs->rcv_tstamp), &dead);
	if (dead) {
		xtcp_send_active_reset(sk);
		xtcp_write_err(sk);
		goto out;
	}
	if (tcp_jiffies32 - xs->rcv_tstamp >= xtcp_keepalive_time(xs)) {
		xtcp_transmit_ctl(sk, TCPHDR_ACK, xs->snd_una - 1);
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_KEEPALIVEPROBES);
		xs->probes_out++;
	}
	xtcp_reset_keepalive_timer(sk, when);
out:
	bh_unlock_sock(sk);
	sock_put(sk);
}

/**
 * xtcp_write_timer_handler - the retransmit timer's event (SYN, RTO, zero-window
 * probe, RACK's reordering window or the tail-loss probe), like
 * tcp_write_timer_handler()
 * @sk: the socket, locked and not in use by a process
 *
 * Nothing is done before the event is due: the timer may have been re-armed for later
 * (an ACK came) while its callback waited for the socket's lock, or while the socket's
 * owner kept it (xtcp_release_cb() runs after the backlog's ACKs).
 *
 * Context: timer, or process from release_sock() (xtcp_release_cb()), socket locked.
 */
void xtcp_write_timer_handler(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u8 what = xs->pending;

	if (((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN)) || !what)
		return;
	if (time_after(xs->timeout, jiffies)) {
		sk_reset_timer(sk, &xs->retransmit_timer, xs->timeout);
		return;
	}
	WRITE_ONCE(xs->pending, 0);
	if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV))
		xtcp_syn_retransmit(sk);
	else if (what == XTCP_TIME_PROBE0)
		xtcp_send_probe0(sk);
	else if (what == XTCP_TIME_RETRANS)
		xtcp_rto_expired(sk);
	else if (what == XTCP_TIME_REO)
		xtcp_rack_reo_timeout(sk);
	else if (what == XTCP_TIME_LOSS_PROBE)
		xtcp_send_loss_probe(sk);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_write_timer_handler);

/* The retransmit timer of a full socket, like tcp_write_timer(); timer context. */
static void xtcp_retransmit_timer(struct timer_list *t)
{
	struct xtcp_sock *xs = timer_container_of(xs, t, retransmit_timer);
	struct sock *sk = (struct sock *)xs;

	bh_lock_sock(sk);
	if (!sock_owned_by_user(sk))
		xtcp_write_timer_handler(sk);
	else if (!test_and_set_bit(XTCP_WRITE_TIMER_DEFERRED, &sk->sk_tsq_flags))
		sock_hold(sk);		/* xtcp_release_cb() does it */
	bh_unlock_sock(sk);
	sock_put(sk);
}

/*
 * Pacing let the next segment go: send what the windows allow (tcp_tsq_write()).
 * Context: softirq (the pacing timer) or process from release_sock(), socket locked.
 */
static void xtcp_pace_send(struct sock *sk)
{
	xtcp_write_xmit(sk, xtcp_sk(sk)->nonagle);
}

/* The pacing timer, like tcp_pace_kick(); softirq context (a soft hrtimer). */
static enum hrtimer_restart xtcp_pace_kick(struct hrtimer *timer)
{
	struct xtcp_sock *xs = container_of(timer, struct xtcp_sock, pacing_timer);
	struct sock *sk = (struct sock *)xs;

	bh_lock_sock(sk);
	if (!sock_owned_by_user(sk))
		xtcp_pace_send(sk);
	else if (!test_and_set_bit(XTCP_PACE_DEFERRED, &sk->sk_tsq_flags))
		sock_hold(sk);		/* xtcp_release_cb() sends */
	bh_unlock_sock(sk);
	sock_put(sk);		/* xtcp_pacing_check()'s */
	return HRTIMER_NORESTART;
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

/**
 * xtcp_delack_timer_handler - the delayed ACK is due: send it if still owed, like
 * tcp_delack_timer_handler()
 * @sk: the socket, locked and not in use by a process
 *
 * Context: timer, or process from release_sock() (xtcp_release_cb()), socket locked.
 */
void xtcp_delack_timer_handler(struct sock *sk)
{
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN)) || !xs->ack_pending)
		return;
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_DELAYEDACKS);
	xtcp_send_ack(sk);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_delack_timer_handler);

/* The delayed-ACK timer, like tcp_delack_timer(); timer context. */
static void xtcp_delack_timer(struct timer_list *t)
{
	struct xtcp_sock *xs = timer_container_of(xs, t, delack_timer);
	struct sock *sk = (struct sock *)xs;

	bh_lock_sock(sk);
	if (!sock_owned_by_user(sk))
		xtcp_delack_timer_handler(sk);
	else if (!test_and_set_bit(XTCP_DELACK_TIMER_DEFERRED, &sk->sk_tsq_flags))
		sock_hold(sk);		/* xtcp_release_cb() sends it */
	bh_unlock_sock(sk);
	sock_put(sk);
}

/**
 * xtcp_release_cb - what the timers found the socket in use for, done when its owner
 * lets it go, like tcp_release_cb() (struct proto .release_cb)
 * @sk: the socket
 *
 * release_sock() calls it once the backlog is processed, so a retransmit timer that
 * fired meanwhile sees the ACKs that arrived meanwhile (they re-armed it for later,
 * or stopped it): a busy sender makes no spurious probe or retransmission, and a
 * real one goes at once instead of after a retry delay.  A delayed ACK still owed
 * goes now, a lower path MTU an ICMP reported meanwhile is taken, what the pacing
 * timer or the small-queue tasklet (xtcp_wfree()) could not send goes, and last the
 * one ACK the backlog's segments owe (net.xtcp.backlog_ack_defer).
 *
 * Context: process, from release_sock(): the socket still owned, its spinlock held,
 * bottom halves off.
 */
void xtcp_release_cb(struct sock *sk)
{
	/* as tcp_release_cb(); the callbacks set the bits under sk_lock.slock, held here */
	unsigned long flags = smp_load_acquire(&sk->sk_tsq_flags), nflags;
	struct xtcp_sock *xs = xtcp_sk(sk);

	do {
		if (!(flags & XTCPF_DEFERRED_ALL))
			break;		/* no bit to clear: only the ACK below */
		nflags = flags & ~XTCPF_DEFERRED_ALL;
	} while (!try_cmpxchg(&sk->sk_tsq_flags, &flags, nflags));

	if (flags & XTCPF_WRITE_TIMER_DEFERRED) {
		xtcp_write_timer_handler(sk);
		__sock_put(sk);
	}
	if (flags & XTCPF_DELACK_TIMER_DEFERRED) {
		xtcp_delack_timer_handler(sk);
		__sock_put(sk);
	}
	if (flags & XTCPF_MTU_REDUCED_DEFERRED) {
		xtcp_sk(sk)->af_ops->mtu_reduced(sk);
		__sock_put(sk);
	}
	if (flags & XTCPF_PACE_DEFERRED) {
		xtcp_pace_send(sk);
		__sock_put(sk);
	}
	if (flags & XTCPF_TSQ_DEFERRED) {
		xtcp_pace_send(sk);	/* packets below left: send (tcp_tsq_write()) */
		__sock_put(sk);
	}
	/* the ACK the backlog's segments owe (xtcp_ack_snd_check()): one for them all */
	if (xs->ack_deferred && sk->sk_state != TCP_CLOSE && sk->sk_state != TCP_LISTEN)
		xtcp_send_ack(sk);
	xs->ack_deferred = 0;
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
	timer_setup(&sk->sk_timer, xtcp_keepalive_timer, 0);
	xtcp_hrtimer_setup(&xs->pacing_timer, xtcp_pace_kick, CLOCK_MONOTONIC,
			   HRTIMER_MODE_ABS_PINNED_SOFT);
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
	sk_stop_timer(sk, &sk->sk_timer);
	if (hrtimer_try_to_cancel(&xs->pacing_timer) == 1)
		__sock_put(sk);	/* the reference of the queued timer */
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_clear_xmit_timers);

/*
 * Run a request's timer again in @delay jiffies - unless it was unlinked meanwhile (its
 * handshake completed on another CPU, which found the timer running, not pending, and
 * left its reference to us).  Return whether it runs again.
 */
static bool xtcp_reqsk_rearm(struct sock *listener, struct xtcp_request_sock *req,
			     unsigned long delay)
{
	struct xtcp_sock *xl = xtcp_sk(listener);
	bool armed;

	spin_lock_bh(&xl->queue_lock);
	armed = !req->unlinked;
	if (armed)
		mod_timer(&req->timer, jiffies + delay);
	spin_unlock_bh(&xl->queue_lock);
	return armed;
}

/**
 * xtcp_reqsk_timer_handler - re-send a request's SYN-ACK, or drop the request once
 * net.xtcp.synack_retries re-sends went unanswered (like reqsk_timer_handler())
 * @t: the request's timer
 *
 * Backoff: 1 s, 2 s, 4 s ... (RFC 6298 2.5 applied to the SYN-ACK).  Under the
 * listener's TCP_DEFER_ACCEPT (d timeouts) a request whose ACK came (@req->acked) lives
 * d timeouts at least, re-sending nothing while it waits for data but at the last,
 * whose SYN-ACK draws the ACK that then makes the child (syn_ack_recalc()).
 *
 * Context: timer; takes the listener's socket lock.
 */
void xtcp_reqsk_timer_handler(struct timer_list *t)
{
	struct xtcp_request_sock *req = timer_container_of(req, t, timer);
	struct sock *listener = req->listener;
	int max = READ_ONCE(xtcp_pernet(sock_net(listener))->sysctl_synack_retries);
	int defer = READ_ONCE(xtcp_sk(listener)->defer_accept);
	bool resend = true;

	bh_lock_sock(listener);
	if (READ_ONCE(req->unlinked))
		goto out;
	if (sock_owned_by_user(listener)) {
		if (!xtcp_reqsk_rearm(listener, req, XTCP_DEFER))
			goto out;
		bh_unlock_sock(listener);
		return;		/* the pending timer keeps its reference */
	}
	if (defer)
		resend = !req->acked || req->num_retrans >= defer - 1;
	if (req->num_retrans >= max && (!defer || !req->acked || req->num_retrans >= defer)) {
		xtcp_reqsk_queue_drop(listener, req);
		goto out;
	}
	if (!xtcp_reqsk_rearm(listener, req,
			      xtcp_backoff(XTCP_TIMEOUT_INIT, req->num_retrans + 1, XTCP_RTO_MAX)))
		goto out;
	WRITE_ONCE(req->num_retrans, req->num_retrans + 1);
	if (resend) {
		XTCP_INC_STATS(sock_net(listener), XTCP_MIB_SYNACKRETRANS);
		trace_xtcp_retransmit_synack(&req->common, req->num_retrans);
		xtcp_send_synack(listener, req);
	}
	bh_unlock_sock(listener);
	return;
out:
	bh_unlock_sock(listener);
	xtcp_reqsk_put(req);
}
