#!/bin/sh
# One case of the inference export's test (tests/test_infer.c): train a spec
# briefly, export it (generator/main.lua --infer), compile the library alone as
# strict C99 and for a Cortex-M4 (nothing hosted), run it on test records and
# compare with the trainer's --predict --logits (tests/infer/compare.py).
# usage: tests/infer/check.sh CASE WORKDIR, with BUILD, LUA, PYTHON, CC, CFLAGS, ALL_OPS set
# (tests/tests.mk); CASE: fmnist_cnn, fmnist_weights_file, resnet18, all_ops, refusals.
set -eu
case_name=$1
work=$2
rm -rf "$work"; mkdir -p "$work"
STRICT="-std=c99 -Wall -Wextra -Werror -pedantic"
ARM="arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
FMNIST=/usr/share/datasets/fashion-mnist

# export SPEC TRAINER CKPT [--weights-file]: the library in $work/lib, compiled strict, for ARM and into $work/run
export_and_build() {
  spec=$1 name=$(basename "$1" .lua) ckpt=$3; shift 3
  $LUA generator/main.lua "$spec" --infer "$ckpt" --out "$work/lib" "$@"
  $CC $STRICT -O2 -c "$work/lib/${name}_infer.c" -o "$work/lib/host.o"
  $ARM $STRICT -O2 -c "$work/lib/${name}_infer.c" -o "$work/lib/arm.o"
  up=$(echo "$name" | tr a-z A-Z)
  load=""; [ $# -gt 0 ] && load="-DLOAD_WEIGHTS=${name}_load_weights"
  $CC $STRICT $CFLAGS -I"$work/lib" -DINFER_HEADER="\"${name}_infer.h\"" -DPREDICT="${name}_predict" \
    -DIN_SIZE="${up}_INPUT_SIZE" -DOUT_SIZE="${up}_OUTPUT_SIZE" $load tests/infer/run_infer.c \
    "$work/lib/${name}_infer.c" -lm -o "$work/run"
}

# compare TRAINER CKPT DATA_ARGS RUN_ARGS: --predict --logits against the library
compare() {
  trainer=$1 ckpt=$2 data=$3; shift 3
  $trainer --predict "$ckpt" $data --logits --threads 1 --out "$work/predict.csv" > /dev/null
  "$work/run" "$@" > "$work/infer.csv"
  $PYTHON tests/infer/compare.py "$work/predict.csv" "$work/infer.csv"
}

fmnist() {
  $BUILD/fmnist_cnn/train --epochs 1 --limit 2000 --seed 3 --threads 1 --save "$work/run_dir" > /dev/null
  gzip -dc $FMNIST/t10k-images-idx3-ubyte.gz > "$work/t10k.u8"
}

case $case_name in
fmnist_cnn)
  fmnist
  export_and_build specs/fmnist_cnn.lua "$BUILD/fmnist_cnn/train" "$work/run_dir/last.safetensors"
  compare "$BUILD/fmnist_cnn/train" "$work/run_dir/last.safetensors" "" "$work/t10k.u8" 16 0 10000 ;;
fmnist_weights_file)
  fmnist
  export_and_build specs/fmnist_cnn.lua "$BUILD/fmnist_cnn/train" "$work/run_dir/last.safetensors" --weights-file
  compare "$BUILD/fmnist_cnn/train" "$work/run_dir/last.safetensors" "" "$work/t10k.u8" 16 0 10000 \
    "$work/lib/fmnist_cnn.weights"
  # a blob that is not this model's is refused
  head -c 1000 "$work/lib/fmnist_cnn.weights" > "$work/short.weights"
  if "$work/run" "$work/t10k.u8" 16 0 1 "$work/short.weights" 2> /dev/null; then exit 1; fi ;;
resnet18)
  $PYTHON tests/make_cifar10.py "$work/cifar" --train 32 --test 8 > /dev/null
  $BUILD/resnet18/train --data "$work/cifar" --epochs 1 --seed 3 --threads 1 --save "$work/run_dir" > /dev/null
  export_and_build specs/resnet18.lua "$BUILD/resnet18/train" "$work/run_dir/last.safetensors" --weights-file
  compare "$BUILD/resnet18/train" "$work/run_dir/last.safetensors" "--data $work/cifar" \
    "$work/cifar/test_batch.bin" 0 1 8 "$work/lib/resnet18.weights" ;;
all_ops)
  $ALL_OPS --epochs 1 --limit 2000 --seed 3 --threads 1 --save "$work/run_dir" > /dev/null
  gzip -dc $FMNIST/t10k-images-idx3-ubyte.gz > "$work/t10k.u8"
  export_and_build tests/infer/all_ops.lua "$ALL_OPS" "$work/run_dir/last.safetensors"
  compare "$ALL_OPS" "$work/run_dir/last.safetensors" "" "$work/t10k.u8" 16 0 10000 ;;
refusals)
  $BUILD/fmnist_cnn/train --epochs 1 --limit 64 --threads 1 --save "$work/run_dir" > /dev/null
  # refused_with SPEC WORDS: the export fails with one line that holds WORDS
  refused_with() {
    if $LUA generator/main.lua "$1" --infer "$work/run_dir/last.safetensors" --out "$work/lib" 2> "$work/err"; then
      echo "check.sh: $1 was exported" >&2; exit 1
    fi
    [ "$(wc -l < "$work/err")" = 1 ] && grep -q "$2" "$work/err" || { cat "$work/err" >&2; exit 1; }
  }
  refused_with specs/conv1d_seq.lua "layer 0: rows_as_sequence has no inference export"
  refused_with specs/fmnist_small.lua "last.safetensors: .*tensor"
  # a weight that is not finite (the first float of the data section)
  $PYTHON -c 'import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
n = struct.unpack("<Q", b[:8])[0]
b[8 + n:12 + n] = struct.pack("<f", float("nan"))
open(sys.argv[1], "wb").write(b)' "$work/run_dir/last.safetensors"
  refused_with specs/fmnist_cnn.lua "last.safetensors: tensor '.*' holds a value that is not finite"
  printf 'not a checkpoint' > "$work/run_dir/last.safetensors"
  refused_with specs/fmnist_cnn.lua "last.safetensors: not a safetensors file" ;;
*) echo "check.sh: unknown case $case_name" >&2; exit 2 ;;
esac
