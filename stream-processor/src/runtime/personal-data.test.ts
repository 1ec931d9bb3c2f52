import { openRelationalStore } from "@vigil/db";
import { createMemoryGraph } from "@vigil/graph-model";
import { personalDataCases } from "./personal-data.cases.ts";

personalDataCases("PGlite + embedded graph", async () => ({ store: await openRelationalStore({}), graph: createMemoryGraph() }));
