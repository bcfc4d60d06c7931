#!/usr/bin/python3
"""Reads a TensorBoard event file with an independent decoder of the
documented format (TFRecord framing with masked CRC-32C, Event/Summary
protocol buffers) and prints one line per scalar: "STEP TAG VALUE".
The first line is "version VERSION". Exits 1 on any framing, CRC or
encoding error. Used by the trainer tests: no TensorFlow or TensorBoard
is needed."""
import struct
import sys


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def masked(data):
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def fields(buf):
    """Yields (field number, wire type, value) of a protocol buffer."""
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, i = varint(buf, i)
        elif wire == 1:
            value, i = buf[i:i + 8], i + 8
        elif wire == 2:
            n, i = varint(buf, i)
            value, i = buf[i:i + n], i + n
        elif wire == 5:
            value, i = buf[i:i + 4], i + 4
        else:
            raise ValueError("wire type %d" % wire)
        if i > len(buf):
            raise ValueError("field runs past the end of its message")
        yield field, wire, value


def varint(buf, i):
    shift = value = 0
    while True:
        b = buf[i]
        value |= (b & 0x7F) << shift
        i += 1
        if not b & 0x80:
            return value, i
        shift += 7


def main(path):
    data = open(path, "rb").read()
    i = 0
    while i < len(data):
        header = data[i:i + 8]
        if len(header) < 8 or struct.unpack("<I", data[i + 8:i + 12])[0] != masked(header):
            sys.exit("%s: bad length CRC at byte %d" % (path, i))
        (n,) = struct.unpack("<Q", header)
        payload = data[i + 12:i + 12 + n]
        tail = data[i + 12 + n:i + 16 + n]
        if len(payload) < n or len(tail) < 4 or struct.unpack("<I", tail)[0] != masked(payload):
            sys.exit("%s: bad data CRC at byte %d" % (path, i))
        i += 16 + n
        step = 0
        for field, wire, value in fields(payload):
            if field == 2 and wire == 0:
                step = value
            elif field == 3 and wire == 2:
                print("version", value.decode())
            elif field == 5 and wire == 2:
                for f, w, v in fields(value):
                    if f != 1 or w != 2:
                        continue
                    tag, number = None, None
                    for vf, vw, vv in fields(v):
                        if vf == 1 and vw == 2:
                            tag = vv.decode()
                        elif vf == 2 and vw == 5:
                            (number,) = struct.unpack("<f", vv)
                    print(step, tag, "%.6g" % number)


if __name__ == "__main__":
    main(sys.argv[1])
