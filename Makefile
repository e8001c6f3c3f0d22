# Anxin: `make run` starts the helpdesk on an embedded database with demo data;
# `make test` runs every test. Both need only Go; `make test` installs Chromium
# (for the browser tests) when it can.

VERSION    ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT     ?= $(shell git rev-parse HEAD 2>/dev/null)
BUILD_DATE ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS    := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.buildDate=$(BUILD_DATE)
BIN        := bin/anxin
export CGO_ENABLED := 0

.PHONY: run build release test test-web-postgres race generate lint bench fuzz browser vnu validate lighthouse clean

run: build
	./$(BIN) serve --demo

build:
	go build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/anxin

# Static binaries (no cgo: the SQLite inside is pure Go) for each platform,
# version stamped, into dist/ with their SHA256SUMS.
PLATFORMS ?= linux/amd64 linux/arm64 windows/amd64 darwin/arm64
release:
	rm -rf dist && mkdir -p dist
	@set -e; for p in $(PLATFORMS); do \
	  os=$${p%/*}; arch=$${p#*/}; ext=; [ "$$os" = windows ] && ext=.exe; \
	  out=dist/anxin-$(VERSION)-$$os-$$arch$$ext; echo "  $$out"; \
	  GOOS=$$os GOARCH=$$arch go build -trimpath -ldflags "$(LDFLAGS)" -o $$out ./cmd/anxin; \
	done
	cd dist && { command -v sha256sum >/dev/null && sha256sum anxin-* || shasum -a 256 anxin-*; } > SHA256SUMS
	@cat dist/SHA256SUMS

# The store's tests run a second time on PostgreSQL when ANXIN_TEST_POSTGRES
# names a server whose user may create databases (CI starts Debian's, and
# sets ANXIN_POSTGRES_REQUIRED=1 so that a missing one fails the run). The
# first run takes it too: cmd/anxin's tests of two serve processes on one
# database (nodes_test.go) run then, and skip without a server.
#
# The race detector runs in `make race`, which CI runs after this: under it
# the web package alone took 12 minutes here, against 5 without, and make
# test is to stay under 10.
test: browser vnu
	go test -count=1 -timeout 30m ./...
	@if [ -n "$$ANXIN_TEST_POSTGRES" ]; then \
	  echo "the store's tests again, on PostgreSQL"; \
	  ANXIN_TEST_ENGINE=postgres go test -count=1 -timeout 30m ./store/...; \
	elif [ -n "$$ANXIN_POSTGRES_REQUIRED" ]; then \
	  echo "ANXIN_POSTGRES_REQUIRED is set, but ANXIN_TEST_POSTGRES names no PostgreSQL server"; exit 1; \
	else echo "ANXIN_TEST_POSTGRES is not set: the store's tests on PostgreSQL are skipped"; fi

# The web layer's tests, the browser's included, on PostgreSQL: every page
# and flow behaves the same on either engine (about 7 minutes here; CI runs
# it after make test, which runs the store's tests on both).
test-web-postgres: browser vnu
	@test -n "$$ANXIN_TEST_POSTGRES" || { echo "make test-web-postgres needs ANXIN_TEST_POSTGRES, the URL of a PostgreSQL server whose user may create databases"; exit 1; }
	ANXIN_TEST_ENGINE=postgres go test -count=1 -timeout 30m ./web/...

# Every test under the race detector. It needs cgo and a C compiler (gcc);
# nothing else is built with cgo.
race: browser vnu
	@command -v gcc >/dev/null 2>&1 || { echo "make race needs a C compiler (apt-get install gcc)"; exit 1; }
	CGO_ENABLED=1 go test -race -count=1 -timeout 30m ./...

generate:
	go tool templ generate

# gofmt, go vet, errcheck (every dropped error outside tests is one of the
# kinds .errcheck-excludes lists) and generated code up to date.
lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: the files above need formatting"; exit 1; }
	go vet ./...
	CGO_ENABLED=0 go tool errcheck -ignoretests -exclude .errcheck-excludes ./...
	go tool templ generate
	@git diff --exit-code -- '*_templ.go' || { echo "templ: generated code is stale; run make generate and commit"; exit 1; }

# Benchmarks run over databases of 1,000,000 and 5,000,000 tickets, built
# once into data/bench (the 5M one takes some minutes the first time; BENCH_5M=
# leaves it out). BENCH=pattern runs some of them.
BENCH    ?= .
BENCH_5M ?= 1
bench:
	ANXIN_BENCH_DIR=$(CURDIR)/data/bench ANXIN_BENCH_5M=$(BENCH_5M) go test -run '^$$' -bench '$(BENCH)' -benchtime 2s -timeout 60m ./store ./web

# The fuzz tests: the photo validator, and the intake API's decoding and
# validation over a real server. Their seeds (photo/testdata/fuzz and the
# f.Add calls) run with every go test. FUZZTIME=30s make fuzz for a shorter
# run; each runs for FUZZTIME.
FUZZTIME ?= 5m
fuzz:
	go test -run '^$$' -fuzz '^FuzzValidate$$' -fuzztime $(FUZZTIME) ./photo
	go test -run '^$$' -fuzz '^FuzzIntakeAPI$$' -fuzztime $(FUZZTIME) ./web

# Browser tests drive Debian's Chromium, with a CJK font so screenshots show
# Chinese. Install them when we can (as root with apt); otherwise the tests
# skip locally (CI sets ANXIN_BROWSER_REQUIRED=1, which makes that a failure).
browser:
	@{ command -v chromium >/dev/null 2>&1 && [ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium and a CJK font for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	  else echo "chromium not found and cannot be installed here: browser tests will skip"; fi; }

# The Nu HTML Checker (npm's vnu-jar, which runs on Java), installed into
# data/tools/vnu when it can be (Java from Debian as root); without it the
# HTML test skips locally (CI sets ANXIN_VNU_REQUIRED=1, which makes that a
# failure). `make validate` checks the pages and fails on any error.
VNU_VERSION := 26.9.27
VNU_JAR     := data/tools/vnu/node_modules/vnu-jar/build/dist/vnu.jar
vnu:
	@command -v java >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Java for the HTML checker"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; \
	  else echo "java not found and cannot be installed here: the HTML check will skip"; fi; }
	@[ -f $(VNU_JAR) ] || { command -v npm >/dev/null 2>&1 && \
	  npm install --prefix data/tools/vnu --no-audit --no-fund --silent vnu-jar@$(VNU_VERSION) >/dev/null || \
	  echo "vnu-jar could not be installed: the HTML check will skip"; }

validate: vnu
	ANXIN_VNU=$(CURDIR)/$(VNU_JAR) ANXIN_VNU_REQUIRED=1 go test -count=1 -run '^TestHTMLValid$$' ./web

# Lighthouse's mobile preset on the queue and a ticket of a `serve --demo`
# instance (npm's lighthouse, pinned, through npx; Debian's Chromium); fails
# under 95 in performance, accessibility or best practices. Not part of
# make test: it needs the npm registry and takes a minute. Reports go to
# data/lighthouse.
LIGHTHOUSE_VERSION ?= 12.8.2
lighthouse: build browser
	LIGHTHOUSE_VERSION=$(LIGHTHOUSE_VERSION) scripts/lighthouse.sh $(BIN) 95

clean:
	rm -rf bin dist data/anxin.db*
