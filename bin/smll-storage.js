#!/usr/bin/env node
import module from 'node:module';

// Node 22.1 and later keep V8's compiled code of the modules below on disk (under the OS temp
// dir) and reuse it at the next start; Node 20 has no such cache and starts without one.
module.enableCompileCache?.();
await import('../dist/cli/main.js');
