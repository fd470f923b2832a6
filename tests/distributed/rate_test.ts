import { assert } from "@std/assert";
import { windowLimit } from "../../lib/distributed/rate.ts";

Deno.test("windowLimit() keeps any span of the interval within the count, near the rate", () => {
  for (
    const [count, interval] of [[400, 1000], [50, 1000], [7, 100], [
      1000,
      60_000,
    ]] as const
  ) {
    const { max, duration } = windowLimit(count, interval);
    assert(Number.isInteger(duration));
    // A span of `interval` meets at most floor(interval / duration) + 1 windows.
    const worst = max * (Math.floor(interval / duration) + 1);
    assert(worst <= count, `${count}/${interval}: ${worst}`);
    // Small counts lose more to the split (7 per 100 ms gives 4); 50 and up keep 90%.
    if (count >= 50) {
      assert(
        max * interval / duration >= count * 0.9,
        `${count}/${interval}: too slow`,
      );
    } else assert(max >= 1);
  }
});
