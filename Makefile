# Entry points for people and CI. Each target installs what it needs first.
#   make run    build, package and launch the flagship sample app (out/notes)
#   make test   the whole test suite (what CI runs)
#   make bench  millennium-host against a bare wry + tao program (release builds, Xvfb), and the updater's steps
#   make fuzz   fuzz the config loader, the IPC decoder and the payload reader, FUZZ_SECONDS each (needs nightly + cargo-fuzz)
#   make schema regenerate millennium.schema.json from the config types
#   make dts    regenerate host/js/millennium.d.ts from each API's api.d.ts

CARGO ?= cargo
APP ?= sample-apps/notes
APP_EXE ?= notes
FUZZ_SECONDS ?= 60

.PHONY: run test build bench fuzz schema dts lint

build:
	tests/setup-debian.sh
	$(CARGO) build --workspace --bins

run: build
	./target/debug/millennium build $(APP) -o out --host target/debug/millennium-host
	./out/$(APP_EXE)

test:
	tests/setup-debian.sh --test
	$(CARGO) build --workspace --bins
	$(CARGO) test --workspace

bench:
	tests/setup-debian.sh
	$(CARGO) build --release --workspace --bins
	dbus-run-session -- xvfb-run -a -s "-screen 0 1280x1024x24" $(CARGO) bench -p millennium-e2e --bench host_vs_wry
	$(CARGO) bench -p millennium-e2e --bench update

lint:
	tests/setup-debian.sh
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fuzz:
	mkdir -p config-schema/fuzz/corpus/load
	cd config-schema/fuzz && $(CARGO) +nightly fuzz run load corpus/load ../../tests/fixtures/config/valid ../../tests/fixtures/config/invalid -- -max_total_time=$(FUZZ_SECONDS)
	cd host/fuzz && $(CARGO) +nightly fuzz run ipc_decode -- -max_total_time=$(FUZZ_SECONDS)
	cd host/fuzz && $(CARGO) +nightly fuzz run payload_find -- -max_total_time=$(FUZZ_SECONDS)

schema:
	UPDATE_SCHEMA=1 $(CARGO) test -q -p millennium-config --test schema_fresh

dts:
	UPDATE_DTS=1 $(CARGO) test -q -p millennium-host --lib declarations_are_fresh
