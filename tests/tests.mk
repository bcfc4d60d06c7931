# Tests, included by the Makefile. Every C test is a Criterion binary.
TEST_BUILD  := $(BUILD)/tests
GRAD_SPECS  := $(sort $(basename $(notdir $(wildcard tests/gradcheck/*.lua))))
GRAD_C      := $(foreach s,$(GRAD_SPECS),$(TEST_BUILD)/gradcheck/$(s)/$(s).c)
GRAD_O      := $(GRAD_C:.c=.o)
# BUILD_DIR: where the tests that run trainers find them.
TEST_FLAGS   = $(ALLFLAGS) -DBUILD_DIR='"$(BUILD)"' -Itests -I$(TEST_BUILD)/gradcheck
UNIT_TESTS  := $(sort $(basename $(notdir $(wildcard tests/test_*.c))))
TEST_BINS   := $(UNIT_TESTS:%=$(TEST_BUILD)/%)

# The gradient-check models, generated in double precision (not committed).
define gradcheck_rules
$(TEST_BUILD)/gradcheck/$(1)/$(1).c $(TEST_BUILD)/gradcheck/$(1)/$(1).h &: tests/gradcheck/$(1).lua $(GENERATOR_SRC)
	@$(LUA) generator/main.lua tests/gradcheck/$(1).lua --dtype double --out $(TEST_BUILD)/gradcheck/$(1)
endef
$(foreach s,$(GRAD_SPECS),$(eval $(call gradcheck_rules,$(s))))

# Each test model is compiled once, in parallel with the others, and linked into
# every test binary that runs it (gradient checks, bounds, PyTorch dumpers).
$(TEST_BUILD)/float/%.o: $(TEST_BUILD)/float/%.c
	$(CC) $(ALLFLAGS) -c $< -o $@
$(TEST_BUILD)/gradcheck/%.o: $(TEST_BUILD)/gradcheck/%.c
	$(CC) $(ALLFLAGS) -c $< -o $@

$(TEST_BUILD)/gradcheck/gradcheck_models.h: $(GRAD_C) tests/tests.mk
	@{ echo "/* written by tests/tests.mk */"; \
	   for s in $(GRAD_SPECS); do echo "#include \"$$s/$$s.h\""; done; \
	   printf '#define GRADCHECK_MODELS(X)'; for s in $(GRAD_SPECS); do printf ' X(%s)' $$s; done; echo; } > $@

# The PyTorch comparison: a dumper per model (float), shipped specs and gradcheck
# specs; the deepest specs are compared on parameter and MAC counts only, to keep
# make test short (resnet18 covers their blocks numerically; the 224x224
# torchvision ResNets are checked name for name against torchvision, and
# resnet50_imagenet end to end against it by test_transfer).
TORCH_COUNT_ONLY := resnet34 resnet50 resnet18_imagenet resnet50_imagenet
TORCH_SPECS := $(filter-out $(TORCH_COUNT_ONLY),$(SPECS)) $(GRAD_SPECS)
TORCH_DUMPERS := $(TORCH_SPECS:%=$(TEST_BUILD)/torch/dump_%)
define torch_rules
$(TEST_BUILD)/float/$(1)/$(1).c $(TEST_BUILD)/float/$(1)/$(1).h &: tests/gradcheck/$(1).lua $(GENERATOR_SRC)
	@$(LUA) generator/main.lua tests/gradcheck/$(1).lua --out $(TEST_BUILD)/float/$(1)
endef
$(foreach s,$(GRAD_SPECS),$(eval $(call torch_rules,$(s))))
# dumper_rule: name, directory of its header, its C source or object.
define dumper_rule
$(TEST_BUILD)/torch/dump_$(1): tests/torch/dump_model.c $(3) $(2)/$(1).h $(BUILD)/libnnrt.a
	@mkdir -p $$(@D)
	$(CC) $(ALLFLAGS) -I$(2) -DMODEL=$(1)_model -DMODEL_HEADER='"$(1).h"' $$< $(3) $(BUILD)/libnnrt.a $(LDLIBS) -o $$@
endef
$(foreach s,$(filter-out $(TORCH_COUNT_ONLY),$(SPECS)),$(eval $(call dumper_rule,$(s),generated/$(s),generated/$(s)/$(s).c)))
$(foreach s,$(GRAD_SPECS),$(eval $(call dumper_rule,$(s),$(TEST_BUILD)/float/$(s),$(TEST_BUILD)/float/$(s)/$(s).o)))

$(TEST_BUILD)/torch/torch_models.h: tests/tests.mk $(wildcard specs/*.lua tests/gradcheck/*.lua)
	@mkdir -p $(@D)
	@{ echo "/* written by tests/tests.mk: X(name, spec file, dumper or empty for counts only) */"; \
	   printf '#define TORCH_MODELS(X)'; \
	   for s in $(filter-out $(TORCH_COUNT_ONLY),$(SPECS)); do printf ' X(%s, "specs/%s.lua", "$(TEST_BUILD)/torch/dump_%s")' $$s $$s $$s; done; \
	   for s in $(TORCH_COUNT_ONLY); do printf ' X(%s, "specs/%s.lua", "")' $$s $$s; done; \
	   for s in $(GRAD_SPECS); do printf ' X(%s, "tests/gradcheck/%s.lua", "$(TEST_BUILD)/torch/dump_%s")' $$s $$s $$s; done; \
	   echo; } > $@

$(TEST_BUILD)/test_torch: tests/test_torch.c $(TEST_BUILD)/torch/torch_models.h $(TORCH_DUMPERS) $(BUILD)/resnet18/train
	$(CC) $(ALLFLAGS) -I$(TEST_BUILD)/torch -DBUILD_DIR='"$(BUILD)"' -DPYTHON='"$(PYTHON)"' -DLUA='"$(LUA)"' \
	  tests/test_torch.c -lcriterion -o $@

# The ONNX export (tests/test_onnx_export.c), checked on the shipped specs that
# test_torch runs and on the gradient-check specs of the ops those lack, with
# the same dumpers.
ONNX_EXPORT_GRAD := act_elu act_leaky_relu act_sigmoid act_tanh avgpool_variants maxpool_variants \
  maxpool1d_variants bn_1d_vector bn_1d_sequence concat_vectors conv_explicit_pad softmax_output rows_sequence \
  global_avgpool_1d dropout_mask residual_projection net_mini_inception act_relu6 conv_grouped conv_depthwise \
  conv_dilated conv1d_grouped pool_ceil_mode pool_pad_per_side maxpool1d_ceil_mode
ONNX_EXPORT_SPECS := $(filter-out $(TORCH_COUNT_ONLY),$(SPECS))
$(TEST_BUILD)/onnx_export/onnx_export_models.h: tests/tests.mk $(wildcard specs/*.lua)
	@mkdir -p $(@D)
	@{ echo "/* written by tests/tests.mk: X(name, spec file, dumper) */"; \
	   printf '#define ONNX_EXPORT_MODELS(X)'; \
	   for s in $(ONNX_EXPORT_SPECS); do printf ' X(%s, "specs/%s.lua", "$(TEST_BUILD)/torch/dump_%s")' $$s $$s $$s; done; \
	   for s in $(ONNX_EXPORT_GRAD); do printf ' X(%s, "tests/gradcheck/%s.lua", "$(TEST_BUILD)/torch/dump_%s")' $$s $$s $$s; done; \
	   echo; } > $@
$(TEST_BUILD)/test_onnx_export: tests/test_onnx_export.c $(TEST_BUILD)/onnx_export/onnx_export_models.h \
  $(foreach s,$(ONNX_EXPORT_SPECS) $(ONNX_EXPORT_GRAD),$(TEST_BUILD)/torch/dump_$(s)) $(TEST_BUILD)/trainers/cifar_small/train
	$(CC) $(ALLFLAGS) -I$(TEST_BUILD)/onnx_export -DBUILD_DIR='"$(BUILD)"' -DPYTHON='"$(PYTHON)"' -DLUA='"$(LUA)"' $< -lcriterion -o $@

# torchvision's resnet18 and resnet50 exported by torch.onnx.export, imported
# (generator/onnx/import.py), generated in float and run by dump_model.c with the
# imported weights (tests/test_onnx_roundtrip.c, tests/onnx/roundtrip_tv.py).
ROUNDTRIP_MODELS := resnet18 resnet50
RT := $(TEST_BUILD)/onnx_roundtrip
ONNX_IMPORT_SRC := $(filter-out generator/onnx/export%,$(wildcard generator/onnx/*.py))
define roundtrip_rules
$(RT)/$(1)/model.onnx: tests/onnx/roundtrip_tv.py
	@$(PYTHON) $$< export $(1) $$(@D)
$(RT)/$(1)/rt_$(1).lua $(RT)/$(1)/weights.safetensors &: $(RT)/$(1)/model.onnx $(ONNX_IMPORT_SRC)
	@rm -f $(RT)/$(1)/rt_$(1).lua
	@$(PYTHON) generator/onnx/import.py $$< rt_$(1) --spec $(RT)/$(1)/rt_$(1).lua --weights $(RT)/$(1)/weights.safetensors \
	  --batch 6 >/dev/null
$(RT)/$(1)/rt_$(1).c $(RT)/$(1)/rt_$(1).h &: $(RT)/$(1)/rt_$(1).lua $(GENERATOR_SRC)
	@$(LUA) generator/main.lua $$< --out $(RT)/$(1)
$(RT)/$(1)/dump: tests/torch/dump_model.c $(RT)/$(1)/rt_$(1).c $(RT)/$(1)/rt_$(1).h $(BUILD)/libnnrt.a
	$(CC) $(ALLFLAGS) -I$(RT)/$(1) -DMODEL=rt_$(1)_model -DMODEL_HEADER='"rt_$(1).h"' $$< $(RT)/$(1)/rt_$(1).c \
	  $(BUILD)/libnnrt.a $(LDLIBS) -o $$@
endef
$(foreach m,$(ROUNDTRIP_MODELS),$(eval $(call roundtrip_rules,$(m))))
$(TEST_BUILD)/test_onnx_roundtrip: tests/test_onnx_roundtrip.c $(ROUNDTRIP_MODELS:%=$(RT)/%/dump) tests/tests.mk
	$(CC) $(ALLFLAGS) -DPYTHON='"$(PYTHON)"' -DLUA='"$(LUA)"' -DRT='"$(RT)"' \
	  -DROUNDTRIP_MODELS='$(foreach m,$(ROUNDTRIP_MODELS),X($(m)))' $< -lcriterion -o $@

$(TEST_BUILD)/test_gradcheck: tests/test_gradcheck.c $(TEST_BUILD)/gradcheck/gradcheck_models.h $(GRAD_O) $(BUILD)/libnnrt.a
	$(CC) $(TEST_FLAGS) tests/test_gradcheck.c $(GRAD_O) $(BUILD)/libnnrt.a -lcriterion $(LDLIBS) -o $@

# The same checks compiled without AVX-512, where the machine has it: the direct
# convolutions are written out for 16-lane (AVX-512) and 8-lane vectors, and this
# runs the 8-lane code.
ifneq ($(shell grep -qw avx512f /proc/cpuinfo 2>/dev/null && echo yes),)
TEST_BINS += $(TEST_BUILD)/test_gradcheck_narrow
endif
$(TEST_BUILD)/test_gradcheck_narrow: tests/test_gradcheck.c $(TEST_BUILD)/gradcheck/gradcheck_models.h $(GRAD_C) $(BUILD)/libnnrt.a
	$(CC) $(TEST_FLAGS) -mno-avx512f -DGRADCHECK_NARROW tests/test_gradcheck.c $(GRAD_C) $(BUILD)/libnnrt.a -lcriterion $(LDLIBS) -o $@

# The same models in float, as the trainers run them, with guards after every array
# (tests/test_bounds.c); generated by the PyTorch comparison's rules above.
FLOAT_C := $(foreach s,$(GRAD_SPECS),$(TEST_BUILD)/float/$(s)/$(s).c)
FLOAT_O := $(FLOAT_C:.c=.o)
$(TEST_BUILD)/float/float_models.h: $(FLOAT_C) tests/tests.mk
	@{ echo "/* written by tests/tests.mk */"; \
	   for s in $(GRAD_SPECS); do echo "#include \"$$s/$$s.h\""; done; \
	   printf '#define FLOAT_MODELS(X)'; for s in $(GRAD_SPECS); do printf ' X(%s)' $$s; done; echo; } > $@

$(TEST_BUILD)/test_bounds: tests/test_bounds.c $(TEST_BUILD)/float/float_models.h $(FLOAT_O) $(BUILD)/libnnrt.a
	$(CC) $(ALLFLAGS) -Itests -I$(TEST_BUILD)/float tests/test_bounds.c $(FLOAT_O) $(BUILD)/libnnrt.a -lcriterion \
	  $(LDLIBS) -o $@

# Trainers for the trainer tests (tests/trainers/*.lua, generated into build/, not committed).
TEST_TRAINERS := $(sort $(basename $(notdir $(wildcard tests/trainers/*.lua))))
define trainer_rules
$(TEST_BUILD)/trainers/$(1)/$(1).c $(TEST_BUILD)/trainers/$(1)/$(1)_main.c &: tests/trainers/$(1).lua $(GENERATOR_SRC)
	@$(LUA) generator/main.lua $$< --out $(TEST_BUILD)/trainers/$(1)
$(TEST_BUILD)/trainers/$(1)/train: $(TEST_BUILD)/trainers/$(1)/$(1).c $(TEST_BUILD)/trainers/$(1)/$(1)_main.c $(BUILD)/libnnrt.a
	$(CC) $(ALLFLAGS) -I$$(@D) $$(filter %.c,$$^) $(BUILD)/libnnrt.a $(LDLIBS) -o $$@
endef
$(foreach s,$(TEST_TRAINERS),$(eval $(call trainer_rules,$(s))))

$(TEST_BUILD)/test_trainer: $(BUILD)/fmnist_cnn/train $(TEST_BUILD)/trainers/cifar_small/train
$(TEST_BUILD)/test_run: $(BUILD)/fmnist_cnn/train $(TEST_TRAINERS:%=$(TEST_BUILD)/trainers/%/train)
$(TEST_BUILD)/test_crash: $(BUILD)/fmnist_cnn/train
$(TEST_BUILD)/test_signals: $(BUILD)/fmnist_cnn/train

# Tests that run gradient-check models (double) directly: test name, models.
define model_test
$(TEST_BUILD)/test_$(1): tests/test_$(1).c $(foreach g,$(2),$(TEST_BUILD)/gradcheck/$(g)/$(g).o) $(BUILD)/libnnrt.a
	$(CC) $(TEST_FLAGS) $$< $(foreach g,$(2),$(TEST_BUILD)/gradcheck/$(g)/$(g).o) $(BUILD)/libnnrt.a -lcriterion $(LDLIBS) -o $$@
endef
$(eval $(call model_test,batchnorm,bn_tiny))
$(eval $(call model_test,dropblock,dropblock_plain))
$(eval $(call model_test,freeze,net_mini_resnet direct_pool_scatter))

# The fused optimizer step needs a float model: the shipped fmnist_cnn.
$(TEST_BUILD)/test_fused: tests/test_fused.c generated/fmnist_cnn/fmnist_cnn.c $(BUILD)/libnnrt.a
	@mkdir -p $(@D)
	$(CC) $(TEST_FLAGS) -Igenerated/fmnist_cnn $< generated/fmnist_cnn/fmnist_cnn.c $(BUILD)/libnnrt.a -lcriterion $(LDLIBS) -o $@

# The shared kernels (runtime/nn_*.h) are written over `real`: their tests are compiled once
# per scalar type (tests/kernel_checks.h) and linked into one binary, without the runtime.
KERNEL_TESTS := kernels winograd
$(KERNEL_TESTS:%=$(TEST_BUILD)/test_%): $(TEST_BUILD)/test_%: tests/test_%.c tests/kernel_checks.h \
  $(wildcard runtime/nn_*.h)
	@mkdir -p $(@D)
	$(CC) $(TEST_FLAGS) -DREAL_FLOAT=1 -c $< -o $@.float.o
	$(CC) $(TEST_FLAGS) -DREAL_FLOAT=0 -c $< -o $@.double.o
	$(CC) $(ALLFLAGS) $@.float.o $@.double.o -lcriterion -lm -o $@

# The transfer-learning assignment (tests/test_transfer.c): resnet50_imagenet
# with a 10-class head, copied as a user would (CLASSES = 10) into build/, and
# a batch of 4 so that its arenas (225 MB per image with the gradients) stay
# small and the teacher runs in pieces of resnet18's batch; its model is
# compiled once (about 30 s of CPU) for its own trainer and for resnet18's
# distillation trainer.
TRANSFER := $(TEST_BUILD)/transfer
R50C := $(TRANSFER)/resnet50_cifar10
$(TRANSFER)/resnet50_cifar10.lua: specs/resnet50_imagenet.lua tests/tests.mk
	@mkdir -p $(@D)
	@sed 's/^local CLASSES = 1000$$/local CLASSES = 10/; s/batch = 16,/batch = 4,/' $< > $@
	@grep -q '^local CLASSES = 10$$' $@ && grep -q 'batch = 4,' $@ || \
	  { echo "$<: no line 'local CLASSES = 1000' or no 'batch = 16,' to change"; rm -f $@; exit 1; }
$(R50C)/resnet50_cifar10.c $(R50C)/resnet50_cifar10.h $(R50C)/resnet50_cifar10_main.c &: \
  $(TRANSFER)/resnet50_cifar10.lua $(GENERATOR_SRC)
	@$(LUA) generator/main.lua $< --out $(R50C)
$(R50C)/resnet50_cifar10.o: $(R50C)/resnet50_cifar10.c $(R50C)/resnet50_cifar10.h $(wildcard runtime/nn_*.h)
	$(CC) $(ALLFLAGS) -I$(R50C) -c $< -o $@
$(TRANSFER)/resnet18.o: generated/resnet18/resnet18.c generated/resnet18/resnet18.h $(wildcard runtime/nn_*.h)
	@mkdir -p $(@D)
	$(CC) $(ALLFLAGS) -Igenerated/resnet18 -c $< -o $@
$(R50C)/train: $(R50C)/resnet50_cifar10_main.c $(R50C)/resnet50_cifar10.o $(BUILD)/libnnrt.a
	$(CC) $(ALLFLAGS) -I$(R50C) $^ $(LDLIBS) -o $@
$(TRANSFER)/resnet18+resnet50_cifar10/train: runtime/distill_main.c $(TRANSFER)/resnet18.o $(R50C)/resnet50_cifar10.o \
  $(BUILD)/libnnrt.a
	@mkdir -p $(@D)
	$(CC) $(ALLFLAGS) -Igenerated/resnet18 -I$(R50C) -DSTUDENT=resnet18_model -DTEACHER=resnet50_cifar10_model \
	  -DSTUDENT_HEADER='"resnet18.h"' -DTEACHER_HEADER='"resnet50_cifar10.h"' $^ $(LDLIBS) -o $@
$(TEST_BUILD)/test_transfer: tests/test_transfer.c tests/helpers.h $(R50C)/train $(TRANSFER)/resnet18+resnet50_cifar10/train
	$(CC) $(TEST_FLAGS) -DPYTHON='"$(PYTHON)"' $< -lcriterion -o $@

# The teacher's bilinear resize against PyTorch (tests/torch/interpolate_reference.py).
$(TEST_BUILD)/test_interpolate: tests/test_interpolate.c tests/helpers.h $(BUILD)/libnnrt.a
	@mkdir -p $(@D)
	$(CC) $(TEST_FLAGS) -DPYTHON='"$(PYTHON)"' $< $(BUILD)/libnnrt.a -lcriterion $(LDLIBS) -o $@

$(TEST_BUILD)/tools/options_md: tests/tools/options_md.c $(BUILD)/libnnrt.a
	@mkdir -p $(@D)
	$(CC) $(ALLFLAGS) $< $(BUILD)/libnnrt.a $(LDLIBS) -o $@

$(TEST_BUILD)/test_%: tests/test_%.c tests/helpers.h $(BUILD)/libnnrt.a
	@mkdir -p $(@D)
	$(CC) $(TEST_FLAGS) $< $(BUILD)/libnnrt.a -lcriterion $(LDLIBS) -o $@

# SANITIZE=1: tests that expect a trainer to fail would not tell a sanitizer's
# exit from the expected one, so every AddressSanitizer and LeakSanitizer report,
# of a test or of a program it runs, goes to a file in SAN_LOGS, and any such
# file fails make test. GCC's UBSan runtime ignores log_path next to ASan's: it
# reports on stderr and exits with status 86, which no test expects.
SAN_LOGS := $(abspath $(TEST_BUILD)/sanitizer)
ifneq ($(SANITIZE_ON),)
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:exitcode=86:log_path=$(SAN_LOGS)/asan UBSAN_OPTIONS=print_stacktrace=1:exitcode=86
endif

# The generator's planner, fusion and line wrapping, unit-tested in Lua (tests/lua/*_spec.lua).
LUA_TESTS = $(LUA) /usr/bin/busted --lpath='generator/?.lua;generator/?/init.lua;tests/lua/?.lua' tests/lua
test-lua:
	@$(LUA_TESTS)

# TESTS=NAME,... (commas or spaces): only the Criterion binaries test_NAME, and
# the busted tests if lua is named (CI's sanitized subset, or one suite again).
# The libFuzzer harnesses are sanitized in every build: the plain, whole make
# test runs them, and make test SANITIZE=1 or with TESTS does not.
TESTS ?=
comma := ,
TEST_NAMES = $(subst $(comma), ,$(TESTS))
RUN_TESTS = $(if $(TESTS),$(filter-out $(TEST_BUILD)/test_lua $(TEST_BUILD)/test_onnx,$(TEST_NAMES:%=$(TEST_BUILD)/test_%)),$(TEST_BINS))
RUN_LUA = $(if $(TESTS),$(filter lua,$(TEST_NAMES)),lua)
RUN_ONNX = $(if $(TESTS),$(filter onnx,$(TEST_NAMES)),onnx)

# ONNX's backend node tests through generator/onnx (tests/onnx/node_tests.py): each
# imported model is compiled at -O1, TEST_JOBS at a time, and compared with ONNX's output.
ONNX_DATA := /usr/share/libonnx-testdata/data/node
ONNX_CFLAGS = $(WARN) $(filter-out -O%,$(CFLAGS)) -O1 $(SANITIZE_FLAGS) -ffp-contract=fast -fopenmp $(CPPFLAGS)
ONNX_TESTS = $(SAN_ENV) $(PYTHON) tests/onnx/node_tests.py $(ONNX_DATA) $(TEST_BUILD)/onnx --cc "$(CC)" \
  --cflags "$(ONNX_CFLAGS)" --lib $(BUILD)/libnnrt.a --ldlibs "$(LDLIBS)" --lua $(LUA) --jobs $(TEST_JOBS)
FUZZ_SKIP = $(if $(SANITIZE_ON),SANITIZE=1,$(if $(TESTS),TESTS=$(TESTS)))

# Builds the test binaries TEST_JOBS at a time (the compiles of the generated
# models are most of make test's time), runs every Criterion binary (each also
# writes TAP), then check-generated, and ends with one line that counts them all.
TEST_JOBS ?= 2
TEST_PACKAGES := python3-numpy python3-pil python3-torch python3-torchvision clang libclang-rt-14-dev lua-busted \
                 liblua5.4-dev gcc-arm-none-eabi libnewlib-arm-none-eabi python3-onnx libonnx-testdata
test:
	@$(MAKE) --no-print-directory deps PACKAGES="$(PACKAGES) $(TEST_PACKAGES)"
	@$(MAKE) --no-print-directory -j$(TEST_JOBS) $(RUN_TESTS) $(if $(FUZZ_SKIP),,$(FUZZ_BINS)) \
	  $(if $(RUN_ONNX),$(BUILD)/libnnrt.a)
	@rm -rf $(TEST_BUILD)/tap $(SAN_LOGS); mkdir -p $(TEST_BUILD)/tap $(if $(SANITIZE_ON),$(SAN_LOGS)); fail=0; \
	for t in $(RUN_TESTS); do echo "== $$t"; $(SAN_ENV) $$t --jobs 2 --tap=$(TEST_BUILD)/tap/$$(basename $$t).tap || fail=1; done; \
	$(if $(RUN_LUA),echo "== tests/lua"; $(LUA_TESTS) -o TAP > $(TEST_BUILD)/tap/lua.tap || fail=1; cat $(TEST_BUILD)/tap/lua.tap;) \
	$(if $(RUN_ONNX),echo "== tests/onnx"; $(ONNX_TESTS) > $(TEST_BUILD)/tap/onnx.tap || fail=1; cat $(TEST_BUILD)/tap/onnx.tap;) \
	$(if $(FUZZ_SKIP),echo "ok - fuzz # SKIP with $(FUZZ_SKIP)", \
	  tests/fuzz/run.sh $(BUILD)/fuzz $(FUZZ_SMOKE_SECONDS) $(FUZZ_NAMES)) > $(TEST_BUILD)/tap/fuzz.tap || fail=1; \
	cat $(TEST_BUILD)/tap/fuzz.tap; \
	$(if $(SANITIZE_ON),if [ -z "$$(ls $(SAN_LOGS))" ]; then echo "ok - sanitizers: no report"; else \
	  cat $(SAN_LOGS)/* >&2; echo "not ok - sanitizers: the reports above (files in $(SAN_LOGS))"; fail=1; \
	  fi > $(TEST_BUILD)/tap/sanitizers.tap; cat $(TEST_BUILD)/tap/sanitizers.tap;) \
	if $(MAKE) --no-print-directory check-generated; then echo "ok - check-generated"; else echo "not ok - check-generated"; fail=1; fi \
	  > $(TEST_BUILD)/tap/check-generated.tap; cat $(TEST_BUILD)/tap/check-generated.tap; \
	cat $(TEST_BUILD)/tap/*.tap | awk '/^ok / { if (/# SKIP/) s++; else p++ } /^not ok / { f++ } \
	  END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }'; \
	exit $$fail

# Malformed data files (tests/test_bad_data.c), written when the generator changes.
BAD_DATA := $(TEST_BUILD)/bad_data
$(BAD_DATA)/cases.tsv: tests/tools/make_bad_data.py
	@rm -rf $(BAD_DATA); mkdir -p $(BAD_DATA)
	@$(PYTHON) $< $(BAD_DATA) >/dev/null
$(TEST_BUILD)/test_bad_data: tests/test_bad_data.c tests/helpers.h $(BAD_DATA)/cases.tsv \
  $(foreach s,signal_conv1d binary_cnn regression_mlp multilabel_cnn fmnist_cnn,$(BUILD)/$(s)/train) \
  $(TEST_BUILD)/trainers/cifar_small/train
	$(CC) $(TEST_FLAGS) -DBAD_DATA='"$(BAD_DATA)"' $< -lcriterion -o $@
# Crafted checkpoints (tests/test_bad_checkpoints.c), patched from one that the mlp_batch8 test trainer saves.
BAD_CKPT := $(TEST_BUILD)/bad_checkpoints
$(BAD_CKPT)/cases.tsv: tests/tools/make_bad_checkpoints.py $(TEST_BUILD)/trainers/mlp_batch8/train
	@rm -rf $(BAD_CKPT); mkdir -p $(BAD_CKPT)
	@$(PYTHON) $< $(TEST_BUILD)/trainers/mlp_batch8/train $(BAD_CKPT) >/dev/null
$(TEST_BUILD)/test_bad_checkpoints: tests/test_bad_checkpoints.c tests/helpers.h $(BAD_CKPT)/cases.tsv \
  $(TEST_BUILD)/trainers/mlp_batch8/mlp_batch8.c $(BUILD)/libnnrt.a
	$(CC) $(TEST_FLAGS) -I$(TEST_BUILD)/trainers/mlp_batch8 -DBAD_CKPT='"$(BAD_CKPT)"' $< \
	  $(TEST_BUILD)/trainers/mlp_batch8/mlp_batch8.c $(BUILD)/libnnrt.a -lcriterion $(LDLIBS) -o $@
$(TEST_BUILD)/test_datasets: $(foreach s,signal_conv1d binary_cnn regression_mlp regression_mlp_l1 multilabel_cnn fmnist_cnn,$(BUILD)/$(s)/train)

# The inference export (tests/test_infer.c, tests/infer/): the trainers it compares
# with, and tests/infer/all_ops.lua's, generated into build/ (not committed).
$(TEST_BUILD)/infer/all_ops/all_ops.c $(TEST_BUILD)/infer/all_ops/all_ops_main.c &: tests/infer/all_ops.lua $(GENERATOR_SRC)
	@$(LUA) generator/main.lua $< --out $(TEST_BUILD)/infer/all_ops
$(TEST_BUILD)/infer/all_ops/train: $(TEST_BUILD)/infer/all_ops/all_ops.c $(TEST_BUILD)/infer/all_ops/all_ops_main.c \
  $(BUILD)/libnnrt.a
	$(CC) $(ALLFLAGS) -I$(@D) $(filter %.c,$^) $(BUILD)/libnnrt.a $(LDLIBS) -o $@
$(TEST_BUILD)/test_infer: tests/test_infer.c tests/infer/check.sh tests/infer/run_infer.c tests/infer/compare.py \
  $(BUILD)/fmnist_cnn/train $(BUILD)/resnet18/train $(TEST_BUILD)/infer/all_ops/train
	$(CC) $(ALLFLAGS) -DBUILD_DIR='"$(BUILD)"' -DLUA='"$(LUA)"' -DPYTHON='"$(PYTHON)"' -DCC_NAME='"$(CC)"' \
	  -DINFER_CFLAGS='"$(CFLAGS)"' $< -lcriterion -o $@
