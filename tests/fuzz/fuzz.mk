# libFuzzer harnesses for every data parser, the checkpoint reader and the spec
# loader, included by the Makefile. tests/fuzz/fuzz_NAME.c includes the runtime
# sources it exercises (fuzz_spec embeds Lua to run the generator), and
# tests/fuzz/corpus/NAME/ holds its seed inputs. `make fuzz` runs each harness
# for FUZZ_SECONDS on a copy of its corpus; make test runs each for
# FUZZ_SMOKE_SECONDS (tests/fuzz/run.sh writes the TAP lines).
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_NAMES   := $(sort $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_BINS    := $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%)
FUZZ_FLAGS   := -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=undefined -Iruntime
FUZZ_LIBS    := -lpng -ljpeg -lz -lm -lpthread

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard runtime/*.c runtime/*.h tests/fuzz/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $< $(FUZZ_LIBS) -o $@

$(BUILD)/fuzz/fuzz_spec: tests/fuzz/fuzz_spec.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -I/usr/include/lua5.4 $< -llua5.4 -o $@

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BINS)

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@tests/fuzz/run.sh $(BUILD)/fuzz $(FUZZ_SECONDS) $(FUZZ_NAMES)
