/* TensorBoard event files with scalar summaries, written without TensorFlow:
 * each record is a little-endian uint64 length, the masked CRC32C of those 8
 * bytes, the payload (an Event protocol buffer) and the payload's masked
 * CRC32C. The first event carries file_version "brain.Event:2"; each scalar
 * is an Event { wall_time, step, summary { value { tag, simple_value } } }. */
#ifndef NN_TB_EVENTS_H
#define NN_TB_EVENTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
    FILE *f;
    char path[4352];
} nn_tb_writer;

/* CRC-32C (Castagnoli), and TensorFlow's masked form of it. */
uint32_t nn_crc32c(const void *data, size_t n);
uint32_t nn_crc32c_masked(const void *data, size_t n);

/* Creates DIR/events.out.tfevents.TIME.HOST.PID. Returns 0, or -1 with the reason in err. */
int nn_tb_open(nn_tb_writer *w, const char *dir, char *err, size_t errlen);
/* Returns 0, or -1 when the write failed. */
int nn_tb_scalar(nn_tb_writer *w, const char *tag, long step, double value);
/* Each returns 0, or -1 when a buffered write failed. */
int nn_tb_flush(nn_tb_writer *w);
int nn_tb_close(nn_tb_writer *w);

#endif
