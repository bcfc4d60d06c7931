#!/bin/sh
# Lists the C functions longer than LIMIT lines (default 100), signature to
# closing brace, in the files given (default runtime/*.c). It relies on the
# code's layout: a definition starts at column 0 and its braces stand alone
# on lines of their own.
limit=${1:-100}
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- runtime/*.c
awk -v limit="$limit" '
    FNR == 1 { start = 0 }
    /^[A-Za-z_]/ && !/;$/ { signature = $0; signature_line = FNR }
    /^\{$/ { start = signature_line }
    /^\}$/ && start {
        n = FNR - start + 1
        if (n > limit) printf "%s:%d: %d lines: %s\n", FILENAME, start, n, signature
        start = 0
    }' "$@"
