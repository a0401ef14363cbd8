/* pcap.h - classic pcap files that tcpdump and tshark read. */
#ifndef TUNCTL_PCAP_H
#define TUNCTL_PCAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define LINKTYPE_ETHERNET 1
#define LINKTYPE_RAW 101

/* Writes the file header; returns 0 or -errno. */
int pcap_start(FILE *f, uint32_t linktype);
/* One packet record, buffered (the caller flushes); returns 0 or -errno. */
int pcap_record(FILE *f, const struct timespec *ts, const uint8_t *p, size_t len);

#endif
