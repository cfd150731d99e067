# Two commands for a fresh Debian machine:
#   make build   install what is missing, build lessonc, compile content/ + locales/ into build/,
#                and publish a signed channel into build/channel with a development key
#   make test    install what is missing, run the whole test suite and a short fuzzing pass
#   make fuzz    fuzz every parser of untrusted input for FUZZ_SECONDS each (SECURITY.md)
SWIFT ?= swift
FUZZ_SECONDS ?= 600
FUZZ_JOBS ?= 1
LESSONC := .build/release/lessonc

.PHONY: build test setup setup-test lessonc bench fuzz clean

build: setup lessonc
	$(LESSONC) build --root . --out build
	@# A development key, created once, named as such: never use it for real releases (PUBLISHING.md).
	@test -f build/dev-key.key || $(LESSONC) keygen --out build/dev-key --no-passphrase
	$(LESSONC) publish --root . --channel build/channel --key build/dev-key.key
	$(LESSONC) verify --channel build/channel --pubkey build/dev-key.pub

lessonc:
	$(SWIFT) build -c release --product lessonc

test: setup-test
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-swift-testing
	@# Every fuzz target for a few seconds, from its seeds and every input that once crashed it.
	SWIFT=$(SWIFT) scripts/fuzz.sh --debug --seconds 3 --jobs 2

fuzz: setup-test
	SWIFT=$(SWIFT) scripts/fuzz.sh --seconds $(FUZZ_SECONDS) --jobs $(FUZZ_JOBS)

setup:
	@scripts/setup.sh build

setup-test:
	@scripts/setup.sh test

# Benchmarks print figures; they are not part of the test suite.
bench: lessonc
	@scripts/setup.sh bench
	Benchmarks/build-speed.sh
	Benchmarks/build-speed.sh 40000
	python3 Benchmarks/incremental.py
	python3 Benchmarks/one-lesson-edit.py
	python3 Benchmarks/sync.py
	python3 Benchmarks/preview.py
	python3 Benchmarks/translations.py

clean:
	rm -rf build .build .build-fuzz
