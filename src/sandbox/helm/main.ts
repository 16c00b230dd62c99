/** The sandbox `helm` executable's entry point (see sandbox-helm.ts for how it is put on disk). */
import { runHelm } from './helm-command.js';

process.exitCode = await runHelm(process.argv.slice(2), {
  env: process.env,
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
