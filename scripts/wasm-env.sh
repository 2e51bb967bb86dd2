# Sourced by the wasm build scripts: Debian's rustc/cargo (which carry the wasm32 std
# sources for -Zbuild-std) first, npm's wasm-opt last. Host builds must NOT source this:
# with RUSTC_BOOTSTRAP or build-std set, the rustup toolchain's host builds fail.
REPO="${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
export PATH="/usr/bin:$PATH:$REPO/node_modules/.bin:$HOME/.cargo/bin"
export RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1
export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
# Debian's rustc looks for `rust-lld`, which only the (recommended, not installed) rust-web-llvm
# package provides; lld-22's wasm-ld is the same linker.
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=/usr/lib/llvm-22/bin/wasm-ld
export CHROMEDRIVER=/usr/bin/chromedriver
# A target dir of its own, so host and wasm builds never invalidate each other.
export CARGO_TARGET_DIR="$REPO/target/wasm"
