# Entry points for people and CI. Each target installs what it needs first.
#   make run    build, package and launch the flagship sample app (out/notes)
#   make test   the whole test suite (what CI runs)
#   make bench  millennium-host against a bare wry + tao program (release builds, Xvfb), the runtime's
#               candidate profiles and the size of every shipped binary (builds each candidate: about
#               30 minutes on 2 cores), the updater's steps and what single instance costs a launch
#   make fuzz   fuzz the config loader, the IPC decoder and the payload reader, FUZZ_SECONDS each (needs nightly + cargo-fuzz)
#   make schema regenerate millennium.schema.json from the config types
#   make dts    regenerate host/js/millennium.d.ts from each API's api.d.ts
#   make vite-lock  regenerate packager/templates/vite/package-lock.json after a change to its package.json

CARGO ?= cargo
APP ?= sample-apps/notes
APP_EXE ?= notes
FUZZ_SECONDS ?= 60

.PHONY: run test build runtime bench fuzz schema dts lint vite-lock

# The runtime apps are packed into: optimised, stripped, and built without the
# config validation the generic host needs (see ARCHITECTURE.md).
RUNTIME = target/runtime/millennium-runtime

build:
	tests/setup-debian.sh
	$(CARGO) build --workspace --bins

runtime:
	$(CARGO) build -p millennium-host --profile runtime --no-default-features --bin millennium-runtime

run: build runtime
	./target/debug/millennium build $(APP) -o out --host $(RUNTIME)
	./out/$(APP_EXE)

test:
	tests/setup-debian.sh --test
	$(CARGO) build --workspace --bins
	$(CARGO) check -p millennium-host --no-default-features --bin millennium-runtime
	$(CARGO) test --workspace

bench:
	tests/setup-debian.sh
	$(CARGO) build --release --workspace --bins
	dbus-run-session -- xvfb-run -a -s "-screen 0 1280x1024x24" $(CARGO) bench -p millennium-e2e --bench host_vs_wry
	$(CARGO) bench -p millennium-e2e --bench update
	$(CARGO) bench -p millennium-e2e --bench launch

lint:
	tests/setup-debian.sh
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) clippy -p millennium-host --no-default-features --lib --bin millennium-runtime -- -D warnings

fuzz:
	mkdir -p config-schema/fuzz/corpus/load
	cd config-schema/fuzz && $(CARGO) +nightly fuzz run load corpus/load ../../tests/fixtures/config/valid ../../tests/fixtures/config/invalid -- -max_total_time=$(FUZZ_SECONDS)
	cd host/fuzz && $(CARGO) +nightly fuzz run ipc_decode -- -max_total_time=$(FUZZ_SECONDS)
	cd host/fuzz && $(CARGO) +nightly fuzz run payload_find -- -max_total_time=$(FUZZ_SECONDS)

schema:
	UPDATE_SCHEMA=1 $(CARGO) test -q -p millennium-config --test schema_fresh

dts:
	UPDATE_DTS=1 $(CARGO) test -q -p millennium-host --lib declarations_are_fresh

# npm runs in a scratch directory, so nothing it writes lands in the embedded
# template; the lockfile names no registry (npm ci uses the author's).
VITE_TEMPLATE = packager/templates/vite
vite-lock:
	tmp=$$(mktemp -d) && \
	sed 's/{{package}}/millennium-vite-app/' $(VITE_TEMPLATE)/package.json > $$tmp/package.json && \
	(cd $$tmp && npm install --package-lock-only --omit-lockfile-registry-resolved --no-audit --no-fund) && \
	sed 's/"millennium-vite-app"/"{{package}}"/' $$tmp/package-lock.json > $(VITE_TEMPLATE)/package-lock.json && \
	rm -rf $$tmp
