import { createMemoryGraph } from "./memory/adapter.ts";
import { identityGraphContract } from "./identity-graph.contract.ts";

identityGraphContract("memory (graphology)", () => createMemoryGraph());
