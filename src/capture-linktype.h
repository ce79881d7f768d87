/*
 * capture-linktype.h - the name people know a pcap link type by, for the
 * capture readers' messages and for reports. A module of its own so that
 * the readers (capture-file.c, capture-pcapng.c, capture-live.c) and the
 * report share it without calling one another.
 */
#ifndef TCPSCOPE_CAPTURE_LINKTYPE_H
#define TCPSCOPE_CAPTURE_LINKTYPE_H

/* libpcap's name for a DLT_* value ("EN10MB"), or "UNKNOWN". */
const char *capture_linktype_name(int linktype);

#endif
