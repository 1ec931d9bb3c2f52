import { createMemoryGraph } from "@vigil/graph-model";
import { sharpHoundImportCases } from "./sharphound-import.cases.ts";

sharpHoundImportCases("embedded graph", () => createMemoryGraph());
