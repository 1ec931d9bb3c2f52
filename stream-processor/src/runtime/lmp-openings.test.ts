import { createMemoryGraph } from "@vigil/graph-model";
import { lmpOpeningCases } from "./lmp-openings.cases.ts";

lmpOpeningCases("embedded", () => createMemoryGraph());
