# Kubarium's two commands: `make serve` and `make test`. Each installs what it needs first, skipping
# whatever is already present at the pinned version, and never downloads anything at build time.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

TOOLS := $(CURDIR)/.tools
CARGO_BIN := $(HOME)/.cargo/bin
export PATH := $(TOOLS)/npm/node_modules/.bin:$(CARGO_BIN):$(PATH)

TRUNK_VERSION := 0.21.14
WASM_PACK_VERSION := 0.15.1
BINARYEN_VERSION := 132.0.0
# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
WASM_BINDGEN_VERSION := $(shell sed -n '/^name = "wasm-bindgen"$$/{n;s/^version = "\(.*\)"/\1/p}' Cargo.lock)

.PHONY: serve test build-web tools test-tools wasm-target trunk wasm-bindgen wasm-opt wasm-pack chromium \
        fmt clippy native-test browser-test web-size page-perf bench bench-wasm

serve: tools
	cargo fetch
	trunk serve --release

test: test-tools fmt clippy native-test browser-test web-size

tools: wasm-target trunk wasm-bindgen wasm-opt

test-tools: tools wasm-pack chromium

wasm-target:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

trunk:
	@trunk --version 2>/dev/null | grep -qx "trunk $(TRUNK_VERSION)" || cargo install --locked trunk --version $(TRUNK_VERSION)

# Without --locked: wasm-bindgen-cli's own lock file names a crate version the registry no longer has.
wasm-bindgen:
	@wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $(WASM_BINDGEN_VERSION)" || cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)

# Debian's binaryen is too old for current wasm; npm's is installed under .tools, never globally.
wasm-opt:
	@$(TOOLS)/npm/node_modules/.bin/wasm-opt --version 2>/dev/null | grep -q "version $(basename $(BINARYEN_VERSION))" || \
		npm install --no-save --no-audit --no-fund --prefix $(TOOLS)/npm binaryen@$(BINARYEN_VERSION)

wasm-pack:
	@wasm-pack --version 2>/dev/null | grep -qx "wasm-pack $(WASM_PACK_VERSION)" || cargo install --locked wasm-pack --version $(WASM_PACK_VERSION)

chromium:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; \
	fi

fmt:
	cargo fmt --all -- --check

clippy:
	cargo clippy --all-targets -- -D warnings
	cargo clippy --all-targets --target wasm32-unknown-unknown -- -D warnings

native-test:
	cargo test

browser-test:
	CHROMEDRIVER=/usr/bin/chromedriver wasm-pack test --headless --chrome -- --test web

build-web: tools
	cargo fetch
	trunk build --release

web-size: build-web
	@wasm=$$(ls dist/*.wasm); raw=$$(stat -c %s $$wasm); gz=$$(gzip -9 -c $$wasm | wc -c); \
		printf 'release wasm: %s bytes raw, %s bytes gzip (%s KiB)\n' $$raw $$gz $$((gz / 1024))

# The release page in headless Chromium: time to an interactive terminal, and frames with 100 pods
# animating (the README's numbers). Not part of `make test`: it measures, it does not judge.
page-perf: test-tools build-web
	CHROMEDRIVER=/usr/bin/chromedriver python3 scripts/page-perf.py

bench:
	cargo bench

# The same benchmarks as wasm32-wasip1 programs under Node's WASI: what a browser tab can expect.
bench-wasm:
	@rustup target list --installed | grep -qx wasm32-wasip1 || rustup target add wasm32-wasip1
	cargo bench --no-run --target wasm32-wasip1 --message-format=json 2>/dev/null | \
		python3 -c 'import json,sys; [print(m["executable"]) for m in map(json.loads, sys.stdin) if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["kind"] == ["bench"]]' | \
		while read -r wasm; do echo "== $$(basename $$wasm)"; node --no-warnings scripts/wasi-run.mjs $$wasm; done
