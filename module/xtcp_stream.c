// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: the byte stream seen from a process - sendmsg, recvmsg, ioctl - like
 * tcp_sendmsg_locked(), tcp_recvmsg_locked(), tcp_cleanup_rbuf() and tcp_ioctl() in
 * net/ipv4/tcp.c.
 *
 * sendmsg copies the data into segments of the write queue (page fragments, one
 * segment per MSS, cut again only when the peer's window shrinks below one) and lets
 * xtcp_write_xmit() send what the windows allow.  recvmsg copies from the receive
 * queue, where segments sit in order, and tells the peer when reading opened the
 * window.  Memory is charged to the socket (sk_wmem_queued, sk_rmem_alloc) and to
 * xtcp's total (net.xtcp.mem).
 *
 * Every function here runs in process context, from a system call; the socket lock is
 * held (lock_sock()), so segments arriving meanwhile wait in the socket's backlog and
 * are processed by release_sock().
 */
#include <asm/ioctls.h>
#include <linux/sched/signal.h>
#include <linux/sockios.h>
#include <net/inet_common.h>
#include <net/sock.h>
#include "xtcp.h"

/* A segment left empty by a failed copy must not be sent (tcp_remove_empty_skb()). */
static void xtcp_remove_empty_skb(struct sock *sk)
{
	struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);

	if (skb && !skb->len) {
		__skb_unlink(skb, &sk->sk_write_queue);
		xtcp_wmem_free_skb(sk, skb);
	}
}

/* A new segment for the write queue, charged to the socket; NULL if out of memory. */
static struct sk_buff *xtcp_stream_alloc_skb(struct sock *sk)
{
	struct sk_buff *skb;

	if (!sk_stream_memory_free(sk))
		return NULL;
	skb = alloc_skb(XTCP_MAX_HEADER, sk->sk_allocation);
	if (!skb)
		return NULL;
	if (!sk_wmem_schedule(sk, skb->truesize)) {
		__kfree_skb(skb);
		return NULL;
	}
	skb_reserve(skb, XTCP_MAX_HEADER);
	sk_wmem_queued_add(sk, skb->truesize);
	sk_mem_charge(sk, skb->truesize);
	return skb;
}

/* Copy up to @copy bytes from @msg into page fragments of @skb; 0 if out of memory. */
static int xtcp_copy_to_skb(struct sock *sk, struct msghdr *msg, struct sk_buff *skb,
			    int copy, int *err)
{
	struct page_frag *pfrag = sk_page_frag(sk);
	int i = skb_shinfo(skb)->nr_frags;
	bool merge;

	*err = 0;
	if (!sk_page_frag_refill(sk, pfrag))
		return 0;
	merge = skb_can_coalesce(skb, i, pfrag->page, pfrag->offset);
	if (!merge && i >= xtcp_max_skb_frags())
		return -1;	/* full: the caller starts another segment */
	copy = min_t(int, copy, pfrag->size - pfrag->offset);
	if (!sk_wmem_schedule(sk, copy))
		return 0;
	*err = skb_copy_to_page_nocache(sk, &msg->msg_iter, skb, pfrag->page,
					pfrag->offset, copy);
	if (*err)
		return 0;
	if (merge) {
		skb_frag_size_add(&skb_shinfo(skb)->frags[i - 1], copy);
	} else {
		skb_fill_page_desc(skb, i, pfrag->page, pfrag->offset, copy);
		page_ref_inc(pfrag->page);
	}
	pfrag->offset += copy;
	return copy;
}

/*
 * The peer's receiver should pass data on at least every half of the largest window
 * it offered: has sendmsg() gone that far since the last PSH (forced_push())?
 */
static bool xtcp_forced_push(const struct xtcp_sock *xs)
{
	return after(xs->write_seq, xs->pushed_seq + (xs->max_window >> 1));
}

/* PSH on @skb, the last data written so far (tcp_mark_push()). */
static void xtcp_mark_push(struct xtcp_sock *xs, struct sk_buff *skb)
{
	XTCP_SKB_CB(skb)->flags |= TCPHDR_PSH;
	xs->pushed_seq = xs->write_seq;
}

/*
 * The end of what one sendmsg() wrote, like tcp_push(): the last segment of the write
 * queue carries PSH unless MSG_MORE promises more (or the peer has gone half its
 * largest window without one); then whatever the windows and @nonagle allow goes.
 */
static void xtcp_sendmsg_push(struct sock *sk, int flags, int nonagle)
{
	struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);
	struct xtcp_sock *xs = xtcp_sk(sk);

	if (!skb)
		return;
	if (!(flags & MSG_MORE) || xtcp_forced_push(xs))
		xtcp_mark_push(xs, skb);
	xtcp_write_xmit(sk, nonagle | (flags & MSG_MORE ? XTCP_NAGLE_CORK : 0));
}

/**
 * xtcp_splice_eof - sendfile()/splice() with SPLICE_F_MORE has no more to give: send
 * its tail, which MSG_MORE held back (struct proto_ops .splice_eof), like
 * inet_splice_eof() + tcp_splice_eof()
 * @sock: the socket
 *
 * Context: process.
 */
void xtcp_splice_eof(struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (!skb_peek_tail(&sk->sk_write_queue))
		return;
	lock_sock(sk);
	xtcp_sendmsg_push(sk, 0, xtcp_sk(sk)->nonagle);
	release_sock(sk);
}

/**
 * xtcp_stream_memory_free - may a writer queue more? (struct proto
 * .stream_memory_free), like tcp_stream_memory_free()
 * @sk: the socket
 * @wake: 1 when poll() or an ACK decides whether to wake a writer: then fewer than
 *	half the limit must wait, so that it is not woken for a few bytes
 *
 * The send buffer's room is checked by the caller (sk_stream_memory_free()); here the
 * unsent bytes against TCP_NOTSENT_LOWAT, or net.xtcp.notsent_lowat.
 *
 * Context: any; reads the socket without its lock.
 * Return: whether the unsent bytes are below the limit.
 */
bool xtcp_stream_memory_free(const struct sock *sk, int wake)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	u32 notsent = READ_ONCE(xs->write_seq) - READ_ONCE(xs->snd_nxt);
	u32 lowat = READ_ONCE(xs->notsent_lowat) ?:
		    READ_ONCE(xtcp_pernet(sock_net(sk))->sysctl_notsent_lowat);

	return ((u64)notsent << wake) < lowat;
}

/**
 * xtcp_sendmsg - send(2), write(2), sendfile(2) on an xtcp socket, like
 * tcp_sendmsg()
 * @sk: the socket
 * @msg: the data and flags (MSG_DONTWAIT, MSG_NOSIGNAL, MSG_MORE; MSG_OOB is refused)
 * @size: bytes in @msg
 *
 * Blocks while the send buffer (SO_SNDBUF) is full, up to SO_SNDTIMEO; a connection
 * still being set up is waited for.  A signal or the timeout after some data was taken
 * returns the count taken so far.  PSH goes on the segment holding the last byte of
 * the call (none with MSG_MORE), and on one at least every half of the peer's largest
 * window, as tcp_sendmsg_locked() places it: a receiver's GRO glues segments up to it.
 *
 * Context: process.
 * Return: bytes taken, or -EAGAIN, -EPIPE (with SIGPIPE unless MSG_NOSIGNAL),
 * -ECONNRESET (once, after a reset), -EINTR, -EOPNOTSUPP (MSG_OOB), -ENOTCONN.
 */
int xtcp_sendmsg(struct sock *sk, struct msghdr *msg, size_t size)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	int flags = msg->msg_flags, copied = 0, err = 0;
	bool frags_full = false;
	unsigned int goal;
	long timeo;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;	/* no urgent data in xtcp */
	lock_sock(sk);
	timeo = sock_sndtimeo(sk, flags & MSG_DONTWAIT);
	if ((1 << sk->sk_state) & ~(TCPF_ESTABLISHED | TCPF_CLOSE_WAIT)) {
		err = sk_stream_wait_connect(sk, &timeo);
		if (err)
			goto do_error;
	}
	sk_clear_bit(SOCKWQ_ASYNC_NOSPACE, sk);
	err = -EPIPE;
	if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN))
		goto do_error;
	err = 0;

	while (msg_data_left(msg)) {
		struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);
		int copy, n;

		goal = xtcp_gso_goal(sk, xtcp_size_goal(sk));
		copy = skb ? (int)goal - (int)skb->len : 0;
		if (copy <= 0 || frags_full) {
			skb = xtcp_stream_alloc_skb(sk);
			if (!skb)
				goto wait_for_space;
			XTCP_SKB_CB(skb)->seq = xs->write_seq;
			XTCP_SKB_CB(skb)->end_seq = xs->write_seq;
			XTCP_SKB_CB(skb)->flags = TCPHDR_ACK;
			XTCP_SKB_CB(skb)->sacked = 0;
			__skb_queue_tail(&sk->sk_write_queue, skb);
			copy = goal;
			frags_full = false;
		}
		copy = min_t(size_t, copy, msg_data_left(msg));
		n = xtcp_copy_to_skb(sk, msg, skb, copy, &err);
		if (n < 0) {		/* no room for another fragment: a new segment */
			xtcp_mark_push(xs, skb);	/* as tcp_sendmsg_locked() */
			frags_full = true;
			continue;
		}
		if (err)
			goto do_error;
		if (!n)
			goto wait_for_space;
		if (!copied)	/* a PSH of an earlier call moves to this one's end */
			XTCP_SKB_CB(skb)->flags &= ~TCPHDR_PSH;
		WRITE_ONCE(xs->write_seq, xs->write_seq + n);
		XTCP_SKB_CB(skb)->end_seq += n;
		XTCP_SKB_CB(skb)->pcount = 0;	/* counted anew when it goes */
		copied += n;
		if (!msg_data_left(msg))
			break;		/* the last piece: xtcp_sendmsg_push() marks and sends it */
		if (skb->len < goal)
			continue;
		/* a full segment goes at once (tcp_push_one()) */
		if (xtcp_forced_push(xs)) {
			xtcp_mark_push(xs, skb);
			xtcp_write_xmit(sk, xs->nonagle | XTCP_NAGLE_PUSH);
		} else {
			xtcp_write_xmit(sk, xs->nonagle);
		}
		continue;

wait_for_space:
		set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		xtcp_remove_empty_skb(sk);
		if (copied)
			xtcp_sendmsg_push(sk, flags & ~MSG_MORE, xs->nonagle | XTCP_NAGLE_PUSH);
		err = sk_stream_wait_memory(sk, &timeo);
		if (err)
			goto do_error;
	}
	xtcp_sendmsg_push(sk, flags, xs->nonagle);
	release_sock(sk);
	return copied;

do_error:
	xtcp_remove_empty_skb(sk);
	if (copied) {
		xtcp_sendmsg_push(sk, flags, xs->nonagle);
		release_sock(sk);
		return copied;
	}
	err = sk_stream_error(sk, flags, err);
	release_sock(sk);
	return err;
}

/**
 * xtcp_inq - bytes received and not yet read, like tcp_inq()
 * @sk: the socket
 *
 * rcv_nxt counts the peer's FIN once it came (SOCK_DONE); the FIN is not data.
 *
 * Context: any.
 * Return: the count.
 */
int xtcp_inq(const struct sock *sk)
{
	const struct xtcp_sock *xs = xtcp_sk(sk);
	int avail = READ_ONCE(xs->rcv_nxt) - READ_ONCE(xs->copied_seq);

	if (avail > 0 && sock_flag(sk, SOCK_DONE))
		avail--;
	return max(avail, 0);
}

/**
 * xtcp_stream_readable - is there at least @target bytes to read?
 * @sk: the socket
 * @target: bytes wanted (SO_RCVLOWAT)
 *
 * Context: any.
 * Return: true if so.
 */
bool xtcp_stream_readable(const struct sock *sk, int target)
{
	int avail = xtcp_inq(sk);

	return avail > 0 && avail >= target;
}

/**
 * xtcp_cleanup_rbuf - after reading: tell the peer if its window grew a lot, like
 * tcp_cleanup_rbuf()
 * @sk: the socket, locked
 * @copied: bytes just read
 *
 * An owed ACK goes now if more than one full segment waits for it; a window update
 * goes if reading (at least) doubled what the peer may send (RFC 9293 3.8.6.2.2: the
 * receiver's side of silly-window avoidance), which also reopens a zero window.
 *
 * Context: process, socket locked.
 */
void xtcp_cleanup_rbuf(struct sock *sk, int copied)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	bool time_to_ack = false;

	if (!((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_FIN_WAIT1 | TCPF_FIN_WAIT2)))
		return;		/* the peer sends no more: no window to tell */
	if (xs->ack_pending && xs->rcv_nxt - xs->rcv_wup > xs->rcv_mss)
		time_to_ack = true;
	if (copied > 0 && xs->rcv_dropped) {	/* we dropped data for lack of room */
		xs->rcv_dropped = 0;
		time_to_ack = true;
	}
	if (copied > 0 && !time_to_ack && !(sk->sk_shutdown & RCV_SHUTDOWN)) {
		u32 now = xtcp_receive_window(xs), win = xtcp_window_now(sk);

		if (win && win >= 2 * now)
			time_to_ack = true;
	}
	if (time_to_ack)
		xtcp_send_ack(sk);
}

/*
 * Sleep until data comes (the receive queue has another last segment, or data was
 * appended to it: rcv_nxt moved), receiving shuts down, an error comes (a RST), the
 * timeout or a signal, like sk_wait_data() - which watches the queue only: a RST or a
 * FIN without data would not end its wait.
 */
static void xtcp_wait_data(struct sock *sk, long *timeo, const struct sk_buff *last)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	u32 rcv_nxt = xtcp_sk(sk)->rcv_nxt;

	add_wait_queue(sk_sleep(sk), &wait);
	sk_set_bit(SOCKWQ_ASYNC_WAITDATA, sk);
	sk_wait_event(sk, timeo, skb_peek_tail(&sk->sk_receive_queue) != last ||
		      READ_ONCE(xtcp_sk(sk)->rcv_nxt) != rcv_nxt ||
		      (READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN) || READ_ONCE(sk->sk_err),
		      &wait);
	sk_clear_bit(SOCKWQ_ASYNC_WAITDATA, sk);
	remove_wait_queue(sk_sleep(sk), &wait);
}

/**
 * xtcp_recvmsg - recv(2), read(2) on an xtcp socket, like tcp_recvmsg()
 * @sk: the socket
 * @msg: where the data goes
 * @len: bytes wanted
 * @flags: MSG_DONTWAIT, MSG_PEEK, MSG_WAITALL, MSG_TRUNC (discard), MSG_ERRQUEUE;
 *	MSG_OOB fails with EINVAL, as TCP's without urgent data
 *
 * Returns once SO_RCVLOWAT bytes (all @len with MSG_WAITALL) were read, or at the
 * timeout (SO_RCVTIMEO), a signal or an error with what was read so far.  With TCP_INQ
 * a control message (SOL_TCP, TCP_CM_INQ) tells the bytes left, as tcp_inq_hint().
 *
 * Context: process.
 * Return: bytes read; -EAGAIN, -EINTR, -ENOTCONN, -EINVAL, or a pending error
 * (-ECONNRESET after a reset) if nothing was read.
 */
int xtcp_recvmsg(struct sock *sk, struct msghdr *msg, size_t len, int flags)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	u32 peek_seq, *seq;
	int copied = 0, target, err;
	long timeo;

	if (flags & MSG_ERRQUEUE)
		return xtcp_recv_error(sk, msg, len);
	if (flags & MSG_OOB)
		return -EINVAL;
	lock_sock(sk);
	err = -ENOTCONN;
	if (sk->sk_state == TCP_LISTEN)
		goto out;
	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	seq = &xs->copied_seq;
	if (flags & MSG_PEEK) {
		peek_seq = xs->copied_seq;
		seq = &peek_seq;
	}
	target = sock_rcvlowat(sk, flags & MSG_WAITALL, len);

	do {
		struct sk_buff *skb, *last = skb_peek_tail(&sk->sk_receive_queue);
		u32 offset = 0;
		size_t used;

		skb_queue_walk(&sk->sk_receive_queue, skb) {
			offset = *seq - XTCP_SKB_CB(skb)->seq;
			if (offset < skb->len)
				goto found_ok_skb;
		}
		if (copied >= target && !READ_ONCE(sk->sk_backlog.tail))
			break;
		if (copied) {
			if (sk->sk_err || sk->sk_state == TCP_CLOSE ||
			    (sk->sk_shutdown & RCV_SHUTDOWN) || !timeo || signal_pending(current))
				break;
		} else {
			if (sock_flag(sk, SOCK_DONE))
				break;
			if (sk->sk_err) {
				copied = sock_error(sk);
				break;
			}
			if (sk->sk_shutdown & RCV_SHUTDOWN)
				break;
			if (sk->sk_state == TCP_CLOSE) {
				copied = -ENOTCONN;
				break;
			}
			if (!timeo) {
				copied = -EAGAIN;
				break;
			}
			if (signal_pending(current)) {
				copied = sock_intr_errno(timeo);
				break;
			}
		}
		xtcp_cleanup_rbuf(sk, copied);
		if (copied >= target) {
			release_sock(sk);	/* process the backlog, then look again */
			lock_sock(sk);
		} else {
			xtcp_wait_data(sk, &timeo, last);
		}
		continue;

found_ok_skb:
		used = min_t(size_t, skb->len - offset, len);
		if (!(flags & MSG_TRUNC)) {
			err = skb_copy_datagram_msg(skb, offset, msg, used);
			if (err) {
				if (!copied)
					copied = -EFAULT;
				break;
			}
		}
		WRITE_ONCE(*seq, *seq + used);
		copied += used;
		len -= used;
		if (!(flags & MSG_PEEK))
			xtcp_rcv_space_adjust(sk);
		if (used + offset < skb->len)
			continue;
		if (!(flags & MSG_PEEK))
			sk_eat_skb(sk, skb);
	} while (len > 0);

	if (!(flags & MSG_PEEK))
		xtcp_cleanup_rbuf(sk, copied);
	release_sock(sk);
	if ((xs->recvmsg_inq || msg->msg_get_inq) && copied >= 0) {
		/*
		 * TCP_INQ (or io_uring asking): what is left once the backlog was processed,
		 * the peer's FIN counted - 1 once only it is left (tcp_inq_hint())
		 */
		msg->msg_inq = READ_ONCE(xs->rcv_nxt) - READ_ONCE(xs->copied_seq);
		if (xs->recvmsg_inq)
			put_cmsg(msg, SOL_TCP, TCP_CM_INQ, sizeof(msg->msg_inq), &msg->msg_inq);
	}
	return copied;
out:
	release_sock(sk);
	return err;
}

/**
 * xtcp_ioctl - SIOCINQ (FIONREAD), SIOCOUTQ (TIOCOUTQ) and SIOCOUTQNSD, like tcp_ioctl()
 * @sk: the socket
 * @cmd: the ioctl
 * @karg: the answer
 *
 * SIOCINQ: bytes received and not read; SIOCOUTQ: bytes queued and not yet ACKed;
 * SIOCOUTQNSD: bytes queued and not yet sent.  A listener answers EINVAL.
 *
 * Context: process.
 * Return: 0, -EINVAL, or -ENOIOCTLCMD for other commands.
 */
int xtcp_ioctl(struct sock *sk, int cmd, int *karg)
{
	struct xtcp_sock *xs = xtcp_sk(sk);
	int answ;

	switch (cmd) {
	case SIOCINQ:
	case SIOCOUTQ:
	case SIOCOUTQNSD:
		break;
	default:
		return -ENOIOCTLCMD;
	}
	if (sk->sk_state == TCP_LISTEN)
		return -EINVAL;
	lock_sock(sk);
	if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV))
		answ = 0;
	else if (cmd == SIOCINQ)
		answ = xtcp_inq(sk);
	else if (cmd == SIOCOUTQ)
		answ = xs->write_seq - xs->snd_una;
	else
		answ = xs->write_seq - xs->snd_nxt;
	release_sock(sk);
	*karg = max(answ, 0);
	return 0;
}
