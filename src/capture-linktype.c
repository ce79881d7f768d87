/*
 * capture-linktype.c - link type names (capture-linktype.h), as libpcap
 * spells them, so that messages and reports match tcpdump's -L.
 */
#include "config.h"

#include <pcap/pcap.h>

#include "capture-linktype.h"

const char *capture_linktype_name(int linktype)
{
	const char *name = pcap_datalink_val_to_name(linktype);
	return name ? name : "UNKNOWN";
}
