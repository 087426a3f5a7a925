# Medic. `make test` is what CI runs (.ci/run).

.PHONY: test build demo vet fmt clean

# Installs what the tests need, vets, checks formatting, runs every test.
test:
	./scripts/install-test-deps.sh && go vet ./... && test -z "$$(gofmt -l .)" && go test -race -count=1 ./... \
		|| { status=$$?; unformatted=$$(gofmt -l .); [ -z "$$unformatted" ] || echo "gofmt needed: $$unformatted"; exit $$status; }

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
