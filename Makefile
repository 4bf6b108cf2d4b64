# Developer entry points; each target only calls a script in tools/.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.PHONY: help run test lint stop deps

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-6s %s\n", $$1, $$2}'

run: ## start the product with demo data on http://localhost:8069 (STORAGE=s3: on a local Ceph RGW)
	@STORAGE="$(STORAGE)" bash tools/run.sh

test: ## run every test (throwaway PostgreSQL, demo + no-demo installs, all suites)
	@bash tools/test.sh

lint: ## OCA's linters on the Odoo modules (the first stage of make test)
	@bash tools/lint.sh

stop: ## stop the server, the database and the RGW started by make run
	@bash tools/stop.sh

deps: ## install missing system and Python dependencies, locate Odoo 18
	@bash tools/deps.sh
