# Two commands for a fresh Debian machine:
#   make build   install what is missing, build lessonc, compile content/ + locales/ into build/
#   make test    install what is missing, run the whole test suite
SWIFT ?= swift
LESSONC := .build/release/lessonc

.PHONY: build test setup setup-test lessonc bench clean

build: setup lessonc
	$(LESSONC) build --root . --out build

lessonc:
	$(SWIFT) build -c release --product lessonc

test: setup-test
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-swift-testing

setup:
	@scripts/setup.sh build

setup-test:
	@scripts/setup.sh test

# Benchmarks print figures; they are not part of the test suite.
bench: lessonc
	@scripts/setup.sh bench
	Benchmarks/build-speed.sh

clean:
	rm -rf build .build
