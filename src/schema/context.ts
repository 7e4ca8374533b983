// What every resolver gets: the live topology, the history, the alert rules. Resolvers read these
// only; none of them reaches the kernel.

import type { AlertService } from "../alerts/types.ts";
import type { Store } from "../store/index.ts";
import type { LiveTopology } from "../watch/live.ts";

export interface SchemaContext {
  live: LiveTopology;
  store: Store;
  alerts: AlertService;
  /** The server's own URL prefix for links it hands out (capture URLs), e.g. "http://127.0.0.1:5000". */
  baseUrl: string;
}
