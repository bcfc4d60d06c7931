# make bench [PROFILE=1] [QUICK=1]: the generated trainers against PyTorch (tests/bench/bench.py).
BENCH_BUILD  := $(BUILD)/bench
BENCH_MODELS := fmnist_cnn resnet18
define bench_rule
$(BENCH_BUILD)/bench_$(1): tests/bench/bench_model.c generated/$(1)/$(1).c generated/$(1)/$(1).h $(BUILD)/libnnrt.a
	@mkdir -p $$(@D)
	$(CC) $(ALLFLAGS) -Igenerated/$(1) -DMODEL=$(1)_model -DMODEL_HEADER='"$(1).h"' $$< generated/$(1)/$(1).c $(BUILD)/libnnrt.a $(LDLIBS) -o $$@
endef
$(foreach m,$(BENCH_MODELS),$(eval $(call bench_rule,$(m))))

# the per-layer profile: resnet18 generated with --profile into build/ (never committed)
$(BENCH_BUILD)/profile/resnet18/resnet18.c $(BENCH_BUILD)/profile/resnet18/resnet18.h &: specs/resnet18.lua $(GENERATOR_SRC)
	@$(LUA) generator/main.lua specs/resnet18.lua --profile --out $(BENCH_BUILD)/profile/resnet18
$(BENCH_BUILD)/profile/bench/bench_resnet18: tests/bench/bench_model.c $(BENCH_BUILD)/profile/resnet18/resnet18.c $(BUILD)/libnnrt.a
	@mkdir -p $(@D)
	$(CC) $(ALLFLAGS) -I$(BENCH_BUILD)/profile/resnet18 -DMODEL=resnet18_model -DMODEL_HEADER='"resnet18.h"' \
	  -DPROFILE_TABLE=resnet18_profile $< $(BENCH_BUILD)/profile/resnet18/resnet18.c $(BUILD)/libnnrt.a $(LDLIBS) -o $@

$(BENCH_BUILD)/sgemm: tests/bench/sgemm.c $(BUILD)/libnnrt.a
	@mkdir -p $(@D)
	$(CC) $(ALLFLAGS) $< $(BUILD)/libnnrt.a $(LDLIBS) -o $@

bench: deps
	@$(MAKE) --no-print-directory $(BENCH_MODELS:%=$(BENCH_BUILD)/bench_%) $(BENCH_BUILD)/sgemm \
	  $(if $(PROFILE),$(BENCH_BUILD)/profile/bench/bench_resnet18)
	@$(PYTHON) tests/bench/bench.py $(BUILD) "$(CC) $(ALLFLAGS) -Igenerated/resnet18" $(if $(PROFILE),--profile) $(if $(QUICK),--quick)
