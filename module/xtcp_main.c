// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: module entry and exit.
 *
 * Registration mirrors inet_init() in net/ipv4/af_inet.c for TCP, in the same order:
 *   (request sock slab, in proto_register) -> xtcp_reqsk_init()
 *   (timewait sock slab, in proto_register) -> xtcp_tw_init()
 *   proto_register(&tcp_prot)            -> proto_register(&xtcp_prot)
 *   per-netns state (tcp_sk_ops)         -> register_pernet_subsys(&xtcp_net_ops)
 *   inet_add_protocol(&tcp_protocol, 6)  -> inet_add_protocol(&xtcp_protocol_handler, N)
 *   tcpv4_offload_init()                 -> xtcp_offload_init() (xtcp_offload.c)
 *   tcpv6_init() (IPv6: protocol, offload, protosw) -> xtcp_v6_init() (xtcp_ipv6.c)
 *   inet_register_protosw(inetsw_array)  -> inet_register_protosw(&xtcp_protosw)
 * The last step makes socket(AF_INET, SOCK_STREAM, N) reach us, so it comes last; exit
 * undoes the steps in reverse, and a failed step undoes the ones before it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/protocol.h>
#include "xtcp.h"

#define CREATE_TRACE_POINTS
#include "xtcp_trace.h"

/* The IP protocol number we own; fixed once the module is loaded. */
int xtcp_protocol = IPPROTO_XTCP;
module_param_named(protocol, xtcp_protocol, int, 0444);
MODULE_PARM_DESC(protocol, "IP protocol number to own (1-254, default 253)");
EXPORT_SYMBOL_IF_KUNIT(xtcp_protocol);

unsigned int xtcp_net_id __read_mostly;
EXPORT_SYMBOL_IF_KUNIT(xtcp_net_id);

/**
 * xtcp_check_protocol - is @protocol a number xtcp may try to own?
 * @protocol: candidate IP protocol number
 *
 * 0 is IPPROTO_IP (socket()'s "any protocol" wildcard) and 255 is IPPROTO_RAW, reserved
 * by IANA; numbers outside 0..255 do not fit the IP header.  Whether another protocol
 * already owns the number is found out by inet_add_protocol().
 *
 * Context: process.
 * Return: 0 if usable, -EINVAL otherwise.
 */
int xtcp_check_protocol(int protocol)
{
	if (protocol <= IPPROTO_IP || protocol >= IPPROTO_RAW)
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_check_protocol);

/*
 * Per-netns setup and teardown; run in process context by the netns core.  A namespace
 * only goes away once no user socket is left in it (each holds a reference on it, and
 * an orphan keeps its own until its connection is over), so no listener, request or
 * connection of ours is left either; TIME_WAIT minisockets hold no reference and are
 * purged here.
 */
static int __net_init xtcp_net_init(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);
	int err;

	err = xtcp_hash_init_net(xn);
	if (err)
		return err;
	xtcp_cong_init_net(net);	/* before any socket: the control socket is one */
	xn->mib = alloc_percpu(struct xtcp_mib);
	if (!xn->mib) {
		err = -ENOMEM;
		goto out_hash;
	}
	err = xtcp_sysctl_init_net(net);
	if (err)
		goto out_mib;
	err = xtcp_v4_ctl_init_net(net);
	if (err)
		goto out_sysctl;
	err = xtcp_v6_ctl_init_net(net);
	if (err)
		goto out_ctl;
	err = xtcp_proc_init_net(net);
	if (err)
		goto out_ctl6;
	return 0;

out_ctl6:
	xtcp_v6_ctl_exit_net(net);
out_ctl:
	xtcp_v4_ctl_exit_net(net);
out_sysctl:
	xtcp_sysctl_exit_net(net);
out_mib:
	free_percpu(xn->mib);
out_hash:
	xtcp_cong_exit_net(net);
	xtcp_hash_exit_net(xn);
	return err;
}

static void __net_exit xtcp_net_exit(struct net *net)
{
	xtcp_tw_purge_net(net);
	xtcp_proc_exit_net(net);
	xtcp_v6_ctl_exit_net(net);
	xtcp_v4_ctl_exit_net(net);
	xtcp_sysctl_exit_net(net);
	free_percpu(xtcp_pernet(net)->mib);
	xtcp_cong_exit_net(net);
	xtcp_hash_exit_net(xtcp_pernet(net));
}

static struct pernet_operations xtcp_net_ops = {
	.init = xtcp_net_init,
	.exit = xtcp_net_exit,
	.id   = &xtcp_net_id,
	.size = sizeof(struct xtcp_net),
};

/* Input hooks, like tcp_protocol in af_inet.c; called in softirq context. */
static struct net_protocol xtcp_protocol_handler = {
	.handler	= xtcp_rcv,
	.err_handler	= xtcp_v4_err,
	.no_policy	= 1,
};

/* socket(AF_INET, SOCK_STREAM, xtcp_protocol) -> xtcp_prot + xtcp_stream_ops. */
static struct inet_protosw xtcp_protosw = {
	.type		= SOCK_STREAM,
	.prot		= &xtcp_prot,
	.ops		= &xtcp_stream_ops,
};

static int __init xtcp_init(void)
{
	int err;

	err = xtcp_check_protocol(xtcp_protocol);
	if (err) {
		pr_err("protocol=%d is not a usable IP protocol number (valid: 1-254)\n",
		       xtcp_protocol);
		return err;
	}

	err = xtcp_ehash_entries_init();
	if (err) {
		pr_err("ehash_entries=%u is not a power of 2 in 16-1048576\n",
		       xtcp_ehash_entries);
		return err;
	}

	xtcp_hash_secrets_init();
	xtcp_seq_init();
	xtcp_syncookies_init();
	xtcp_tsq_init();
	err = xtcp_init_mem();
	if (err)
		return err;
	err = xtcp_reqsk_init();
	if (err)
		goto out_mem;
	err = xtcp_tw_init();
	if (err)
		goto out_reqsk;
	err = xtcp_cong_module_init();
	if (err)
		goto out_tw;

	xtcp_v6_proto_init();	/* a copy of xtcp_prot, made before it is registered */
	err = proto_register(&xtcp_prot, 1);
	if (err) {
		pr_err("proto_register failed: %d\n", err);
		goto out_cong;
	}

	err = register_pernet_subsys(&xtcp_net_ops);
	if (err) {
		pr_err("per-netns setup failed: %d\n", err);
		goto out_proto;
	}

	if (inet_add_protocol(&xtcp_protocol_handler, xtcp_protocol) < 0) {
		pr_err("IP protocol %d is already in use by another protocol; load with protocol=<free number>\n",
		       xtcp_protocol);
		err = -EBUSY;
		goto out_pernet;
	}

	err = xtcp_offload_init();
	if (err) {
		pr_err("IP protocol %d already has offloads registered by another protocol\n",
		       xtcp_protocol);
		goto out_protocol;
	}

	err = xtcp_v6_init();
	if (err)
		goto out_offload;
	xtcp_protosw.protocol = xtcp_protocol;
	inet_register_protosw(&xtcp_protosw);

	pr_info("loaded: socket(AF_INET, SOCK_STREAM, %d) is xtcp\n", xtcp_protocol);
	return 0;

out_offload:
	xtcp_offload_exit();
out_protocol:
	inet_del_protocol(&xtcp_protocol_handler, xtcp_protocol);
out_pernet:
	unregister_pernet_subsys(&xtcp_net_ops);
out_proto:
	proto_unregister(&xtcp_prot);
out_cong:
	xtcp_cong_module_exit();
out_tw:
	xtcp_tw_exit();
out_reqsk:
	xtcp_reqsk_exit();
out_mem:
	xtcp_exit_mem();
	xtcp_tsq_exit();
	return err;
}

/*
 * Unload can only happen once no xtcp socket exists: every socket holds a reference on
 * this module (sk_alloc() takes one through xtcp_prot.owner), so rmmod gets EBUSY before.
 */
static void __exit xtcp_exit(void)
{
	inet_unregister_protosw(&xtcp_protosw);
	xtcp_v6_exit();
	xtcp_offload_exit();
	inet_del_protocol(&xtcp_protocol_handler, xtcp_protocol);
	/* inet_del_protocol() waited for readers of the handler: no softirq is in it now. */
	unregister_pernet_subsys(&xtcp_net_ops);
	proto_unregister(&xtcp_prot);
	xtcp_cong_module_exit();
	xtcp_tw_exit();
	xtcp_reqsk_exit();
	xtcp_exit_mem();
	xtcp_tsq_exit();
	pr_info("unloaded\n");
}

module_init(xtcp_init);
module_exit(xtcp_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("xtcp: TCP on its own IP protocol number, as a loadable module");
MODULE_AUTHOR("The xtcp developers");
MODULE_VERSION(XTCP_VERSION);
/*
 * socket(AF_INET, SOCK_STREAM, 253) loads us through request_module() in inet_create(),
 * which asks for "net-pf-2-proto-253-type-1".  The type is written as 1 because
 * SOCK_STREAM is an enum in the kernel, which __stringify() would not turn into a number.
 */
MODULE_ALIAS_NET_PF_PROTO_TYPE(PF_INET, IPPROTO_XTCP, 1);
