# The project's commands. `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
NPM ?= npm

.PHONY: all install build web run test bench bench-scale bench-timeline bench-search bench-store bench-index docs screenshots clean compose-config compose-up compose-down

all: build

node_modules/.install-stamp: package.json package-lock.json $(wildcard packages/*/package.json services/*/package.json test/*/package.json)
	$(NPM) ci --no-audit --no-fund
	@touch $@

install: node_modules/.install-stamp

build: install
	npx tsc -b
	@chmod +x packages/cli/dist/main.js
	$(NPM) run build --silent -w apps/web

## The web client alone (apps/web → apps/web/www, served by the gateway at /).
web: install
	npx tsc -b apps/web
	$(NPM) run build --silent -w apps/web

## Screenshots of the web client's main screens into docs/screenshots (commit them).
screenshots: build
	node test/e2e/dist/web/screenshots.js

## The machine-readable protocol (docs/protocol/) from the zod schemas; commit the result.
## Not part of build: a test compares the committed files with the generator's output.
docs: build
	node scripts/gen-protocol-docs.mjs

## Whole cluster on this machine: embedded PostgreSQL, seaking, relay, gateway on :8080.
run: build
	node scripts/run-cluster.mjs

## Every test: unit, integration (real PostgreSQL and Redis) and end to end.
test: build
	node scripts/test.mjs

clean:
	npx tsc -b --clean
	rm -rf node_modules/.install-stamp apps/web/www

compose-config:
	docker-compose config -q

compose-up:
	docker-compose up --build -d

compose-down:
	docker-compose down

## Load against a real cluster, each figure beside a ceiling measured in the same run;
## then the timeline scenario, the four-gateway, two-relay scenario, and what search
## indexing costs the store path.
bench: build
	node scripts/bench/run.mjs
	node scripts/bench-timeline.mjs
	node scripts/bench-scale.mjs
	node scripts/bench-search.mjs
	$(MAKE) --no-print-directory bench-index

## Four gateways and two relays: hand-overs between gateways, cross-gateway latency, CPU per gateway.
bench-scale: build
	node scripts/bench-scale.mjs

## The friends' timeline at size: 500 friends, 20,000 moments, paged while new ones arrive.
bench-timeline: build
	node scripts/bench-timeline.mjs

## Message search over 1,000,000 stored events through the relay's RPC, with the plans.
bench-search: build
	node scripts/bench-search.mjs

## The relay's store throughput alone (RELAY_ENTRY_BASELINE=other/dist/main.js compares two builds).
bench-store: build
	node scripts/bench-store.mjs

## What search indexing costs the ack path: the relay with its indexer against the same relay
## with the indexer at normal CPU priority and without it, alternating, at saturation and at
## 1,000 stores a second.
INDEX_BASELINES := '[{"SEARCH_INDEXER_NICE":"0"},{"SEARCH_INDEXER":"off"}]'
bench-index: build
	RELAY_ENV_BASELINE=$(INDEX_BASELINES) node scripts/bench-store.mjs
	BENCH_STORE_RATE=1000 RELAY_ENV_BASELINE=$(INDEX_BASELINES) node scripts/bench-store.mjs
