# paperseek — build, test, demo, benchmarks.
# `make demo` and `make test` are the two set-up commands in the README.

GO        ?= go
BIN       := bin/paperseek
DEMO_DIR  := .demo-index
PKGS      := ./...

.PHONY: all build test vet staticcheck demo bench fuzz quality clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/paperseek

vet:
	$(GO) vet $(PKGS)

staticcheck:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKGS)

# go vet, then every test (unit, end-to-end against the built binary, HTTP)
# with the race detector.
test: vet
	$(GO) test -race -count=1 -timeout 30m $(PKGS)

# Builds, indexes the bundled 60-paper sample into a fresh directory under
# the repo and prints a few searches. No network.
demo: build
	@rm -rf $(DEMO_DIR)
	$(BIN) index --index $(DEMO_DIR) testdata/papers.jsonl
	@echo; echo '$$ paperseek search "speculative decoding" -k 3'
	@$(BIN) search --index $(DEMO_DIR) -k 3 "speculative decoding"
	@echo; echo '$$ paperseek search --mode keyword "kv cache compression" -k 3'
	@$(BIN) search --index $(DEMO_DIR) --mode keyword -k 3 "kv cache compression"
	@echo; echo '$$ paperseek search --explain "making language models faster at inference" -k 3'
	@$(BIN) search --index $(DEMO_DIR) --explain -k 3 "making language models faster at inference"

bench:
	$(GO) test -run '^$$' -bench . -benchtime 20x $(PKGS)

clean:
	rm -rf bin $(DEMO_DIR)
