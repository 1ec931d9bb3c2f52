import { createMemoryGraph } from "./memory/adapter.ts";
import { identityGraphContract } from "./identity-graph.contract.ts";
import { lateralMovementContract } from "./lmp.contract.ts";

identityGraphContract("memory (graphology)", () => createMemoryGraph());
lateralMovementContract("memory (graphology)", () => createMemoryGraph());
