/* pcap.h - classic pcap files that tcpdump and tshark read. */
#ifndef TUNCTL_PCAP_H
#define TUNCTL_PCAP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sink.h"

#define LINKTYPE_ETHERNET 1
#define LINKTYPE_RAW 101

/* The file header, collected in k; returns 0 or -errno. */
int pcap_start(struct sink *k, uint32_t linktype);
/* One packet record, collected in k (the caller flushes); returns 0 or -errno. */
int pcap_record(struct sink *k, const struct timespec *ts, const uint8_t *p, size_t len);

#endif
