// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: the net.xtcp.* sysctls of each network namespace, the counterparts of
 * net.ipv4.tcp_syn_retries, tcp_synack_retries, tcp_max_syn_backlog, tcp_syncookies,
 * tcp_fin_timeout, tcp_max_tw_buckets, tcp_orphan_retries, tcp_keepalive_time, _intvl
 * and _probes, tcp_early_retrans (tail-loss probes), tcp_invalid_ratelimit and
 * tcp_challenge_ack_limit (answers to invalid segments), tcp_tw_reuse (connect() over a
 * TIME_WAIT), tw_timeout (TIME_WAIT's length, fixed at 60 s in Linux), pacing_ss_ratio,
 * pacing_ca_ratio and min_tso_segs (the pacing rate and the super-segments cut by it),
 * notsent_lowat (the unsent bytes a writer may leave queued), congestion_control
 * (new sockets' algorithm), limit_output_bytes (the small queues' most, as
 * tcp_limit_output_bytes), tso_win_divisor (how long a super-segment waits to
 * grow, as tcp_tso_win_divisor), backlog_ack_defer (one ACK for a backlog, as
 * tcp_backlog_ack_defer), ecn and ecn_fallback (RFC 3168, as tcp_ecn and
 * tcp_ecn_fallback); and, in the initial namespace only, the machine-wide
 * available_congestion_control and allowed_congestion_control, the limits net.xtcp.mem,
 * wmem and rmem (pages; bytes min/default/max) and max_orphans, the counterparts of
 * tcp_available_congestion_control, tcp_allowed_congestion_control, tcp_mem, tcp_wmem,
 * tcp_rmem and tcp_max_orphans.
 */
#include <linux/sysctl.h>
#include <net/net_namespace.h>
#include "xtcp.h"

static int xtcp_retries_max = 127;	/* MAX_TCP_SYNCNT */
static int xtcp_orphan_retries_max = 255;
static int xtcp_keepidle_max = XTCP_MAX_KEEPIDLE;
static int xtcp_keepcnt_max = XTCP_MAX_KEEPCNT;
static int xtcp_early_retrans_max = 4;
static int xtcp_ratio_max = 1000;	/* tcp_pacing_*_ratio's limit, as Linux's */
static int xtcp_min_tso_segs_max = 127;	/* tcp_min_tso_segs: a u8 up to S8_MAX */
static int xtcp_u8_max = U8_MAX;		/* tcp_tso_win_divisor: a u8 */

#define XTCP_SYSCTL_PERNET	25	/* the entries of every namespace come first */
#define XTCP_CA_BUF_MAX		(TCP_CA_NAME_MAX * 16)	/* TCP_CA_BUF_MAX */

/* net.xtcp.congestion_control, like proc_tcp_congestion_control(); ctl->data: the net */
static int xtcp_proc_congestion_control(xtcp_ctl_table *ctl, int write,
					void *buffer, size_t *lenp, loff_t *ppos)
{
	struct net *net = ctl->data;
	char val[TCP_CA_NAME_MAX];
	struct ctl_table tbl = {
		.data = val,
		.maxlen = TCP_CA_NAME_MAX,
	};
	int ret;

	xtcp_get_default_congestion_control(net, val);
	ret = proc_dostring(&tbl, write, buffer, lenp, ppos);
	if (write && ret == 0)
		ret = xtcp_set_default_congestion_control(net, val);
	return ret;
}

/* net.xtcp.available_congestion_control (read-only) and allowed_congestion_control */
static int xtcp_proc_cong_list(xtcp_ctl_table *ctl, int write, void *buffer,
			       size_t *lenp, loff_t *ppos)
{
	struct ctl_table tbl = { .maxlen = XTCP_CA_BUF_MAX };
	bool allowed = ctl->data;
	int ret;

	tbl.data = kmalloc(tbl.maxlen, GFP_USER);
	if (!tbl.data)
		return -ENOMEM;
	if (allowed)
		xtcp_get_allowed_congestion_control(tbl.data, tbl.maxlen);
	else
		xtcp_get_available_congestion_control(tbl.data, tbl.maxlen);
	ret = proc_dostring(&tbl, write, buffer, lenp, ppos);
	if (write && ret == 0 && allowed)
		ret = xtcp_set_allowed_congestion_control(tbl.data);
	kfree(tbl.data);
	return ret;
}

static const struct ctl_table xtcp_sysctl_template[] = {
	{
		.procname	= "syn_retries",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= &xtcp_retries_max,
	},
	{
		.procname	= "synack_retries",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= &xtcp_retries_max,
	},
	{
		.procname	= "max_syn_backlog",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
	},
	{
		.procname	= "syncookies",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_TWO,
	},
	{
		.procname	= "fin_timeout",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= &xtcp_keepidle_max,
	},
	{
		.procname	= "tw_timeout",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= &xtcp_keepidle_max,
	},
	{
		.procname	= "max_tw_buckets",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
	},
	{
		.procname	= "orphan_retries",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= &xtcp_orphan_retries_max,
	},
	{
		.procname	= "keepalive_time",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= &xtcp_keepidle_max,
	},
	{
		.procname	= "keepalive_intvl",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= &xtcp_keepidle_max,
	},
	{
		.procname	= "keepalive_probes",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= &xtcp_keepcnt_max,
	},
	{
		.procname	= "early_retrans",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= &xtcp_early_retrans_max,
	},
	{
		.procname	= "invalid_ratelimit",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_ms_jiffies,
	},
	{
		.procname	= "challenge_ack_limit",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
	},
	{
		.procname	= "tw_reuse",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_TWO,
	},
	{
		.procname	= "pacing_ss_ratio",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= &xtcp_ratio_max,
	},
	{
		.procname	= "pacing_ca_ratio",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= &xtcp_ratio_max,
	},
	{
		.procname	= "min_tso_segs",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
		.extra2		= &xtcp_min_tso_segs_max,
	},
	{
		.procname	= "notsent_lowat",
		.maxlen		= sizeof(unsigned int),
		.mode		= 0644,
		.proc_handler	= proc_douintvec,
	},
	{
		.procname	= "congestion_control",
		.maxlen		= TCP_CA_NAME_MAX,
		.mode		= 0644,
		.proc_handler	= xtcp_proc_congestion_control,
	},
	{
		.procname	= "limit_output_bytes",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
	},
	{
		.procname	= "tso_win_divisor",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= &xtcp_u8_max,
	},
	{
		.procname	= "backlog_ack_defer",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
	{
		.procname	= "ecn",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_TWO,
	},
	{
		.procname	= "ecn_fallback",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_ONE,
	},
	{
		.procname	= "available_congestion_control",
		.data		= (void *)false,
		.maxlen		= XTCP_CA_BUF_MAX,
		.mode		= 0444,
		.proc_handler	= xtcp_proc_cong_list,
	},
	{
		.procname	= "allowed_congestion_control",
		.data		= (void *)true,
		.maxlen		= XTCP_CA_BUF_MAX,
		.mode		= 0644,
		.proc_handler	= xtcp_proc_cong_list,
	},
	{
		.procname	= "mem",
		.data		= &xtcp_sysctl_mem,
		.maxlen		= sizeof(xtcp_sysctl_mem),
		.mode		= 0644,
		.proc_handler	= proc_doulongvec_minmax,
	},
	{
		.procname	= "wmem",
		.data		= &xtcp_sysctl_wmem,
		.maxlen		= sizeof(xtcp_sysctl_wmem),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
	},
	{
		.procname	= "rmem",
		.data		= &xtcp_sysctl_rmem,
		.maxlen		= sizeof(xtcp_sysctl_rmem),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ONE,
	},
	{
		.procname	= "max_orphans",
		.data		= &xtcp_sysctl_max_orphans,
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= proc_dointvec_minmax,
		.extra1		= SYSCTL_ZERO,
	},
};

/**
 * xtcp_sysctl_init_net - defaults and the net.xtcp table of a new namespace
 * @net: the namespace
 *
 * Defaults are Linux TCP's: 6 SYN retries (about 127 s), 5 SYN-ACK retries, 1024
 * half-open connections per listener at most (also capped by its listen() backlog),
 * SYN cookies when a listener's half-open queue overflows, 60 s in FIN_WAIT2 and in
 * TIME_WAIT, 8192 TIME_WAITs, orphan retries 0 (= 8), keepalive after 7200 s, every
 * 75 s, 9 probes, tail-loss probes on (early_retrans 3), one answer to invalid
 * segments per connection per 500 ms, no namespace-wide challenge ACK limit, pacing at
 * 200 % of the rate in slow start and 120 % after, super-segments of 2 segments at
 * least, no limit on unsent bytes (notsent_lowat UINT_MAX), small queues of 1 MB at
 * most (limit_output_bytes), super-segments that wait for a third of the window
 * (tso_win_divisor 3), one ACK for a backlog (backlog_ack_defer 1), ECN when the peer
 * asks for it (ecn 2), a SYN sent again without asking for it (ecn_fallback 1).  The
 * initial namespace also gets the machine-wide limits.
 *
 * Context: process, pernet init.
 * Return: 0 or -ENOMEM.
 */
int xtcp_sysctl_init_net(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);
	struct ctl_table *table;

	xn->sysctl_syn_retries = 6;
	xn->sysctl_synack_retries = 5;
	xn->sysctl_max_syn_backlog = 1024;
	xn->sysctl_syncookies = 1;
	xn->sysctl_fin_timeout = 60;
	xn->sysctl_tw_timeout = 60;
	xn->sysctl_max_tw_buckets = 8192;
	xn->sysctl_tw_reuse = 2;
	xn->sysctl_orphan_retries = 0;
	xn->sysctl_keepalive_time = 7200;
	xn->sysctl_keepalive_intvl = 75;
	xn->sysctl_keepalive_probes = 9;
	xn->sysctl_early_retrans = 3;
	xn->sysctl_invalid_ratelimit = HZ / 2;
	xn->sysctl_challenge_ack_limit = INT_MAX;
	xn->sysctl_pacing_ss_ratio = 200;
	xn->sysctl_pacing_ca_ratio = 120;
	xn->sysctl_min_tso_segs = 2;
	xn->sysctl_notsent_lowat = UINT_MAX;
	xn->sysctl_limit_output_bytes = 16 * 65536;	/* 1 MB, as Linux 6.12 */
	xn->sysctl_tso_win_divisor = 3;
	xn->sysctl_backlog_ack_defer = 1;
	xn->sysctl_ecn = 2;
	xn->sysctl_ecn_fallback = 1;

	/* room for a terminator, which kernels before 6.6 look for */
	table = kcalloc(ARRAY_SIZE(xtcp_sysctl_template) + 1, sizeof(*table), GFP_KERNEL);
	if (!table)
		return -ENOMEM;
	memcpy(table, xtcp_sysctl_template, sizeof(xtcp_sysctl_template));
	table[0].data = &xn->sysctl_syn_retries;
	table[1].data = &xn->sysctl_synack_retries;
	table[2].data = &xn->sysctl_max_syn_backlog;
	table[3].data = &xn->sysctl_syncookies;
	table[4].data = &xn->sysctl_fin_timeout;
	table[5].data = &xn->sysctl_tw_timeout;
	table[6].data = &xn->sysctl_max_tw_buckets;
	table[7].data = &xn->sysctl_orphan_retries;
	table[8].data = &xn->sysctl_keepalive_time;
	table[9].data = &xn->sysctl_keepalive_intvl;
	table[10].data = &xn->sysctl_keepalive_probes;
	table[11].data = &xn->sysctl_early_retrans;
	table[12].data = &xn->sysctl_invalid_ratelimit;
	table[13].data = &xn->sysctl_challenge_ack_limit;
	table[14].data = &xn->sysctl_tw_reuse;
	table[15].data = &xn->sysctl_pacing_ss_ratio;
	table[16].data = &xn->sysctl_pacing_ca_ratio;
	table[17].data = &xn->sysctl_min_tso_segs;
	table[18].data = &xn->sysctl_notsent_lowat;
	table[19].data = net;
	table[20].data = &xn->sysctl_limit_output_bytes;
	table[21].data = &xn->sysctl_tso_win_divisor;
	table[22].data = &xn->sysctl_backlog_ack_defer;
	table[23].data = &xn->sysctl_ecn;
	table[24].data = &xn->sysctl_ecn_fallback;
	xn->sysctl_hdr = xtcp_register_net_sysctl(net, "net/xtcp", table,
						  net_eq(net, &init_net) ?
						  ARRAY_SIZE(xtcp_sysctl_template) :
						  XTCP_SYSCTL_PERNET);
	if (!xn->sysctl_hdr) {
		kfree(table);
		return -ENOMEM;
	}
	return 0;
}

/**
 * xtcp_sysctl_exit_net - remove the net.xtcp table of a namespace
 * @net: the namespace
 *
 * Context: process, pernet exit.
 */
void xtcp_sysctl_exit_net(struct net *net)
{
	struct xtcp_net *xn = xtcp_pernet(net);
	const struct ctl_table *table = xn->sysctl_hdr->ctl_table_arg;

	unregister_net_sysctl_table(xn->sysctl_hdr);
	kfree(table);
}
