/**
 * Runs one (workload, library) pair in its own process so that peak RSS is
 * the pair's own, and prints its metrics as one JSON line.
 *
 * Usage: `deno run -A --config bench/deno.json bench/engine_child.ts W1 mapConcurrent [n]`
 *
 * @module
 */

import { PEERS } from "./peers.ts";
import { WORKLOADS } from "./workloads.ts";

const [workloadName = "", peerName = "", count] = Deno.args;
const workload = WORKLOADS[workloadName];
const peer = PEERS[peerName];
if (!workload || !peer) {
  console.error(
    `usage: engine_child.ts <${Object.keys(WORKLOADS).join("|")}> <${
      Object.keys(PEERS).join("|")
    }> [n]`,
  );
  Deno.exit(2);
}
const metrics = await workload(peer, count ? Number(count) : undefined);
console.log(JSON.stringify(metrics));
// Some peers leave abandoned work behind after a failure; do not wait for it.
Deno.exit(0);
