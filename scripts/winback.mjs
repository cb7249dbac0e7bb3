#!/usr/bin/env node
// The `winback` command line. Loads the TypeScript entry through tsx, so the CLI runs the
// same code as the jobs without a build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("./cli.ts");
process.exitCode = await main(process.argv.slice(2));
