#!/usr/bin/env -S node --import tsx
/**
 * The `bazaar-plugin` executable (see src/cli.ts).
 *
 *     node --import tsx plugins-sdk/bin/bazaar-plugin.ts build plugins-sdk/examples/points
 */
import { main } from "../src/cli";

process.exitCode = await main(process.argv.slice(2));
