# paperseek — build, test, demo, benchmarks.
# `make demo` and `make test` are the two set-up commands in the README.

GO        ?= go
BIN       := bin/paperseek
DEMO_DIR  := .demo-index
PKGS      := ./...

.PHONY: all build test vet staticcheck demo bench fuzz quality clean cluster-test

all: build

build:
	$(GO) build -o $(BIN) ./cmd/paperseek

# Vetted for a 32-bit target too: a constant that overflows int there
# (math.MaxUint32 in a comparison with len) builds on amd64 and breaks
# GOARCH=386 and arm builds of the one static binary.
vet:
	$(GO) vet $(PKGS)
	GOARCH=386 $(GO) vet $(PKGS)

staticcheck:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKGS)

# go vet, then every test (unit, end-to-end against the built binary, HTTP)
# with the race detector.
test: vet
	$(GO) test -race -count=1 -timeout 30m $(PKGS)

# The Weaviate suites against a REAL loopback cluster (index/weaviate's
# client scenario and node-down tests, index/cluster's store tests): builds
# the pinned server into the cache first if needed (about 12 minutes once,
# 2.6 GB of modules), and fails instead of skipping when it cannot run
# them. `make test` runs the same suites against the in-process fake and
# skips the real-cluster tests, saying so, unless the binary is cached.
cluster-test:
	scripts/weaviate.sh build >/dev/null
	PAPERSEEK_REQUIRE_WEAVIATE=1 $(GO) test -count=1 -timeout 30m -v -run 'Real|Cluster|Scenario|NodeDown' ./index/weaviate/... ./index/cluster/...

# Builds, indexes the bundled 60-paper sample into a fresh directory under
# the repo, prints a few searches and a related-papers lookup, then starts the
# server for a moment and queries it. No network beyond loopback.
DEMO_ADDR ?= 127.0.0.1:18080
demo: build
	@rm -rf $(DEMO_DIR)
	$(BIN) index --index $(DEMO_DIR) testdata/papers.jsonl
	@echo; echo '$$ paperseek search "speculative decoding" -k 3'
	@$(BIN) search --index $(DEMO_DIR) -k 3 "speculative decoding"
	@echo; echo '$$ paperseek search --explain "making language model inference cheaper" -k 3'
	@$(BIN) search --index $(DEMO_DIR) --explain -k 3 "making language model inference cheaper"
	@echo; echo '$$ paperseek search --mode keyword --year 2025.. "kv cache compression" -k 2'
	@$(BIN) search --index $(DEMO_DIR) --mode keyword --year 2025.. -k 2 "kv cache compression"
	@echo; echo '$$ paperseek related mirror-speculative-decoding-breaking-the-serial-barrier-in -k 3'
	@$(BIN) related --index $(DEMO_DIR) -k 3 mirror-speculative-decoding-breaking-the-serial-barrier-in
	@echo; echo '$$ paperseek serve --addr $(DEMO_ADDR) &   # then:'
	@echo "$$ curl -s 'http://$(DEMO_ADDR)/v1/search?q=speculative+decoding&k=2&mode=keyword'"
	@$(BIN) serve --index $(DEMO_DIR) --addr $(DEMO_ADDR) 2>/dev/null & pid=$$!; \
	for i in 1 2 3 4 5 6 7 8 9 10; do curl -sf http://$(DEMO_ADDR)/healthz >/dev/null 2>&1 && break; sleep 0.3; done; \
	curl -sf 'http://$(DEMO_ADDR)/v1/search?q=speculative+decoding&k=2&mode=keyword' | head -c 400 || echo "(curl not available or port $(DEMO_ADDR) busy: skipped)"; \
	echo ' …'; kill $$pid; wait $$pid 2>/dev/null; \
	echo; echo "Open http://$(DEMO_ADDR)/ after 'bin/paperseek serve --index $(DEMO_DIR) --addr $(DEMO_ADDR)' for the search page."

bench:
	$(GO) test -run '^$$' -bench . -benchtime 20x $(PKGS)

# Runs every fuzz target for FUZZTIME each, from its seed corpus in
# testdata/fuzz; the first failure stops the run and leaves the failing
# input there (a file to commit once the bug it shows is fixed).
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzReader$$' -fuzztime=$(FUZZTIME) ./index/ingest
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeLaTeX$$' -fuzztime=$(FUZZTIME) ./index/ingest
	$(GO) test -run='^$$' -fuzz='^FuzzParseRef$$' -fuzztime=$(FUZZTIME) ./index/ingest
	$(GO) test -run='^$$' -fuzz='^FuzzRoundTrip$$' -fuzztime=$(FUZZTIME) ./index/export
	$(GO) test -run='^$$' -fuzz='^FuzzParseYear$$' -fuzztime=$(FUZZTIME) ./query
	$(GO) test -run='^$$' -fuzz='^FuzzSearchText$$' -fuzztime=$(FUZZTIME) ./query
	$(GO) test -run='^$$' -fuzz='^FuzzSearchFilters$$' -fuzztime=$(FUZZTIME) ./query
	$(GO) test -run='^$$' -fuzz='^FuzzRequestDecoders$$' -fuzztime=$(FUZZTIME) ./query/httpapi

clean:
	rm -rf bin $(DEMO_DIR)
