// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp: /proc/net files of each network namespace.
 *
 * /proc/net/xtcp_stat holds the counters in the format of /proc/net/netstat: a line of
 * names and a line of values, both starting with "Xtcp:", so that tools that read
 * /proc/net/netstat (nstat-style parsers) read it too.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/ip.h>
#include <kunit/visibility.h>
#include "xtcp.h"

static const char * const xtcp_mib_names[XTCP_MIB_MAX] = {
	[XTCP_MIB_INSEGS]	= "InSegs",
	[XTCP_MIB_INERRS]	= "InErrs",
	[XTCP_MIB_INCSUMERRORS]	= "InCsumErrors",
	[XTCP_MIB_NOSOCKET]	= "NoSocket",
};

/**
 * xtcp_mib_read - one counter of a namespace, summed over all CPUs
 * @net: the network namespace
 * @field: which counter
 *
 * Context: any.
 * Return: the counter's value.
 */
unsigned long xtcp_mib_read(struct net *net, enum xtcp_mib_field field)
{
	return snmp_fold_field(xtcp_pernet(net)->mib, field);
}
EXPORT_SYMBOL_IF_KUNIT(xtcp_mib_read);

/* seq_file show for /proc/net/xtcp_stat; process context. */
static int xtcp_stat_show(struct seq_file *seq, void *v)
{
	struct net *net = seq_file_single_net(seq);
	int i;

	seq_puts(seq, "Xtcp:");
	for (i = 0; i < XTCP_MIB_MAX; i++)
		seq_printf(seq, " %s", xtcp_mib_names[i]);
	seq_puts(seq, "\nXtcp:");
	for (i = 0; i < XTCP_MIB_MAX; i++)
		seq_printf(seq, " %lu", xtcp_mib_read(net, i));
	seq_putc(seq, '\n');
	return 0;
}

/**
 * xtcp_proc_init_net - create the /proc/net files of a namespace
 * @net: the new namespace
 *
 * Context: process, from the pernet init hook.
 * Return: 0 or -ENOMEM.
 */
int xtcp_proc_init_net(struct net *net)
{
	if (!proc_create_net_single(XTCP_PROC_STAT, 0444, net->proc_net, xtcp_stat_show,
				    NULL))
		return -ENOMEM;
	return 0;
}

/**
 * xtcp_proc_exit_net - remove the /proc/net files of a namespace
 * @net: the namespace going away
 *
 * Context: process, from the pernet exit hook.
 */
void xtcp_proc_exit_net(struct net *net)
{
	remove_proc_entry(XTCP_PROC_STAT, net->proc_net);
}
