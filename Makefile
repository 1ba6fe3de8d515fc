# omni — the two commands a newcomer needs are `go run ./examples/quickstart` and `make test`.
GO        ?= go
FUZZTIME  ?= 3s
BENCHTIME ?= 1s
PEERS     := interop/peers

.PHONY: test vet fmt-check unit peers fuzz fuzz-short bench soak

## test: everything CI runs: vet, gofmt, unit + race + interop, short fuzz.
test: vet fmt-check peers unit fuzz-short

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './interop/peers/*')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## peers: installs the npm peers the interop tests run (cometd-nodejs-server, faye, cometd JS client).
peers:
	@bash scripts/peers.sh $(PEERS)

unit:
	$(GO) test -race -count=1 -timeout 15m ./...

## fuzz-short: every fuzz target for a few seconds (FUZZTIME).
fuzz-short:
	@bash scripts/fuzz.sh $(FUZZTIME)

## fuzz: every fuzz target for longer.
fuzz:
	@bash scripts/fuzz.sh 60s

## bench: the benchmark tables (see BENCHMARKS.md).
bench:
	@bash scripts/bench.sh $(BENCHTIME)

## soak: long randomized fault run (not part of make test).
soak:
	OMNI_SOAK=1 $(GO) test -run Soak -count=1 -timeout 30m -v ./...
