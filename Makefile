# Medic. `make test` is what CI runs (.ci/run).

.PHONY: test fuzz build demo vet fmt clean

# Installs what the tests need, vets, checks formatting, runs every test.
test:
	./scripts/install-test-deps.sh && go vet ./... && test -z "$$(gofmt -l .)" && go test -race -count=1 -timeout 30m ./... && $(MAKE) --no-print-directory fuzz \
		|| { status=$$?; unformatted=$$(gofmt -l .); [ -z "$$unformatted" ] || echo "gofmt needed: $$unformatted"; exit $$status; }

# A short fuzz run of every target (Go fuzzes one target per invocation);
# plain `go test` already runs their seeds in testdata/fuzz. The parsers
# run FUZZTIME inputs each, the HTTP targets FUZZRUNS requests each: counts,
# not durations, because a time budget can end while the engine minimises a
# new input and go test then fails with "context deadline exceeded" (seen in
# CI on FuzzLine, no crasher saved). A failure saves its input under
# testdata/fuzz. FUZZTIME=2000000x FUZZRUNS=5000x for a longer look.
FUZZTIME ?= 50000x
FUZZRUNS ?= 300x
fuzz:
	@for t in FuzzNormalizePhone FuzzParseDate FuzzParseSAID FuzzLine; do \
		go test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) -parallel 1 . || exit 1; \
	done
	@for t in FuzzPatientRequest FuzzAppointmentRequest FuzzSettingsRequest FuzzPublicBookingRequest; do \
		go test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZRUNS) -parallel 1 ./internal/server || exit 1; \
	done

# The binary, with the version and commit from git.
build:
	go build -ldflags "-X main.version=$$(git describe --tags --always --dirty 2>/dev/null || echo dev) -X main.commit=$$(git rev-parse HEAD 2>/dev/null)" -o medic ./cmd/medic

demo:
	go run ./cmd/medic demo

vet:
	go vet ./...

fmt:
	gofmt -w .

clean:
	rm -f medic
