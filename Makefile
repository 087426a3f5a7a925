# Medic. `make test` is what CI runs (.ci/run).

.PHONY: test fuzz build demo vet fmt clean

# Installs what the tests need, vets, checks formatting, runs every test.
test:
	./scripts/install-test-deps.sh && go vet ./... && test -z "$$(gofmt -l .)" && go test -race -count=1 ./... && $(MAKE) --no-print-directory fuzz \
		|| { status=$$?; unformatted=$$(gofmt -l .); [ -z "$$unformatted" ] || echo "gofmt needed: $$unformatted"; exit $$status; }

# A short fuzz run of every target (Go fuzzes one target per invocation);
# plain `go test` already runs their seeds in testdata/fuzz. FUZZTIME=1m
# for a longer look; a failure saves its input under testdata/fuzz.
FUZZTIME ?= 3s
FUZZ_TARGETS = .:FuzzNormalizePhone .:FuzzParseDate .:FuzzParseSAID .:FuzzLine \
	internal/server:FuzzPatientRequest internal/server:FuzzAppointmentRequest \
	internal/server:FuzzSettingsRequest internal/server:FuzzPublicBookingRequest
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		go test -run '^$$' -fuzz "^$${t#*:}\$$" -fuzztime $(FUZZTIME) -parallel 1 ./$${t%%:*} || exit 1; \
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
