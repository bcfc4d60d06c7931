# nncc: Lua specs -> generated C -> standalone trainers.  `make help` lists the targets.
SPEC    ?= fmnist_cnn
TEACHER ?=
ARGS    ?=
CC      ?= cc
LUA     ?= lua5.4
PYTHON  ?= /usr/bin/python3
# SANITIZE=1: everything built with AddressSanitizer (LeakSanitizer included)
# and UndefinedBehaviorSanitizer, UB fatal, into its own directory so that the
# normal build stays as it is. GCC leaves float-cast-overflow out of
# `undefined`, but a float out of an integer type's range is undefined too.
SANITIZE ?=
SANITIZE_ON := $(filter 1,$(SANITIZE))
BUILD   ?= $(if $(SANITIZE_ON),build-san,build)
# -march=native: the direct convolution kernels and every vectorized loop use
# the build machine's widest vectors (AVX2/AVX-512); CFLAGS=-O3 builds
# trainers that run on any x86-64.
CFLAGS  ?= -O3 -march=native
WARN    := -std=c11 -Wall -Wextra -Werror
# OpenBLAS built on OpenMP, linked explicitly: it shares one thread pool with the
# OpenMP loops of the generated code (the pthread build and OpenMP spin against
# each other and run 2x slower on two cores).
MULTIARCH := $(shell $(CC) -print-multiarch)
OPENBLAS := /usr/lib/$(MULTIARCH)/openblas-openmp
CPPFLAGS := -D_POSIX_C_SOURCE=200809L -Iruntime -I/usr/include/$(MULTIARCH)/openblas-openmp
# -ffp-contract=fast: a*b + c becomes one fused multiply-add, as in GCC's GNU
# modes; ISO C modes (-std=c11) turn that off, which halves the rate of the
# direct convolutions' register tiles.
ifneq ($(SANITIZE_ON),)
SANITIZE_FLAGS := -g -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer -fno-sanitize-recover=all
endif
ALLFLAGS = $(WARN) $(CFLAGS) $(SANITIZE_FLAGS) -ffp-contract=fast -fopenmp $(CPPFLAGS)
LDLIBS  := -L$(OPENBLAS) -Wl,-rpath,$(OPENBLAS) -lopenblas -lpng -ljpeg -lz -lm -lpthread
PACKAGES := lua5.4 libopenblas-openmp-dev libcriterion-dev zlib1g-dev libpng-dev libjpeg62-turbo-dev \
            dataset-fashion-mnist python3

GENERATOR_SRC := $(shell find generator -name '*.lua' | sort)
RUNTIME_SRC   := $(sort $(filter-out runtime/distill_main.c,$(wildcard runtime/*.c)))
RUNTIME_OBJ   := $(RUNTIME_SRC:runtime/%.c=$(BUILD)/runtime/%.o)
SPECS         := $(sort $(basename $(notdir $(wildcard specs/*.lua))))

.PHONY: help deps gen build train summary demo plot export export-onnx test bench check-generated readme-options import clean
.DELETE_ON_ERROR:

help:
	@echo "make demo                  install what is missing, build and train fmnist_cnn on Fashion-MNIST"
	@echo "make test                  build and run every test (gradient checks, runtime, generator, golden files)"
	@echo "make test SANITIZE=1       the same built with ASan+UBSan+LSan in build-san/; fails on any sanitizer report"
	@echo "make gen SPEC=NAME         generate generated/NAME/ from specs/NAME.lua"
	@echo "make summary SPEC=NAME     print the model summary (shapes, parameters, MACs)"
	@echo "make import ONNX=FILE SPEC=NAME   specs/NAME.lua and $(BUILD)/NAME/weights.safetensors from an ONNX model"
	@echo "make build SPEC=NAME       build the trainer $(BUILD)/NAME/train"
	@echo "make build SPEC=S TEACHER=T   a trainer for S with T linked in for distillation: $(BUILD)/S+T/train"
	@echo "make train SPEC=NAME ARGS='--epochs 5 ...'   build and run the trainer"
	@echo "make export-onnx SPEC=NAME CKPT=FILE ONNX=OUT.onnx   the evaluation graph with the checkpoint's weights as ONNX"
	@echo "make plot RUN=DIR          PNG loss/accuracy curves and confusion matrix of a run (--save DIR), via gnuplot"
	@echo "make bench [QUICK=1] [PROFILE=1] [WRITE_DOCS=1]   time the trainers against PyTorch; the table in build/bench/results.md (and docs/benchmarks.md)"
	@echo "make fuzz [FUZZ_SECONDS=N] run every data parser's and the checkpoint reader's libFuzzer harness for N seconds (default 600)"
	@echo "make export SPEC=NAME CKPT=FILE [OUT=DIR] [WEIGHTS_FILE=1]   the C99 inference library NAME_infer.c/.h"
	@echo "                           with CKPT's weights, in OUT (default $(BUILD)/NAME/infer)"
	@echo "make check-generated       regenerate every spec and fail on any difference with generated/"
	@echo "make readme-options        rewrite the README's trainer-option table from runtime/option_table.c"
	@echo "make clean                 remove $(BUILD)/"

# Installs missing Debian packages (as root), or says exactly what to run.
deps:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	  else \
	    echo "missing Debian packages:$$missing"; \
	    echo "install them with: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

gen:
	$(LUA) generator/main.lua specs/$(SPEC).lua

summary:
	@$(LUA) generator/main.lua specs/$(SPEC).lua --summary

# SPEC must be given: the default one is a shipped spec.
ONNX ?=
import:
	@test -n "$(ONNX)" -a "$(origin SPEC)" = "command line" || { echo "usage: make import ONNX=FILE SPEC=NAME"; exit 2; }
	@$(MAKE) --no-print-directory deps PACKAGES="python3-onnx python3-numpy"
	@$(PYTHON) generator/onnx/import.py "$(ONNX)" $(SPEC) --spec specs/$(SPEC).lua --weights $(BUILD)/$(SPEC)/weights.safetensors
	@echo "next: make train SPEC=$(SPEC) ARGS='--init $(BUILD)/$(SPEC)/weights.safetensors ...'"

$(BUILD)/runtime/%.o: runtime/%.c $(wildcard runtime/*.h) | $(BUILD)/runtime
	$(CC) $(ALLFLAGS) -c $< -o $@

$(BUILD)/libnnrt.a: $(RUNTIME_OBJ)
	rm -f $@
	ar rcs $@ $^

# Per spec: generated code is committed and regenerated when its spec or the
# generator changes; the trainer links it with the runtime.
define spec_rules
generated/$(1)/$(1).c generated/$(1)/$(1).h generated/$(1)/$(1)_main.c &: specs/$(1).lua $(GENERATOR_SRC)
	$(LUA) generator/main.lua specs/$(1).lua
$(BUILD)/$(1)/train: generated/$(1)/$(1).c generated/$(1)/$(1)_main.c generated/$(1)/$(1).h $(BUILD)/libnnrt.a
	@mkdir -p $$(@D)
	$(CC) $(ALLFLAGS) -Igenerated/$(1) generated/$(1)/$(1).c generated/$(1)/$(1)_main.c $(BUILD)/libnnrt.a $(LDLIBS) -o $$@
endef
$(foreach s,$(SPECS),$(eval $(call spec_rules,$(s))))

# A trainer with a distillation teacher linked in (--teacher TEACHER:CKPT).
ifneq ($(TEACHER),)
TRAINER := $(BUILD)/$(SPEC)+$(TEACHER)/train
$(TRAINER): runtime/distill_main.c generated/$(SPEC)/$(SPEC).c generated/$(TEACHER)/$(TEACHER).c $(BUILD)/libnnrt.a
	@mkdir -p $(@D)
	$(CC) $(ALLFLAGS) -Igenerated/$(SPEC) -Igenerated/$(TEACHER) -DSTUDENT=$(SPEC)_model -DTEACHER=$(TEACHER)_model \
	  -DSTUDENT_HEADER='"$(SPEC).h"' -DTEACHER_HEADER='"$(TEACHER).h"' $(filter %.c,$^) $(BUILD)/libnnrt.a $(LDLIBS) -o $@
else
TRAINER := $(BUILD)/$(SPEC)/train
endif

$(BUILD)/runtime:
	@mkdir -p $@

build: deps
	@$(MAKE) --no-print-directory $(TRAINER)

train: build
	$(TRAINER) $(ARGS)

DEMO_RUN ?= $(BUILD)/runs/demo
demo: deps
	@mkdir -p $(dir $(DEMO_RUN))
	@$(MAKE) --no-print-directory train SPEC=fmnist_cnn ARGS="--epochs 3 --lr 0.003 --schedule cosine --save $(DEMO_RUN) $(ARGS)"
	@$(MAKE) --no-print-directory plot RUN=$(DEMO_RUN) || echo "no plots (gnuplot is missing); the run's CSV files are in $(DEMO_RUN)"

plot:
	@test -n "$(RUN)" -a -f "$(RUN)/log.csv" || { echo "usage: make plot RUN=DIR, DIR a trainer's --save directory"; exit 2; }
	@$(MAKE) --no-print-directory deps PACKAGES=gnuplot-nox
	@gnuplot -e "run='$(RUN)'" runtime/plot.gp
	@echo "plots:" $$(ls $(RUN)/*.png)

# The inference library (generator/infer/): CKPT's weights embedded, or with
# WEIGHTS_FILE=1 in OUT/NAME.weights, read at run time.
export:
	@test -n "$(CKPT)" || { echo "usage: make export SPEC=NAME CKPT=FILE [OUT=DIR] [WEIGHTS_FILE=1]"; exit 2; }
	$(LUA) generator/main.lua specs/$(SPEC).lua --infer $(CKPT) --out $(or $(OUT),$(BUILD)/$(SPEC)/infer) \
	  $(if $(filter 1,$(WEIGHTS_FILE)),--weights-file)
# Needs python3-onnx (and numpy), not torch.
export-onnx:
	@test -n "$(CKPT)" -a -n "$(ONNX)" || { echo "usage: make export-onnx SPEC=NAME CKPT=FILE ONNX=OUT.onnx"; exit 2; }
	@$(MAKE) --no-print-directory deps PACKAGES="lua5.4 python3-onnx python3-numpy"
	@$(PYTHON) generator/onnx/export.py specs/$(SPEC).lua --checkpoint $(CKPT) --export-onnx $(ONNX) --lua $(LUA)

check-generated:
	@rm -rf $(BUILD)/check-generated; fail=0; \
	for s in $(SPECS); do \
	  $(LUA) generator/main.lua specs/$$s.lua --out $(BUILD)/check-generated/$$s || exit 1; \
	  diff -ru generated/$$s $(BUILD)/check-generated/$$s || fail=1; \
	done; \
	for d in generated/*/; do s=$$(basename $$d); [ -f specs/$$s.lua ] || { echo "generated/$$s has no spec"; fail=1; }; done; \
	if [ $$fail = 0 ]; then echo "check-generated: $(words $(SPECS)) specs match generated/"; else \
	  echo "check-generated: generated/ is stale; run make gen for the specs above and commit"; exit 1; fi

# The README's option table, between its two marker lines, printed from the
# option table that the parser and --help use (test_options fails when they differ).
README_TABLE_BEGIN := <!-- options:begin -->
README_TABLE_END   := <!-- options:end -->
readme-options: $(BUILD)/tests/tools/options_md
	@grep -qx '$(README_TABLE_BEGIN)' README.md && grep -qx '$(README_TABLE_END)' README.md || \
	  { echo "README.md lacks the marker lines $(README_TABLE_BEGIN) and $(README_TABLE_END)"; exit 1; }
	@$< > $(BUILD)/options.md
	@awk -v table=$(BUILD)/options.md '$$0 == "$(README_TABLE_END)" { skip = 0 } !skip { print } \
	  $$0 == "$(README_TABLE_BEGIN)" { while ((getline line < table) > 0) print line; skip = 1 }' README.md > $(BUILD)/README.md
	@cat $(BUILD)/README.md > README.md
	@echo "README.md: option table written"

include tests/tests.mk
include tests/fuzz/fuzz.mk
include tests/bench/bench.mk

clean:
	rm -rf $(BUILD)
