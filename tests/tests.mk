# Tests, included by the Makefile. Every C test is a Criterion binary.
TEST_BUILD  := $(BUILD)/tests
GRAD_SPECS  := $(sort $(basename $(notdir $(wildcard tests/gradcheck/*.lua))))
GRAD_C      := $(foreach s,$(GRAD_SPECS),$(TEST_BUILD)/gradcheck/$(s)/$(s).c)
TEST_FLAGS   = $(ALLFLAGS) -I$(TEST_BUILD)/gradcheck
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

$(TEST_BUILD)/test_gradcheck: tests/test_gradcheck.c $(TEST_BUILD)/gradcheck/gradcheck_models.h $(GRAD_C) $(BUILD)/libnnrt.a
	$(CC) $(TEST_FLAGS) tests/test_gradcheck.c $(GRAD_C) $(BUILD)/libnnrt.a -lcriterion $(LDLIBS) -o $@

$(TEST_BUILD)/test_%: tests/test_%.c $(BUILD)/libnnrt.a
	@mkdir -p $(@D)
	$(CC) $(TEST_FLAGS) $< $(BUILD)/libnnrt.a -lcriterion $(LDLIBS) -o $@

test: deps
	@$(MAKE) --no-print-directory $(TEST_BINS)
	@fail=0; for t in $(TEST_BINS); do echo "== $$t"; $$t --jobs 2 || fail=1; done; \
	$(MAKE) --no-print-directory check-generated || fail=1; \
	exit $$fail
