#!/usr/bin/env node
// usocket-micropython: run a MicroPython script with usocket's socket and select.
import { main } from "../dist/micropython/cli.js";

process.exit(await main(process.argv.slice(2)));
