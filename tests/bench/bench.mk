# make bench [PROFILE=1] [QUICK=1] [NATIVE_BLAS=1] [WRITE_DOCS=1]: the generated trainers against
# PyTorch (tests/bench/bench.py), printed and written as a markdown table (date, CPU, vector
# extensions) to $(BUILD)/bench/results.md; WRITE_DOCS=1 also puts that table into
# docs/benchmarks.md between its bench:begin/bench:end marker lines. NATIVE_BLAS=1 runs it
# without the machine's OPENBLAS_CORETYPE pin, so that OpenBLAS picks its kernels for this CPU
# (the bench checks its sgemm results).
BENCH_DOCS   := docs/benchmarks.md
BENCH_BUILD  := $(BUILD)/bench
BENCH_MODELS := fmnist_cnn resnet18
define bench_rule
$(BENCH_BUILD)/bench_$(1): tests/bench/bench_model.c generated/$(1)/$(1).c generated/$(1)/$(1).h $(BUILD)/libnnrt.a
	@mkdir -p $$(@D)
	$(CC) $(ALLFLAGS) -Igenerated/$(1) -DMODEL=$(1)_model -DMODEL_HEADER='"$(1).h"' $$< generated/$(1)/$(1).c $(BUILD)/libnnrt.a $(LDLIBS) -o $$@
endef
$(foreach m,$(BENCH_MODELS),$(eval $(call bench_rule,$(m))))

# the per-layer profiles: each model generated with --profile into build/ (never committed)
define bench_profile_rule
$(BENCH_BUILD)/profile/$(1)/$(1).c $(BENCH_BUILD)/profile/$(1)/$(1).h &: specs/$(1).lua $(GENERATOR_SRC)
	@$(LUA) generator/main.lua specs/$(1).lua --profile --out $(BENCH_BUILD)/profile/$(1)
$(BENCH_BUILD)/profile/bench/bench_$(1): tests/bench/bench_model.c $(BENCH_BUILD)/profile/$(1)/$(1).c $(BUILD)/libnnrt.a
	@mkdir -p $$(@D)
	$(CC) $(ALLFLAGS) -I$(BENCH_BUILD)/profile/$(1) -DMODEL=$(1)_model -DMODEL_HEADER='"$(1).h"' \
	  -DPROFILE_TABLE=$(1)_profile $$< $(BENCH_BUILD)/profile/$(1)/$(1).c $(BUILD)/libnnrt.a $(LDLIBS) -o $$@
endef
$(foreach m,$(BENCH_MODELS),$(eval $(call bench_profile_rule,$(m))))

$(BENCH_BUILD)/sgemm: tests/bench/sgemm.c $(BUILD)/libnnrt.a
	@mkdir -p $(@D)
	$(CC) $(ALLFLAGS) $< $(BUILD)/libnnrt.a $(LDLIBS) -o $@

bench: deps
	@$(MAKE) --no-print-directory $(BENCH_MODELS:%=$(BENCH_BUILD)/bench_%) $(BENCH_BUILD)/sgemm $(BUILD)/fmnist_cnn/train \
	  $(if $(PROFILE),$(BENCH_MODELS:%=$(BENCH_BUILD)/profile/bench/bench_%))
	@$(if $(NATIVE_BLAS),env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE) $(PYTHON) tests/bench/bench.py $(BUILD) "$(CC) $(ALLFLAGS) -Igenerated/resnet18" $(if $(PROFILE),--profile) $(if $(QUICK),--quick) \
	  $(if $(WRITE_DOCS),--docs $(BENCH_DOCS))
