// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: request minisockets - half-open connections - like net/ipv4/tcp_minisocks.c
 * (tcp_check_req, tcp_create_openreq_child, tcp_child_process) and the request-queue
 * parts of inet_connection_sock.c (inet_csk_reqsk_queue_hash_add, ..._drop).
 *
 * A SYN to a listener creates a struct xtcp_request_sock, not a full socket: it sits in
 * the established hash in state TCP_NEW_SYN_RECV and on its listener's syn_queue.  The
 * ACK that completes the handshake finds it, and only then is the full socket (the
 * child) made, put in the established hash in its place and on the accept queue.
 *
 * References on a request: one for the tables (established hash + syn_queue, dropped
 * together), one while its timer is pending, one per lookup in flight.  The last
 * xtcp_reqsk_put() frees it after an RCU grace period and releases the listener.
 * The syn_queue is protected by the listener's queue_lock.  A request's fields are set
 * before it is hashed and only read after, except those its timer keeps (under the
 * listener's socket lock) and last_oow_ack_time.  Its ACK is processed in softirq
 * without the listener's socket lock, as Linux does (xtcp_check_req()): when two
 * segments complete one handshake on two CPUs, the one whose child replaces the
 * request in the hash wins, the other finds that child by a new lookup.
 */
#include <linux/slab.h>
#include "xtcp.h"

static struct kmem_cache *xtcp_reqsk_cache __read_mostly;

/**
 * xtcp_reqsk_init - create the slab cache of request minisockets
 *
 * Context: process, module init.
 * Return: 0 or -ENOMEM.
 */
int xtcp_reqsk_init(void)
{
	xtcp_reqsk_cache = KMEM_CACHE(xtcp_request_sock, 0);
	return xtcp_reqsk_cache ? 0 : -ENOMEM;
}

/**
 * xtcp_reqsk_exit - destroy the cache, once every request is freed
 *
 * Context: process, module exit.
 */
void xtcp_reqsk_exit(void)
{
	rcu_barrier();	/* requests are freed by RCU callbacks */
	kmem_cache_destroy(xtcp_reqsk_cache);
}

/**
 * xtcp_reqsk_alloc - a new request for the SYN in @skb, like inet_reqsk_alloc()
 * @listener: the listener it arrived at (a reference is taken)
 * @skb: the SYN
 *
 * Context: softirq or process (backlog), listener locked.
 * Return: the request with one reference, or NULL.
 */
struct xtcp_request_sock *xtcp_reqsk_alloc(struct sock *listener, struct sk_buff *skb)
{
	const struct tcphdr *th = tcp_hdr(skb);
	struct xtcp_request_sock *req;

	req = kmem_cache_zalloc(xtcp_reqsk_cache, GFP_ATOMIC);
	if (!req)
		return NULL;
	req->common.skc_state = TCP_NEW_SYN_RECV;
	if (xtcp_skb_v6(skb)) {
		xtcp_v6_reqsk_init(req, listener, skb);
	} else {
		req->common.skc_family = AF_INET;
		req->common.skc_daddr = ip_hdr(skb)->saddr;
		req->common.skc_rcv_saddr = ip_hdr(skb)->daddr;
	}
	req->common.skc_dport = th->source;
	req->common.skc_num = ntohs(th->dest);
	req->common.skc_bound_dev_if = listener->sk_bound_dev_if;
	write_pnet(&req->common.skc_net, sock_net(listener));
	INIT_HLIST_NODE(&req->common.skc_node);
	INIT_HLIST_NODE(&req->syn_node);
	timer_setup(&req->timer, xtcp_reqsk_timer_handler, 0);
	refcount_set(&req->common.skc_refcnt, 1);
	sock_hold(listener);
	req->listener = listener;
	return req;
}

static void xtcp_reqsk_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(xtcp_reqsk_cache,
			container_of(head, struct xtcp_request_sock, rcu));
}

/**
 * xtcp_reqsk_put - drop a reference on a request; the last one frees it
 * @req: the request
 *
 * Context: any.
 */
void xtcp_reqsk_put(struct xtcp_request_sock *req)
{
	if (refcount_dec_and_test(&req->common.skc_refcnt)) {
		sock_put(req->listener);
		call_rcu(&req->rcu, xtcp_reqsk_free_rcu);
	}
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_reqsk_put);

/**
 * xtcp_reqsk_queue_hash_add - make a new request visible and start its SYN-ACK timer,
 * like inet_csk_reqsk_queue_hash_add()
 * @listener: its listener, locked
 * @req: the request
 *
 * Context: softirq or process (backlog), listener locked.
 */
void xtcp_reqsk_queue_hash_add(struct sock *listener, struct xtcp_request_sock *req)
{
	struct xtcp_sock *xl = xtcp_sk(listener);

	refcount_inc(&req->common.skc_refcnt);	/* the timer's, set before it can run */
	mod_timer(&req->timer, jiffies + XTCP_TIMEOUT_INIT);
	spin_lock_bh(&xl->queue_lock);
	hlist_add_head(&req->syn_node, &xl->syn_queue);
	WRITE_ONCE(xl->syn_qlen, xl->syn_qlen + 1);
	spin_unlock_bh(&xl->queue_lock);
	xtcp_ehash_insert(xtcp_req_to_sk(req), NULL, NULL);
}

/*
 * Take @req off its listener's queue and stop its timer; @hashed says whether it is
 * still in the established hash (a completed handshake already replaced it there).
 * Once only: whoever comes second (its timer, a RST, the listener closing, the ACK
 * that completes it) finds it unlinked.  Out of the hash first, whoever comes: a
 * request marked unlinked but still found would send the segment that found it
 * (its listener closing) back to the lookup forever, as a softirq on this CPU may
 * run between the two (Linux too unhashes first, reqsk_queue_unlink()).
 */
static void xtcp_reqsk_queue_unlink(struct sock *listener, struct xtcp_request_sock *req,
				    bool hashed)
{
	struct xtcp_sock *xl = xtcp_sk(listener);
	bool unlinked;

	if (hashed)
		xtcp_ehash_unlink(xtcp_req_to_sk(req));	/* takes no reference */
	spin_lock_bh(&xl->queue_lock);
	unlinked = req->unlinked;
	if (!unlinked) {
		WRITE_ONCE(req->unlinked, true);
		hlist_del_init(&req->syn_node);
		WRITE_ONCE(xl->syn_qlen, xl->syn_qlen - 1);
	}
	spin_unlock_bh(&xl->queue_lock);
	if (unlinked)
		return;
	xtcp_reqsk_put(req);		/* the tables' reference */
	if (timer_delete(&req->timer))
		xtcp_reqsk_put(req);	/* the pending timer's */
}

/**
 * xtcp_reqsk_queue_drop - forget a request, like inet_csk_reqsk_queue_drop()
 * @listener: its listener
 * @req: the request
 *
 * Context: softirq, timer or process.
 */
void xtcp_reqsk_queue_drop(struct sock *listener, struct xtcp_request_sock *req)
{
	xtcp_reqsk_queue_unlink(listener, req, true);
}

/**
 * xtcp_create_openreq_child - the full socket for a completed handshake, like
 * tcp_create_openreq_child() + inet_csk_clone_lock()
 * @sk: the listener (not locked)
 * @req: the request the handshake completed
 * @skb: the ACK that completed it
 *
 * The child is a copy of the listener (sk_clone_lock()) with the connection's
 * addresses, sequence numbers and negotiated options, in state SYN_RECV.
 *
 * Context: softirq or process (backlog).
 * Return: the child, locked (bh_lock_sock) with two references (the accept queue's
 * and the caller's), or NULL.
 */
struct sock *xtcp_create_openreq_child(const struct sock *sk,
				       struct xtcp_request_sock *req,
				       struct sk_buff *skb)
{
	struct sock *newsk = sk_clone_lock(sk, GFP_ATOMIC);
	struct inet_sock *newinet;
	struct xtcp_sock *newxs;

	if (!newsk)
		return NULL;
	/* the listener's deferred work and small-queue state are its own, not the child's */
	newsk->sk_tsq_flags = 0;
	newxs = xtcp_sk(newsk);
	newinet = inet_sk(newsk);
	/* first: the child's destructor drops a reference on its algorithm's module */
	xtcp_ca_openreq_child(newsk);

	inet_sk_set_state(newsk, TCP_SYN_RECV);
	newinet->inet_daddr = req->common.skc_daddr;
	newinet->inet_rcv_saddr = req->common.skc_rcv_saddr;
	newinet->inet_saddr = req->common.skc_rcv_saddr;
	if (newsk->sk_family == AF_INET6)	/* its IPv6 state and family operations */
		xtcp_v6_openreq_child(newsk, sk, req, skb);
	newinet->inet_dport = req->common.skc_dport;
	newinet->inet_num = req->common.skc_num;
	newinet->inet_sport = htons(req->common.skc_num);
	atomic_set(&newinet->inet_id, get_random_u16());
	newinet->mc_list = NULL;
	RCU_INIT_POINTER(newinet->inet_opt, NULL);

	newxs->bind_bucket = NULL;
	INIT_HLIST_NODE(&newxs->listen_node);
	spin_lock_init(&newxs->queue_lock);
	INIT_HLIST_HEAD(&newxs->syn_queue);
	newxs->syn_qlen = 0;
	newxs->accept_head = NULL;
	newxs->accept_tail = NULL;
	newxs->accept_next = NULL;
	newxs->defer_accept = 0;		/* a listener's, as its queues */
	xtcp_init_xmit_timers(newsk);
	newxs->rtx_queue = RB_ROOT;
	INIT_LIST_HEAD(&newxs->tsorted_sent_queue);
	newxs->retransmit_skb_hint = NULL;
	memset(newxs->recv_sack_cache, 0, sizeof(newxs->recv_sack_cache));
	skb_queue_head_init(&newxs->out_of_order_queue);
	newxs->ofo_last = NULL;
	xtcp_reset_conn_state(newxs);

	newxs->iss = req->snt_isn;
	newxs->snd_una = req->snt_isn + 1;
	newxs->snd_nxt = req->snt_isn + 1;
	newxs->rcv_nxt = req->rcv_isn + 1;
	newxs->rcv_wup = newxs->rcv_nxt;
	newxs->rcv_wnd = req->rcv_wnd;
	newxs->rcv_ssthresh = req->rcv_wnd;
	newxs->rx_opt.wscale_ok = req->wscale_ok;
	newxs->rx_opt.snd_wscale = req->wscale_ok ? req->snd_wscale : 0;
	newxs->rcv_wscale = req->wscale_ok ? req->rcv_wscale : 0;
	newxs->rx_opt.sack_ok = req->sack_ok;
	newxs->ecn_flags = req->ecn_ok ? XTCP_ECN_OK : 0;
	newxs->tstamp_ok = req->tstamp_ok;
	newxs->ts_recent = req->ts_recent;
	newxs->ts_recent_stamp = req->tstamp_ok ? ktime_get_seconds() : 0;
	newxs->tsoffset = xtcp_skc_ts_offset(&req->common);
	newxs->snd_wnd = ntohs(tcp_hdr(skb)->window) << newxs->rx_opt.snd_wscale;
	newxs->mss_cache = req->mss;
	newxs->rx_opt.mss_clamp = req->mss;	/* the bound of xtcp_sync_mss() */
	newxs->pmtu_cookie = 0;			/* synced at the first transmission */
	newxs->advmss = req->advmss;

	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_PASSIVEOPENS);
	return newsk;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_create_openreq_child);

/* A child that cannot be hashed: unlock and free it, like inet_csk_prepare_forced_close(). */
static void xtcp_child_discard(struct sock *newsk)
	__releases(&newsk->sk_lock.slock)
{
	xtcp_put_port(newsk);
	inet_sk_set_state(newsk, TCP_CLOSE);
	sock_set_flag(newsk, SOCK_DEAD);
	bh_unlock_sock(newsk);
	sock_put(newsk);
	sock_put(newsk);
}

/**
 * xtcp_syn_recv_sock - the child for a completed handshake, hashed and bound to the
 * listener's port, like tcp_v4_syn_recv_sock() and tcp_v6_syn_recv_sock()
 * @sk: the listener (locked only on the SYN cookie path)
 * @skb: the ACK
 * @req: the request (from the hash, or made from a SYN cookie)
 * @osk: what the child replaces in the established hash (the request), or NULL for a
 *	SYN cookie's child, which must not duplicate a connection hashed already
 * @own_req: set to false if the child lost its place in the hash: another CPU
 *	completed the same handshake first (or the request was dropped meanwhile), or a
 *	SYN cookie's connection exists already; true otherwise
 *
 * Context: softirq or process (backlog).
 * Return: the child, locked, or NULL if the accept queue is full (the ACK is then
 * dropped and a hashed request kept, so that a later ACK can still complete it), the
 * listener no longer holds its port, or the child did not take its place.
 */
struct sock *xtcp_syn_recv_sock(struct sock *sk, struct sk_buff *skb,
				struct xtcp_request_sock *req, struct sock *osk, bool *own_req)
{
	bool found_dup_sk = false;
	struct sock *newsk;

	*own_req = true;
	if (sk_acceptq_is_full(sk)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_LISTENOVERFLOWS);
		goto drop;
	}
	newsk = xtcp_create_openreq_child(sk, req, skb);
	if (!newsk)
		goto drop;
	__acquire(&newsk->sk_lock.slock);	/* for sparse: sk_clone_lock() took it */
	if (xtcp_inherit_port(sk, newsk)) {
		xtcp_child_discard(newsk);
		goto drop;
	}
	*own_req = xtcp_ehash_insert(newsk, osk, osk ? NULL : &found_dup_sk);
	if (!*own_req) {
		xtcp_child_discard(newsk);
		return NULL;	/* not a drop: the connection exists */
	}
	__release(&newsk->sk_lock.slock);
	return newsk;
drop:
	XTCP_INC_STATS(sock_net(sk), XTCP_MIB_LISTENDROPS);
	return NULL;
}

/*
 * PAWS for a request, like tcp_check_req()'s: the SYN's timestamp is its ts_recent,
 * taken (we do not keep when) no longer ago than its current SYN-ACK timeout, as Linux
 * estimates it.
 */
static bool xtcp_req_paws_reject(const struct xtcp_request_sock *req,
				 const struct sk_buff *skb)
{
	const struct tcphdr *th = tcp_hdr(skb);
	struct xtcp_options_received opt = {};

	if (!req->tstamp_ok || th->doff <= sizeof(*th) / 4)
		return false;
	xtcp_parse_options(th, th->doff * 4, &opt);
	return opt.saw_tstamp &&
	       xtcp_paws_reject(req->ts_recent,
				ktime_get_seconds() -
				xtcp_backoff(XTCP_TIMEOUT_INIT, READ_ONCE(req->num_retrans),
					     XTCP_RTO_MAX) / HZ,
				opt.rcv_tsval, th->rst);
}

/**
 * xtcp_check_req - process a segment for a request minisocket, like tcp_check_req()
 * @sk: the listener, not locked: this runs in softirq when the segment arrives, even
 *	while a process holds the listener (in accept() or a setsockopt)
 * @skb: the segment
 * @req: the request with the segment's 4-tuple (the caller holds a reference)
 * @req_stolen: set if the right ACK came, but another CPU completed the handshake
 *	first: the caller looks the segment's socket up again and finds that child
 *
 * RFC 9293 3.10.7.4 for SYN-RECEIVED: a retransmitted SYN gets the SYN-ACK again (at
 * most once per net.xtcp.invalid_ratelimit: xtcp_oow_rate_limited()); an
 * ACK of anything but our SYN is answered with a RST; a RST or SYN in the window drops
 * the request (a SYN also gets a RST); the right ACK creates the child, which takes
 * the request's place in the hash and goes on the accept queue - unless the listener's
 * TCP_DEFER_ACCEPT waits for data and it brings none: then it is dropped (the request
 * remembers it came) until its time is up (xtcp_reqsk_timer_handler()).
 *
 * Context: softirq.
 * Return: NULL if the segment is done with; @sk if the caller must answer it as the
 * listener (with a RST); otherwise the child, locked, with the caller's reference.
 */
struct sock *xtcp_check_req(struct sock *sk, struct sk_buff *skb,
			    struct xtcp_request_sock *req, bool *req_stolen)
{
	const struct xtcp_skb_cb *cb = XTCP_SKB_CB(skb);
	u8 flg = cb->flags & (TCPHDR_RST | TCPHDR_SYN | TCPHDR_ACK);
	bool paws_reject = xtcp_req_paws_reject(req, skb);
	struct sock *child;
	bool own_req;

	if (flg == TCPHDR_SYN && cb->seq == req->rcv_isn && !paws_reject) {
		/* the SYN again: the SYN-ACK again, at most one per invalid_ratelimit */
		if (!xtcp_oow_rate_limited(sock_net(sk), skb, XTCP_MIB_ACKSKIPPEDSYNRECV,
					   &req->last_oow_ack_time))
			xtcp_send_synack(sk, req);
		return NULL;
	}
	if ((flg & TCPHDR_ACK) && cb->ack_seq != req->snt_isn + 1)
		return sk;
	if (paws_reject) {
		/* an old segment: answered with the SYN-ACK, rate-limited, as Linux does */
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_PAWSESTAB);
		if (!(flg & TCPHDR_RST) &&
		    !xtcp_oow_rate_limited(sock_net(sk), skb, XTCP_MIB_ACKSKIPPEDSYNRECV,
					   &req->last_oow_ack_time))
			xtcp_send_synack(sk, req);
		return NULL;
	}
	if (!xtcp_between(req->rcv_isn + 1, cb->seq, req->rcv_isn + req->rcv_wnd))
		return NULL;
	if (flg & (TCPHDR_RST | TCPHDR_SYN)) {
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_ATTEMPTFAILS);
		if (!(flg & TCPHDR_RST))
			xtcp_send_reset(sock_net(sk), sk, skb);
		xtcp_reqsk_queue_drop(sk, req);
		return NULL;
	}
	if (!(flg & TCPHDR_ACK))
		return NULL;
	/* TCP_DEFER_ACCEPT: an ACK without data does not make the child yet */
	if (READ_ONCE(req->num_retrans) < READ_ONCE(xtcp_sk(sk)->defer_accept) &&
	    cb->end_seq == req->rcv_isn + 1) {
		req->acked = 1;
		XTCP_INC_STATS(sock_net(sk), XTCP_MIB_DEFERACCEPTDROP);
		return NULL;
	}

	child = xtcp_syn_recv_sock(sk, skb, req, xtcp_req_to_sk(req), &own_req);
	if (!child) {
		*req_stolen = !own_req;
		return NULL;
	}
	xtcp_reqsk_queue_unlink(sk, req, false);
	return xtcp_reqsk_queue_add(sk, child);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_check_req);

/**
 * xtcp_child_process - let the child process the ACK that created it, like
 * tcp_child_process(): SYN_RECV -> ESTABLISHED, and wake accept()
 * @parent: the listener
 * @child: the child, locked by xtcp_create_openreq_child(); unlocked and its caller's
 *	reference dropped here
 * @skb: the ACK
 *
 * Context: softirq, or process (the listener's backlog, a SYN cookie's ACK).
 * Return: as xtcp_rcv_state_process(): 1 to answer @skb with a RST, 2 if the child
 * queued it (data with the ACK, or in its backlog if a process holds it already),
 * 0 otherwise.
 */
int xtcp_child_process(struct sock *parent, struct sock *child, struct sk_buff *skb)
	__releases(&child->sk_lock.slock)
{
	int ret = 2;

	if (!sock_owned_by_user(child))
		ret = xtcp_rcv_state_process(child, skb);
	else
		__sk_add_backlog(child, skb);
	parent->sk_data_ready(parent);
	bh_unlock_sock(child);
	sock_put(child);
	return ret;
}
