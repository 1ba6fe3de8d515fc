# omni — the two commands a newcomer needs are `go run ./examples/quickstart` and `make test`.
GO        ?= go
FUZZEXECS ?= 20000x
BENCHTIME ?= 1s
PEERS     := interop/peers

.PHONY: test vet fmt-check unit peers fuzz fuzz-short bench soak vulncheck reliability fuzz-corpus

## test: vet, gofmt, unit + race + interop (the fault matrix in
## internal/faultmatrix included). Deterministic: every fuzz target's seed
## corpus runs as an ordinary test; exploring new inputs is fuzz-short's job
## (run by .ci/run after make test) and fuzz's.
test: vet fmt-check peers unit

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './interop/peers/*')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## peers: installs the npm peers the interop tests run (cometd-nodejs-server, faye, cometd JS client).
peers:
	@bash scripts/peers.sh $(PEERS)

## unit: every package with -race; the interop suite last, with a summary
## of the real servers it started and each scenario's outcome.
unit:
	$(GO) test -race -count=1 -timeout 15m $$($(GO) list ./... | grep -v '/interop$$')
	@GO=$(GO) bash scripts/interop.sh

## fuzz-short: exploratory fuzzing of every target for FUZZEXECS executions
## (a few seconds each; a count, not a duration: see scripts/fuzz.sh). Not
## part of make test: .ci/run runs it after make test.
fuzz-short:
	@bash scripts/fuzz.sh $(FUZZEXECS)

## fuzz: every fuzz target for longer (FUZZLONG each).
FUZZLONG ?= 60s
fuzz:
	@bash scripts/fuzz.sh $(FUZZLONG)

## fuzz-corpus: rewrite the committed seed corpora (testdata/fuzz) from the seed samples.
fuzz-corpus:
	$(GO) run scripts/fuzzcorpus.go

## vulncheck: govulncheck ./... (installed from the module proxy; skipped with a message when offline).
vulncheck:
	@bash scripts/vulncheck.sh

## reliability: run the fault matrix and rewrite its measured table in RELIABILITY.md.
reliability:
	@rm -f /tmp/omni-fault-rows.jsonl
	OMNI_FAULT_REPORT=/tmp/omni-fault-rows.jsonl $(GO) test -count=1 -v -run 'TestSend|TestCometD' ./internal/faultmatrix
	$(GO) run ./internal/faultmatrix/cmd/report /tmp/omni-fault-rows.jsonl RELIABILITY.md

## bench: the benchmark tables (see BENCHMARKS.md).
bench: peers
	@bash scripts/bench.sh $(BENCHTIME)

## soak: long randomized fault run (not part of make test; OMNI_SOAK_DURATION, default 10m).
soak:
	OMNI_SOAK=1 $(GO) test -run Soak -count=1 -timeout 30m -v ./...
