#!/bin/sh
# Runs each named harness BUILD/fuzz_NAME for SECONDS on a copy of its seed
# corpus (new inputs land in BUILD/corpus/NAME, never in the repository) and
# prints a TAP line per harness with libFuzzer's execution count. A harness
# with tests/fuzz/NAME.dict gets it as its dictionary.
# usage: run.sh BUILD SECONDS NAME...
build=$1; seconds=$2; shift 2
fail=0
for name in "$@"; do
  work=$build/corpus/$name
  rm -rf "$work"; mkdir -p "$work"
  cp tests/fuzz/corpus/"$name"/* "$work"/ 2>/dev/null
  log=$build/fuzz_$name.log
  dict=; [ -f tests/fuzz/"$name".dict ] && dict=-dict=tests/fuzz/"$name".dict
  if "$build/fuzz_$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 $dict \
       -artifact_prefix="$build/crash_${name}_" "$work" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "ok - fuzz $name: $runs runs in ${seconds} s, no crash"
  else
    echo "not ok - fuzz $name: see $log"; tail -n 30 "$log"; fail=1
  fi
done
exit $fail
