# Tests, included by the Makefile. Every C test is a Criterion binary.
TEST_BUILD  := $(BUILD)/tests
GRAD_SPECS  := $(sort $(basename $(notdir $(wildcard tests/gradcheck/*.lua))))
GRAD_C      := $(foreach s,$(GRAD_SPECS),$(TEST_BUILD)/gradcheck/$(s)/$(s).c)
TEST_FLAGS   = $(ALLFLAGS) -Itests -I$(TEST_BUILD)/gradcheck
UNIT_TESTS  := $(sort $(basename $(notdir $(wildcard tests/test_*.c))))
TEST_BINS   := $(UNIT_TESTS:%=$(TEST_BUILD)/%)

# The gradient-check models, generated in double precision (not committed).
define gradcheck_rules
$(TEST_BUILD)/gradcheck/$(1)/$(1).c $(TEST_BUILD)/gradcheck/$(1)/$(1).h &: tests/gradcheck/$(1).lua $(GENERATOR_SRC)
	@$(LUA) generator/main.lua tests/gradcheck/$(1).lua --dtype double --out $(TEST_BUILD)/gradcheck/$(1)
endef
$(foreach s,$(GRAD_SPECS),$(eval $(call gradcheck_rules,$(s))))

$(TEST_BUILD)/gradcheck/gradcheck_models.h: $(GRAD_C) tests/tests.mk
	@{ echo "/* written by tests/tests.mk */"; \
	   for s in $(GRAD_SPECS); do echo "#include \"$$s/$$s.h\""; done; \
	   printf '#define GRADCHECK_MODELS(X)'; for s in $(GRAD_SPECS); do printf ' X(%s)' $$s; done; echo; } > $@

# The PyTorch comparison: a dumper per model (float), shipped specs and gradcheck
# specs; the deepest specs are compared on parameter and MAC counts only, to keep
# make test short (resnet18 covers their blocks numerically).
TORCH_COUNT_ONLY := resnet34 resnet50
TORCH_SPECS := $(filter-out $(TORCH_COUNT_ONLY),$(SPECS)) $(GRAD_SPECS)
TORCH_DUMPERS := $(TORCH_SPECS:%=$(TEST_BUILD)/torch/dump_%)
define torch_rules
$(TEST_BUILD)/float/$(1)/$(1).c $(TEST_BUILD)/float/$(1)/$(1).h &: tests/gradcheck/$(1).lua $(GENERATOR_SRC)
	@$(LUA) generator/main.lua tests/gradcheck/$(1).lua --out $(TEST_BUILD)/float/$(1)
endef
$(foreach s,$(GRAD_SPECS),$(eval $(call torch_rules,$(s))))
define dumper_rule
$(TEST_BUILD)/torch/dump_$(1): tests/torch/dump_model.c $(2)/$(1).c $(2)/$(1).h $(BUILD)/libnnrt.a
	@mkdir -p $$(@D)
	$(CC) $(ALLFLAGS) -I$(2) -DMODEL=$(1)_model -DMODEL_HEADER='"$(1).h"' $$< $(2)/$(1).c $(BUILD)/libnnrt.a $(LDLIBS) -o $$@
endef
$(foreach s,$(filter-out $(TORCH_COUNT_ONLY),$(SPECS)),$(eval $(call dumper_rule,$(s),generated/$(s))))
$(foreach s,$(GRAD_SPECS),$(eval $(call dumper_rule,$(s),$(TEST_BUILD)/float/$(s))))

$(TEST_BUILD)/torch/torch_models.h: tests/tests.mk $(wildcard specs/*.lua tests/gradcheck/*.lua)
	@mkdir -p $(@D)
	@{ echo "/* written by tests/tests.mk: X(name, spec file, dumper or empty for counts only) */"; \
	   printf '#define TORCH_MODELS(X)'; \
	   for s in $(filter-out $(TORCH_COUNT_ONLY),$(SPECS)); do printf ' X(%s, "specs/%s.lua", "$(TEST_BUILD)/torch/dump_%s")' $$s $$s $$s; done; \
	   for s in $(TORCH_COUNT_ONLY); do printf ' X(%s, "specs/%s.lua", "")' $$s $$s; done; \
	   for s in $(GRAD_SPECS); do printf ' X(%s, "tests/gradcheck/%s.lua", "$(TEST_BUILD)/torch/dump_%s")' $$s $$s $$s; done; \
	   echo; } > $@

$(TEST_BUILD)/test_torch: tests/test_torch.c $(TEST_BUILD)/torch/torch_models.h $(TORCH_DUMPERS) $(BUILD)/resnet18/train
	$(CC) $(ALLFLAGS) -I$(TEST_BUILD)/torch -DTEST_BUILD='"$(TEST_BUILD)"' -DPYTHON='"$(PYTHON)"' -DLUA='"$(LUA)"' \
	  tests/test_torch.c -lcriterion -o $@

$(TEST_BUILD)/test_gradcheck: tests/test_gradcheck.c $(TEST_BUILD)/gradcheck/gradcheck_models.h $(GRAD_C) $(BUILD)/libnnrt.a
	$(CC) $(TEST_FLAGS) tests/test_gradcheck.c $(GRAD_C) $(BUILD)/libnnrt.a -lcriterion $(LDLIBS) -o $@

# The same checks compiled without AVX-512, where the machine has it: the direct
# convolutions are written out for 16-lane (AVX-512) and 8-lane vectors, and this
# runs the 8-lane code.
ifneq ($(shell grep -qw avx512f /proc/cpuinfo 2>/dev/null && echo yes),)
TEST_BINS += $(TEST_BUILD)/test_gradcheck_narrow
endif
$(TEST_BUILD)/test_gradcheck_narrow: tests/test_gradcheck.c $(TEST_BUILD)/gradcheck/gradcheck_models.h $(GRAD_C) $(BUILD)/libnnrt.a
	$(CC) $(TEST_FLAGS) -mno-avx512f -DGRADCHECK_NARROW tests/test_gradcheck.c $(GRAD_C) $(BUILD)/libnnrt.a -lcriterion $(LDLIBS) -o $@

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

# Tests that run gradient-check models (double) directly: test name, models.
define model_test
$(TEST_BUILD)/test_$(1): tests/test_$(1).c $(foreach g,$(2),$(TEST_BUILD)/gradcheck/$(g)/$(g).c) $(BUILD)/libnnrt.a
	$(CC) $(TEST_FLAGS) $$< $(foreach g,$(2),$(TEST_BUILD)/gradcheck/$(g)/$(g).c) $(BUILD)/libnnrt.a -lcriterion $(LDLIBS) -o $$@
endef
$(eval $(call model_test,batchnorm,bn_tiny))
$(eval $(call model_test,dropblock,dropblock_plain))
$(eval $(call model_test,freeze,net_mini_resnet direct_pool_scatter))

# The fused optimizer step needs a float model: the shipped fmnist_cnn.
$(TEST_BUILD)/test_fused: tests/test_fused.c generated/fmnist_cnn/fmnist_cnn.c $(BUILD)/libnnrt.a
	@mkdir -p $(@D)
	$(CC) $(TEST_FLAGS) -Igenerated/fmnist_cnn $< generated/fmnist_cnn/fmnist_cnn.c $(BUILD)/libnnrt.a -lcriterion $(LDLIBS) -o $@

$(TEST_BUILD)/test_%: tests/test_%.c tests/helpers.h $(BUILD)/libnnrt.a
	@mkdir -p $(@D)
	$(CC) $(TEST_FLAGS) $< $(BUILD)/libnnrt.a -lcriterion $(LDLIBS) -o $@

# Builds the test binaries TEST_JOBS at a time (the compiles of the generated
# models are most of make test's time), runs every Criterion binary (each also
# writes TAP), then check-generated, and ends with one line that counts them all.
TEST_JOBS ?= 2
TEST_PACKAGES := python3-numpy python3-pil python3-torch clang libclang-rt-14-dev
test:
	@$(MAKE) --no-print-directory deps PACKAGES="$(PACKAGES) $(TEST_PACKAGES)"
	@$(MAKE) --no-print-directory -j$(TEST_JOBS) $(TEST_BINS) $(FUZZ_BINS)
	@rm -rf $(TEST_BUILD)/tap; mkdir -p $(TEST_BUILD)/tap; fail=0; \
	for t in $(TEST_BINS); do echo "== $$t"; $$t --jobs 2 --tap=$(TEST_BUILD)/tap/$$(basename $$t).tap || fail=1; done; \
	tests/fuzz/run.sh $(BUILD)/fuzz $(FUZZ_SMOKE_SECONDS) $(FUZZ_NAMES) > $(TEST_BUILD)/tap/fuzz.tap || fail=1; \
	cat $(TEST_BUILD)/tap/fuzz.tap; \
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
$(TEST_BUILD)/test_datasets: $(foreach s,signal_conv1d binary_cnn regression_mlp regression_mlp_l1 multilabel_cnn fmnist_cnn,$(BUILD)/$(s)/train)
